"""Scale benchmark, part 2: the site on a large PostgreSQL archive.

1,000,000 articles by default. The scaled-out shape of the README's "Scaling out":
PostgreSQL and a Redis queue.

    python benchmarks/scale_site.py [--site-articles 1000000] [--web-workers 2]
                                    [--duration 5] [--repeat 2] [--slow-samples 20]
                                    [--explain-timeout 120] [--reuse] [--keep]
                                    [--workdir DIR]

The same as `python benchmarks/scale.py --skip-ingest` (scale.py runs scale_ingest.py's
part, then this one).

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, no password) and Redis at
127.0.0.1:6379; uses the database newsdesk_scale_site (made here, dropped at the end
unless --keep) and Redis database 13 (flushed).

site_archive.generate() fills newsdesk_scale_site with --site-articles articles
(stories: a fifth of that) through a COPY per batch, the full-text GIN indexes that the
migrations made dropped during the load and made again from their own definitions
(pg_indexes), so the schema stays the migrations' and every article is searchable as
after real ingest; then VACUUM ANALYZE (what autovacuum does after real ingest; the
related-stories query reads word frequencies from pg_stats). --reuse keeps a database
made by an earlier run with --keep. `newsdesk serve` (gunicorn, page cache off) is
measured at light load (one connection, wrk or site.py's asyncio client): front page,
story pages, searches (site_archive's search_paths) and article pages, the fastest of
--repeat runs. A page whose warm-up request takes over 10 s (wrk gives up at 10 s) is
timed one request at a time instead (--slow-samples, each cut off at 10 s, its SQL left
running in PostgreSQL cancelled); percentiles that fall on a cut-off request are null.
Then /metrics' page latency histogram, and the slowest SQL of one page of each kind
rendered in this process, with EXPLAIN ANALYZE (the plan alone for a statement over a
minute; statements are cut off after --explain-timeout).

Prints tables, the site goals (uncached story p99 < 100 ms, search p95 < 50 ms) and one
JSON line last. Every process started here is stopped on exit.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from scale_common import (
    SEED,
    SITE_DB,
    base_env,
    bench,
    database_exists,
    fresh_database,
    metrics,
    run,
    start_web,
    use_database,
)
from site_archive import generate, search_paths

TOO_SLOW = 10.0  # seconds: a page this slow is timed by single requests, not loaded
WARM_TIMEOUT = 30.0  # seconds a warm-up request may take


# --- part 2: the site on a large PostgreSQL archive ----------------------------------------


def copy_articles(batch: list[Any]) -> None:
    """Write unsaved Article objects with one COPY (what bulk_create would insert)."""
    from django.db import connection

    from newsdesk.stories.models import Article

    if not batch:
        return
    fields = [f for f in Article._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Article._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in batch:
            copy.write_row(
                [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
            )


def search_indexes() -> list[tuple[str, str]]:
    """The full-text (GIN) indexes the migrations made on the articles: (name, definition)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'stories_article' "
            "AND indexdef ILIKE '%% USING gin %%'"
        )
        return list(cursor.fetchall())


def generate_site(args: argparse.Namespace, stories: int, state: Path) -> dict[str, Any]:
    """A fresh archive in SITE_DB; the ids and topics measure() needs, also kept in ``state``."""
    from django.db import connection

    fresh_database(SITE_DB)
    use_database(SITE_DB)
    from newsdesk import runtime

    runtime.migrate()
    indexes = search_indexes()  # dropped for the load, made again as they were
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    made = generate(
        args.site_articles, stories, SEED, save_articles=copy_articles, story_batch=5000
    )
    timings["rows_s"] = time.perf_counter() - t0
    use_database(SITE_DB)  # generate() closed the connection
    t1 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            cursor.execute(definition)
    timings["search_index_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum_analyze_s"] = time.perf_counter() - t2
    made = {"articles": args.site_articles, "stories": stories, **made}
    state.write_text(json.dumps(made), encoding="utf-8")
    return {**made, "timings": {k: round(v, 1) for k, v in timings.items()}}


def database_size(name: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(%s)", [name])
        return round(cursor.fetchone()[0] / 2**20)


def sample_articles(rng: random.Random, n: int) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM stories_article")
        low, high = cursor.fetchone()
        wanted = [rng.randint(low, high) for _ in range(n * 2)]
        cursor.execute("SELECT id FROM stories_article WHERE id = ANY(%s)", [wanted])
        found = {row[0] for row in cursor.fetchall()}
    return [f"/article/{pk}" for pk in wanted if pk in found][:n]


def histogram(figures: dict[str, float]) -> dict[str, dict[str, Any]]:
    """newsdesk_request_duration_seconds per view: count, mean, and the buckets' p50/p95/p99
    (the upper bound of the bucket the quantile falls in)."""
    buckets: dict[str, list[tuple[float, float]]] = {}
    sums: dict[str, float] = {}
    for key, value in figures.items():
        found = re.fullmatch(r"newsdesk_request_duration_seconds_bucket\{(.*)\}", key)
        if found:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', found[1]))
            bound = float("inf") if labels["le"] == "+Inf" else float(labels["le"])
            buckets.setdefault(labels["view"], []).append((bound, value))
        found = re.fullmatch(r'newsdesk_request_duration_seconds_sum\{view="([^"]*)"\}', key)
        if found:
            sums[found[1]] = value
    out = {}
    for view, rows in buckets.items():
        rows.sort()
        count = rows[-1][1]
        if not count:
            continue

        def quantile(q: float, rows: list[tuple[float, float]] = rows, count: float = count) -> Any:
            bound = next(b for b, c in rows if c >= q * count)
            return "+Inf" if bound == float("inf") else round(bound * 1000)

        out[view] = {
            "count": int(count),
            "mean_ms": round(1000 * sums.get(view, 0.0) / count, 1),
            "p50_le_ms": quantile(0.5),
            "p95_le_ms": quantile(0.95),
            "p99_le_ms": quantile(0.99),
        }
    return out


def slowest_queries(pages: dict[str, Any], timeout_s: int) -> dict[str, Any]:
    """Render one page of each kind in this process and EXPLAIN its slowest SQL: with
    ANALYZE when the query took less than a minute (it runs again), the plan alone else.
    Statements are cut off after ``timeout_s``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = '{timeout_s}s'")
    for name, render in pages.items():
        error = ""
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            try:
                render()
            except Exception as err:  # a statement cut off by the timeout, most likely
                error = f"{type(err).__name__}: {str(err)[:200]}"
            total = time.perf_counter() - started
        slow = max(captured.captured_queries, key=lambda q: float(q["time"]))
        analyze = float(slow["time"]) < 60
        with connection.cursor() as cursor:
            cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + slow["sql"])
            plan = [row[0] for row in cursor.fetchall()]
        executed = next((line for line in plan if line.startswith("Execution Time")), "")
        out[name] = {
            "page_ms_in_process": round(1000 * total, 1),
            "error": error,
            "queries": len(captured.captured_queries),
            "slowest_query_ms": round(1000 * float(slow["time"]), 1),
            "slowest_sql": slow["sql"][:600],
            "explain_execution": executed or "(plan only: not run again)",
            "plan": plan[:25],
        }
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    return out


def timed_get(url: str, timeout: float) -> tuple[int | str, float]:
    """Status (or the error's name) and seconds of one GET."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status: int | str = response.status
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError as err:  # the client gave up: a timeout
        status = type(err).__name__
    return status, time.perf_counter() - started


def cancel_left_over_queries() -> None:
    """Cancel the web server's statements still running on the site database after its
    client gave up (gunicorn's worker timeout does not stop PostgreSQL's side), so they do
    not weigh on the next measurements."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid() AND state = 'active'",
            [SITE_DB],
        )


def one_by_one(base: str, paths: list[str], samples: int) -> dict[str, Any]:
    """Pages too slow for wrk: ``samples`` requests in turn, each cut off after TOO_SLOW
    seconds (and its left-over SQL cancelled); percentiles that fall on a cut-off request
    are None, and ``timeouts`` says how many there were. Three cut-offs in a row end it."""
    times: list[float] = []
    errors = timeouts = 0
    for path in paths[:samples]:
        status, took = timed_get(base + path, TOO_SLOW)
        if status == 200:
            times.append(took)
        else:
            cancel_left_over_queries()
            timeouts += isinstance(status, str)
            errors += not isinstance(status, str)
            times.append(float("inf"))
        if len(times) >= 3 and all(t == float("inf") for t in times[-3:]):
            break
    times.sort()

    def pct(p: float) -> float | None:
        value = times[min(len(times) - 1, int(p / 100 * len(times)))]
        return None if value == float("inf") else round(1000 * value, 2)

    done = [t for t in times if t != float("inf")]
    return {
        "rps": round(len(done) / sum(done), 2) if done else 0.0,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "errors": errors,
        "timeouts": timeouts,
        "sampled": len(times),
        "cut_off_s": TOO_SLOW,
        "one_by_one": True,
    }


def measure_site(
    args: argparse.Namespace, base: str, made: dict[str, Any], work: Path
) -> dict[str, dict]:
    from django.db import connection

    rng = random.Random(SEED)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM stories_story WHERE merged_into_id IS NULL AND article_count > 0"
        )
        live = [row[0] for row in cursor.fetchall()]
    scenarios = {
        "front page": ["/"],
        "story page": [f"/story/{pk}" for pk in rng.sample(live, min(2000, len(live)))],
        "search": search_paths(made["topics"], rng),
        "article page": sample_articles(rng, 2000),
    }
    warm: dict[str, list] = {}
    for name, paths in scenarios.items():
        for path in paths[:6]:  # warm each process, and see that the pages answer
            status, took = timed_get(base + path, WARM_TIMEOUT)
            warm.setdefault(name, []).append((status, round(took, 2)))
            if status != 200 or took > TOO_SLOW:
                cancel_left_over_queries()
                break
        print(f"  warm-up {name}: (status, seconds) {warm[name]}", flush=True)
    slow = {
        name
        for name in scenarios
        if any(status != 200 or took > TOO_SLOW for status, took in warm[name])
    }
    runs: dict[str, list[dict]] = {}
    for name in slow:  # wrk gives up on a request after 10 s: these are timed one by one
        print(f"  {name}: slower than {TOO_SLOW} s or failing: timed one request at a time")
        runs[name] = [one_by_one(base, scenarios[name], args.slow_samples)]
    for round_ in range(args.repeat):
        print(f"round {round_ + 1} of {args.repeat}", flush=True)
        for name, paths in scenarios.items():
            if name not in slow:
                runs.setdefault(name, []).append(bench.load(base, paths, 1, args.duration, work))
                bench.settle(base)
    best = {name: max(results, key=lambda r: r["rps"]) for name, results in runs.items()}
    for name, result in best.items():
        result["warmup"] = warm[name]
    return best


def site(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    stories = max(1, args.site_articles // 5)
    state = Path(tempfile.gettempdir()) / f"{SITE_DB}.json"
    t0 = time.perf_counter()
    made: dict[str, Any] | None = None
    if args.reuse and state.exists() and database_exists(SITE_DB):
        kept = json.loads(state.read_text(encoding="utf-8"))
        if kept.get("articles") == args.site_articles:
            made = kept
            use_database(SITE_DB)
            print(f"site: reusing {SITE_DB} ({args.site_articles} articles)", flush=True)
    if made is None:
        print(f"site: generating {args.site_articles} articles, {stories} stories", flush=True)
        made = generate_site(args, stories, state)
        print(f"  generated: {made['timings']}", flush=True)
    generate_s = time.perf_counter() - t0
    db_mb = database_size(SITE_DB)
    env = base_env(work, SITE_DB, {"NEWSDESK_PAGE_CACHE": "false"})
    base = start_web(env, work, args.web_workers, "web-site")
    results = measure_site(args, base, made, work)
    latency = histogram(metrics(base))
    print(f"\n{'page (1 connection)':22} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, r in results.items():
        ms = [f"{r[k]:>8.2f}" if r[k] is not None else f"{'-':>8}" for k in bench.LATENCIES]
        print(f"{name:22} {r['rps']:>7.0f} {' '.join(ms)}")
    print(f"/metrics page latency: {json.dumps(latency)}")
    explained = explain_pages(made, args.explain_timeout)
    for name, e in explained.items():
        print(f"slowest SQL of a {name}: {e['slowest_query_ms']} ms; {e['explain_execution']}")
        print("   " + e["slowest_sql"][:300] + (f"\n   error: {e['error']}" if e["error"] else ""))
        if e["slowest_query_ms"] > 50:
            print("\n".join("     " + line for line in e["plan"]))
    story_p99 = results["story page"]["p99_ms"]
    search_p95 = results["search"]["p95_ms"]
    goals = {
        "uncached_story_p99_under_100ms": story_p99 is not None and story_p99 < 100,
        "search_p95_under_50ms": search_p95 is not None and search_p95 < 50,
    }
    print(f"story p99 {story_p99} ms, search p95 {search_p95} ms; goals: {goals}", flush=True)
    short = {"front page": "front", "story page": "story", "search": "search"}
    short["article page"] = "article"
    figures: dict[str, Any] = {
        "articles": made["articles"],
        "stories": made["stories"],
        "database": "postgresql",
        "db_mb": db_mb,
        "generate_or_reuse_s": round(generate_s, 1),
        "generate_timings": made.get("timings", "reused"),
        "web_workers": args.web_workers,
        "client": "wrk" if shutil.which("wrk") else "asyncio-httpx",
    }
    for name, r in results.items():
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            figures[f"{short[name]}_{key}"] = r[key]
        figures[f"{short[name]}_rps"] = r["rps"]
        figures[f"{short[name]}_warmup_status_s"] = r["warmup"]
        if r.get("one_by_one"):
            for key in ("timeouts", "sampled", "cut_off_s"):
                figures[f"{short[name]}_{key}"] = r[key]
    figures["metrics_latency"] = latency
    figures["slowest_sql"] = {
        k: {
            x: v[x]
            for x in ("page_ms_in_process", "error", "slowest_query_ms", "explain_execution")
        }
        for k, v in explained.items()
    }
    return {"site_pg": figures, "goals": goals}


def explain_pages(made: dict[str, Any], timeout_s: int) -> dict[str, Any]:
    from newsdesk.site import data
    from newsdesk.stories.search import search

    rng = random.Random(SEED + 1)
    story = rng.choice(made["story_ids"])
    query = search_paths(made["topics"], rng, 1)[0].split("=", 1)[1].replace("+", " ")
    article = int(sample_articles(rng, 1)[0].rsplit("/", 1)[1])
    return slowest_queries(
        timeout_s=timeout_s,
        pages={
            "front page": data.front_page_data,
            "story page": lambda: data.load_story(None, story),
            f"search ({query})": lambda: search(query),
            "article page": lambda: data.load_article(None, article),
        },
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """This part's options."""
    parser.add_argument("--site-articles", type=int, default=1_000_000)
    parser.add_argument("--web-workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load run")
    parser.add_argument("--repeat", type=int, default=2, help="load runs; the fastest is kept")
    parser.add_argument(
        "--explain-timeout", type=int, default=120, help="seconds for one SQL statement"
    )
    parser.add_argument(
        "--slow-samples", type=int, default=20, help="requests of a page too slow for wrk"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse a kept site database")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--keep", action="store_true", help="keep the databases at the end")
    parser.add_argument("--workdir", help="keep logs here (default: a temporary folder)")
    parser.set_defaults(skip_ingest=True, skip_site=False)
    args = parser.parse_args()
    return run(args, site=site)


if __name__ == "__main__":
    sys.exit(main())
