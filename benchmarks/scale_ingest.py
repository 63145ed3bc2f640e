"""Scale benchmark, part 1: ingest with 1, 2 and 4 worker processes.

The scaled-out shape of the README's "Scaling out": PostgreSQL and a Redis queue.

    python benchmarks/scale_ingest.py [--articles 100000] [--workers 1,2,4] [--sources 500]
                                      [--hosts 50] [--gap 0.05] [--timeout 7200] [--keep]
                                      [--workdir DIR]

The same as `python benchmarks/scale.py --skip-site` (scale.py runs this part, then
scale_site.py's). On two cores newsdesk stores some 15 articles a second, so the issue's
100,000 for each worker count take hours: --articles 4000 gives each configuration a few
minutes.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, no password) and Redis at
127.0.0.1:6379; uses the database newsdesk_scale_ingest (made here, dropped at the end
unless --keep) and Redis database 13 (flushed).

A mirror of many outlets runs in a separate process (asyncio) on --hosts loopback
addresses (127.0.0.2, 127.0.0.3, ...): --sources RSS feeds, each listing articles /
sources items, and the article pages: generated HTML with headline, byline, date and
paragraphs of site_archive's Writer text inside a real page's navigation, sidebar,
scripts and footer; every five articles tell one event, so stories form. A feed's items
live on every host in turn, so the queue's consecutive jobs ask different hosts. For
each worker count, from an empty database and queue: `newsdesk init`, the feeds imported
from OPML (`newsdesk sources import`), `newsdesk serve` (its /healthz must say ok), then
N `newsdesk worker --workers 1 --worker-type thread --no-scheduler` processes (each runs
one job at a time, so N processes run N jobs). The benchmark plays the scheduler: it
enqueues its job (schedule_due_sources: one poll job per due source, each enqueueing a
job per new item) once, when the clock starts. Politeness stays on:
NEWSDESK_HOST_MIN_GAP --gap on each of --hosts hosts allows hosts / gap requests a
second, far above what two cores extract. Measured until --articles are stored:
articles/s (the database count, read every half second; also the steady rate between 10%
and 90%), the queue depth, fetch outcomes and stored articles from /metrics, errors,
each worker's peak RSS and CPU seconds, and the machine's CPU use (workers, PostgreSQL,
Redis, the mirror and the web process share the cores).

Prints a table and one JSON line last. Every process started here is stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import email.utils
import json
import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from scale_common import (
    INGEST_DB,
    PROCS,
    SEED,
    base_env,
    bench,
    flush_queue,
    fresh_database,
    machine_cpu,
    metrics,
    newsdesk,
    proc_figures,
    run,
    start_web,
)
from site_archive import SECTIONS, Writer

WORKER = [sys.executable, "-m", "newsdesk", "worker", "--workers", "1", "--worker-type", "thread"]
PER_EVENT = 5  # articles telling one event
STALL_SECONDS = 90.0  # no new article for this long ends an ingest run


# --- the mirror: feeds and article pages on loopback hosts ---------------------------------


class Mirror:
    """What the outlets serve: feed i lists items i*K .. i*K+K-1; item n lives on host
    (i + j) % H; its page is made from n alone, so every request gets the same bytes."""

    def __init__(self, sources: int, items: int, hosts: list[str], port: int, now: float):
        self.sources, self.items, self.hosts, self.port = sources, items, hosts, port
        self.now = datetime.fromtimestamp(now, UTC).replace(microsecond=0)
        self.writer = Writer(SEED)
        self.topics: dict[int, dict[str, str]] = {}

    def feed_url(self, i: int) -> str:
        return f"http://{self.hosts[i % len(self.hosts)]}:{self.port}/feed/{i}.xml"

    def page_url(self, n: int) -> str:
        i, j = divmod(n, self.items)
        return f"http://{self.hosts[(i + j) % len(self.hosts)]}:{self.port}/news/{n}.html"

    def event(self, n: int) -> int:
        i, j = divmod(n, self.items)
        return (j * self.sources + i) // PER_EVENT  # one event: the same item of 5 feeds

    def topic(self, event: int) -> dict[str, str]:
        if event not in self.topics:
            self.writer.rng = random.Random(f"topic {event}")
            self.topics[event] = self.writer.topic()
        return self.topics[event]

    def published(self, n: int) -> datetime:
        event = self.event(n)
        start = random.Random(f"time {event}").uniform(3600, 47 * 3600)
        return self.now - timedelta(seconds=start - 1200 * (n % PER_EVENT))

    def title(self, n: int) -> str:
        self.writer.rng = random.Random(n)
        return self.writer.title(self.topic(self.event(n)))

    def feed(self, i: int) -> bytes:
        items = []
        for n in range(i * self.items, (i + 1) * self.items):
            url = self.page_url(n)
            items.append(
                f"<item><title>{escape(self.title(n))}</title><link>{url}</link>"
                f'<guid isPermaLink="true">{url}</guid>'
                f"<pubDate>{email.utils.format_datetime(self.published(n))}</pubDate></item>"
            )
        host = self.hosts[i % len(self.hosts)]
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>The Loopback Courier {i}</title><link>http://{host}:{self.port}/</link>"
            f"<description>News from outlet {i}</description>{''.join(items)}</channel></rss>"
        ).encode()

    def page(self, n: int) -> bytes:
        """An article page: headline, byline, date, paragraphs, and a real page's clutter."""
        topic = self.topic(self.event(n))
        title = self.title(n)  # the same first draw as the feed's title
        rng = self.writer.rng
        author = rng.choice(self.writer.people)
        text = self.writer.text(topic)
        when = self.published(n).isoformat()
        day = self.published(n).strftime("%-d %B %Y")
        site = f"The Loopback Courier {n // self.items}"
        paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
        nav = "".join(f'<li><a href="/section/{s.lower()}">{s}</a></li>' for s in SECTIONS * 3)
        most_read = "".join(
            f'<li><a href="{self.page_url((n + k * 7919) % (self.sources * self.items))}">'
            f"{escape(self.title((n + k * 7919) % (self.sources * self.items)))}</a></li>"
            for k in range(1, 11)
        )
        footer = "".join(f'<a href="/about/{k}">About link {k}</a> ' for k in range(30))
        script = "var cfg = {" + ",".join(f'"k{k}": {k * 31}' for k in range(300)) + "};"
        style = "".join(f".c{k} {{ margin: {k}px; padding: {k % 7}px; }}\n" for k in range(150))
        url = self.page_url(n)
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} | {site}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{escape(text.split(".")[0][:200])}.">
<meta property="og:title" content="{escape(title)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{site}">
<meta name="author" content="{escape(author)}">
<meta property="article:published_time" content="{when}">
<link rel="canonical" href="{url}">
<style>{style}</style>
<script>{script}</script>
</head><body>
<div class="cookie-banner"><p>We use cookies to improve your experience.</p>
<button>Accept all</button> <button>Settings</button></div>
<header><a class="logo" href="/">{site}</a><nav><ul>{nav}</ul></nav>
<form action="/search"><input name="q" placeholder="Search"></form></header>
<main><article>
<h1>{escape(title)}</h1>
<p class="byline">By <a rel="author" href="/people/{n % 97}">{escape(author)}</a>
<time datetime="{when}">{day}</time></p>
<div class="share"><a href="#">Share</a> <a href="#">Tweet</a> <a href="#">Email</a></div>
<div class="article-body">
{paragraphs}
</div>
<div class="tags"><a href="/tag/{escape(topic["noun"])}">{escape(topic["noun"])}</a></div>
</article>
<aside><h2>Most read</h2><ol>{most_read}</ol></aside></main>
<div class="newsletter"><h2>Sign up for our newsletter</h2><input name="email">
<button>Subscribe</button></div>
<footer><p>{footer}</p><p>&copy; {site}. All rights reserved.</p></footer>
</body></html>""".encode()


def serve_mirror(mirror: Mirror, ready: Any) -> None:
    """Serve the mirror on every host until killed; /_stats tells what was asked, and the
    closest start-to-start spacing and most requests in flight seen on one host."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the benchmark's handler
    stats: dict[str, Any] = {"feed": 0, "page": 0, "robots": 0, "other": 0}
    last: dict[str, float] = {}
    flight: dict[str, int] = {}
    spacing = {"closest_s": float("inf"), "max_in_flight": 0}

    def answer(path: str) -> tuple[bytes, bytes, str]:
        if path == "/robots.txt":
            return b"200 OK", b"User-agent: *\nAllow: /\n", "robots"
        found = re.fullmatch(r"/feed/(\d+)\.xml", path)
        if found and int(found[1]) < mirror.sources:
            return b"200 OK", mirror.feed(int(found[1])), "feed"
        found = re.fullmatch(r"/news/(\d+)\.html", path)
        if found and int(found[1]) < mirror.sources * mirror.items:
            return b"200 OK", mirror.page(int(found[1])), "page"
        if path.startswith("/_stats"):
            body = json.dumps({**stats, **spacing}).encode()
            if path.endswith("reset"):
                stats.update(dict.fromkeys(stats, 0))
                spacing.update({"closest_s": float("inf"), "max_in_flight": 0})
                last.clear()
            return b"200 OK", body, "stats"
        return b"404 Not Found", b"not here", "other"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                start = time.monotonic()
                status, body, kind = answer(path)
                if kind in stats:
                    stats[kind] += 1
                    if kind == "page":
                        if host in last:
                            spacing["closest_s"] = min(spacing["closest_s"], start - last[host])
                        last[host] = start
                        flight[host] = flight.get(host, 0) + 1
                        spacing["max_in_flight"] = max(spacing["max_in_flight"], flight[host])
                ctype = b"application/rss+xml" if kind == "feed" else b"text/html; charset=utf-8"
                writer.write(
                    b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype
                    + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )  # fmt: skip
                await writer.drain()
                if kind == "page":
                    flight[host] -= 1
        except (asyncio.IncompleteReadError, ConnectionError, IndexError, UnicodeDecodeError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        for host in mirror.hosts:
            await asyncio.start_server(handle, host, mirror.port, backlog=1024)
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


# --- part 1: ingest ------------------------------------------------------------------------


def write_opml(mirror: Mirror, path: Path) -> None:
    rows = [
        f'<outline type="rss" text="Courier {i}" title="The Loopback Courier {i}" '
        f'xmlUrl="{mirror.feed_url(i)}"/>'
        for i in range(mirror.sources)
    ]
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>mirror'
        f'</title></head><body><outline text="World" title="World">{"".join(rows)}'
        "</outline></body></opml>",
        encoding="utf-8",
    )


def wait_started(log: Path, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Until the huey consumer says it runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and "Huey consumer started" in log.read_text(errors="replace"):
            return
        bench.check(proc.poll() is None, f"worker exited: see {log}")
        time.sleep(0.2)
    raise SystemExit(f"worker did not start in {timeout} s: see {log}")


def count_articles() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM stories_article")
        return int(cursor.fetchone()[0])


def watch(target: int, web: str, timeout: float) -> dict[str, Any]:
    """Count stored articles every half second until the target (or a stall); scrape
    /metrics every few seconds. The clock starts at the scheduler's job."""
    from newsdesk.ingest.tasks import schedule_due_sources

    cpu0 = machine_cpu()
    started = time.perf_counter()
    schedule_due_sources()  # enqueued: a worker runs it, as at the scheduler's minute
    samples: list[tuple[float, int]] = [(0.0, 0)]
    peak_pending = peak_scheduled = 0
    scraped_at, last_change = 0.0, started
    scraped: list[tuple[float, float]] = []
    while True:
        time.sleep(0.5)
        now = time.perf_counter()
        stored = count_articles()
        if stored > samples[-1][1]:
            last_change = now
        samples.append((now - started, stored))
        if now - scraped_at >= 5.0:
            figures = metrics(web)
            peak_pending = max(peak_pending, int(figures.get("newsdesk_queue_pending", 0)))
            peak_scheduled = max(peak_scheduled, int(figures.get("newsdesk_queue_scheduled", 0)))
            scraped.append((now - started, figures.get("newsdesk_articles", 0.0)))
            scraped_at = now
        if stored >= target or now - last_change > STALL_SECONDS or now - started > timeout:
            break
    elapsed = samples[-1][0]
    busy = [b - a for a, b in zip(cpu0, machine_cpu(), strict=True)]

    def reached(share: float) -> float:
        return next(t for t, n in samples if n >= share * samples[-1][1])

    steady = (reached(0.9) - reached(0.1)) or elapsed
    by_metrics = (scraped[-1][1] - scraped[0][1]) / ((scraped[-1][0] - scraped[0][0]) or 1)
    return {
        "stored": samples[-1][1],
        "seconds": round(elapsed, 1),
        "articles_per_s": round(samples[-1][1] / elapsed, 1),
        "steady_articles_per_s": round(0.8 * samples[-1][1] / steady, 1),
        "metrics_articles_per_s": round(by_metrics, 1),
        "reached_target": samples[-1][1] >= target,
        "peak_queue_pending": peak_pending,
        "peak_queue_scheduled": peak_scheduled,  # jobs deferred (host busy) or retried
        "machine_cpu_busy_pct": round(100 * busy[0] / max(1, busy[1]), 1),
    }


def fetch_outcomes(figures: dict[str, float]) -> dict[str, int]:
    """newsdesk_fetches_last_hour by 'stage/outcome'."""
    out = {}
    for key, value in figures.items():
        found = re.fullmatch(r"newsdesk_fetches_last_hour\{(.*)\}", key)
        if found:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', found[1]))
            out[f"{labels['stage']}/{labels['outcome']}"] = int(value)
    return out


def database_checks() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE story_id IS NULL), "
            "count(DISTINCT story_id) FROM stories_article"
        )
        articles, storyless, stories = cursor.fetchone()
    return {"articles": articles, "without_story": storyless, "stories": stories}


def ingest_run(args: argparse.Namespace, mirror: Mirror, work: Path, n: int) -> dict[str, Any]:
    """One configuration: n worker processes from an empty database and queue."""
    from django.db import connections

    connections.close_all()
    fresh_database(INGEST_DB)
    flush_queue()
    env = base_env(
        work,
        INGEST_DB,
        {
            "NEWSDESK_ALLOW_PRIVATE_NETWORKS": "true",
            "NEWSDESK_HOST_MIN_GAP": str(args.gap),
            "NEWSDESK_MAX_ITEMS_PER_POLL": str(mirror.items),
            "NEWSDESK_FETCH_TIMEOUT": "10",
        },
    )
    newsdesk(env, "init")
    opml = work / "mirror.opml"
    write_opml(mirror, opml)
    print(" ", newsdesk(env, "sources", "import", str(opml)), flush=True)
    first = len(PROCS.started)
    web = start_web(env, work, 1, f"web-ingest-{n}")
    workers = []
    for k in range(n):
        log = work / f"worker-{n}-{k}.log"
        log.unlink(missing_ok=True)
        # This process plays the scheduler: it enqueues schedule_due_sources once, at a
        # known moment. A worker's own scheduler enqueues it when the worker starts and at
        # each minute, and two such jobs at once poll every source twice (tasks.py allows
        # that race, and each duplicate entry is fetched and extracted before it is seen).
        extra = ["--no-scheduler"]
        workers.append(
            (
                PROCS.start(
                    [*WORKER, *extra],
                    log,
                    env={**env, "NEWSDESK_LOG_LEVEL": "INFO"},  # to see the consumer start
                ),
                log,
            )
        )
    for proc, log in workers:
        wait_started(log, proc)
    bench.get(mirror_base(mirror) + "/_stats?reset")
    result = watch(args.articles, web, args.timeout)
    final = metrics(web)
    figures = [proc_figures(proc.pid) for proc, _ in workers]
    traces = sum(log.read_text(errors="replace").count("Traceback") for _, log in workers)
    result.update(
        {
            "fetches": fetch_outcomes(final),
            "metrics_articles": int(final.get("newsdesk_articles", 0)),
            "metrics_articles_per_second_gauge": round(
                final.get("newsdesk_articles_per_second", 0.0), 2
            ),
            "queue_pending_at_end": int(final.get("newsdesk_queue_pending", 0)),
            "worker_tracebacks": traces,
            "database": database_checks(),
            "workers": figures,
            "peak_rss_worker_mb": max(f.get("peak_rss_mb", 0.0) for f in figures),
            "worker_cpu_s": round(sum(f.get("cpu_s", 0.0) for f in figures), 1),
        }
    )
    outcomes = result["fetches"]
    result["errors"] = sum(
        v
        for k, v in outcomes.items()
        if k.split("/")[1] not in {"ok", "not_modified", "new", "duplicate"}
    )
    # Stop this run's web process and workers (and only them) before the next run.
    runs = bench.Processes()
    runs.started = PROCS.started[first:]
    runs.stop()
    del PROCS.started[first:]
    return result


def mirror_base(mirror: Mirror) -> str:
    return f"http://{mirror.hosts[0]}:{mirror.port}"


def ingest(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    items = -(-args.articles // args.sources)
    hosts = [f"127.0.0.{2 + i}" for i in range(args.hosts)]
    mirror = Mirror(args.sources, items, hosts, bench.free_port(), time.time())
    ready = multiprocessing.get_context("fork").Event()
    server = multiprocessing.get_context("fork").Process(
        target=serve_mirror, args=(mirror, ready), daemon=True
    )
    server.start()
    atexit.register(server.terminate)
    bench.check(ready.wait(30), "the mirror did not start")
    cpus = os.cpu_count() or 1
    print(
        f"ingest: {args.articles} articles from {args.sources} feeds ({items} items each) "
        f"on {args.hosts} hosts, gap {args.gap} s (politeness allows up to "
        f"{args.hosts / args.gap:.0f} requests/s); {cpus} cores",
        flush=True,
    )
    runs: dict[str, Any] = {}
    try:
        for n in args.workers:
            print(f"{n} worker process(es)...", flush=True)
            mirror_cpu0 = proc_figures(server.pid or 0).get("cpu_s", 0.0)
            runs[str(n)] = ingest_run(args, mirror, work, n)
            runs[str(n)]["mirror_cpu_s"] = round(
                proc_figures(server.pid or 0).get("cpu_s", 0.0) - mirror_cpu0, 1
            )
            _, _, body = bench.get(mirror_base(mirror) + "/_stats")
            runs[str(n)]["mirror"] = json.loads(body)
            r = runs[str(n)]
            print(
                f"  {r['stored']} stored in {r['seconds']} s: {r['articles_per_s']} articles/s "
                f"(steady {r['steady_articles_per_s']}), errors {r['errors']}, "
                f"CPU busy {r['machine_cpu_busy_pct']}%",
                flush=True,
            )
    finally:
        server.terminate()
    return summarise_ingest(args, runs, items, cpus)


def summarise_ingest(
    args: argparse.Namespace, runs: dict[str, Any], items: int, cpus: int
) -> dict[str, Any]:
    print(
        f"\n{'workers':>7} {'articles/s':>10} {'steady/s':>9} {'seconds':>8} {'errors':>6} "
        f"{'peak queue':>10} {'CPU busy %':>10} {'worker CPU s':>12} {'peak RSS MB':>11}"
    )
    for n, r in runs.items():
        print(
            f"{n:>7} {r['articles_per_s']:>10} {r['steady_articles_per_s']:>9} "
            f"{r['seconds']:>8} {r['errors']:>6} {r['peak_queue_pending']:>10} "
            f"{r['machine_cpu_busy_pct']:>10} {r['worker_cpu_s']:>12} "
            f"{r['peak_rss_worker_mb']:>11}"
        )
    out: dict[str, Any] = {
        "articles": args.articles,
        "sources": args.sources,
        "items_per_feed": items,
        "hosts": args.hosts,
        "host_min_gap_s": args.gap,
        "politeness_limit_requests_per_s": round(args.hosts / args.gap),
        "worker_command": " ".join(["newsdesk", *WORKER[3:], "--no-scheduler"]),
        "workers": runs,
    }
    one = runs.get("1", {})
    for n in ("2", "4"):
        if one and n in runs:
            out[f"ratio_{n}_over_1"] = round(runs[n]["articles_per_s"] / one["articles_per_s"], 2)
            out[f"steady_ratio_{n}_over_1"] = round(
                runs[n]["steady_articles_per_s"] / one["steady_articles_per_s"], 2
            )
    out["limit"] = (
        f"{cpus} cores shared by the workers, PostgreSQL, Redis, the mirror and the web "
        "process: past that many busy processes, more workers only queue for CPU; every "
        "story assignment also takes one database-wide lock and replays the others' "
        "articles in each worker's clusterer"
    )
    ratios = ", ".join(f"{k}: {v}" for k, v in out.items() if "ratio" in k)
    print(f"scaling: {ratios}\nlimit: {out['limit']}", flush=True)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """This part's options."""
    parser.add_argument("--articles", type=int, default=100_000, help="ingested per run")
    parser.add_argument("--workers", default="1,2,4", help="worker process counts")
    parser.add_argument("--sources", type=int, default=500, help="feeds in the mirror")
    parser.add_argument("--hosts", type=int, default=50, help="loopback hosts of the mirror")
    parser.add_argument("--gap", type=float, default=0.05, help="NEWSDESK_HOST_MIN_GAP")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per ingest run")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--keep", action="store_true", help="keep the databases at the end")
    parser.add_argument("--workdir", help="keep logs here (default: a temporary folder)")
    parser.set_defaults(skip_ingest=False, skip_site=True)
    args = parser.parse_args()
    args.workers = [int(n) for n in args.workers.split(",") if n.strip()]
    return run(args, ingest=ingest)


if __name__ == "__main__":
    sys.exit(main())
