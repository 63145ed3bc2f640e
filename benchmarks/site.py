"""Benchmark of the public site: the production server and nginx on a large synthetic archive.

    python benchmarks/site.py [--articles 100000] [--stories N] [--duration 5] [--repeat 3]
                              [--connections 16] [--workers 2] [--workdir DIR]

1. Generates a SQLite database of synthetic news (default 100,000 articles in 20,000
   stories from 40 outlets over 60 days; titles and text drawn from a word list with
   word frequencies falling off as in real text, plus made-up names of people and places
   so that stories have rare words of their own). The full-text index is filled by the
   triggers the migrations install, as when articles are stored one by one.
2. Starts `newsdesk serve` twice (gunicorn, --workers each): one with the page cache off
   (uncached figures), one with it on, and nginx with docs/deploy/nginx.conf in front of
   the second, plus a plain nginx server sending a copy of the front page as a static file.
3. Loads each with wrk (or, without wrk, a small asyncio client) on loopback, at two
   loads: "light" (one connection: the time a request takes on an idle server) and
   "heavy" (--connections: throughput, and latency with requests queueing). Scenarios:
   front page, a story page and a search, uncached (cache off; story pages and searches
   vary per request) and cached (through nginx and from gunicorn directly), and the
   static copy.

Each measurement is the fastest of --repeat runs, made in rounds over all scenarios
(other work on the machine only ever slows a run down). Prints a table, the goals
(cached through nginx >= 50% of static nginx req/s; uncached story p99 < 100 ms and
search p95 < 50 ms, at the light load) and one JSON line last. Every process started
here is stopped on exit. Client and servers share the machine's cores, as on a small
single-machine deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
NGINX_CONF = ROOT / "docs" / "deploy" / "nginx.conf"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from site_archive import generate, search_paths  # noqa: E402  (beside this script)

SEED = 7
# --- the database --------------------------------------------------------------------------


def django_setup(data_dir: Path) -> None:
    os.environ.update(server_env(data_dir, "", True))
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsdesk.settings"
    import django

    django.setup()


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, site_url: str, page_cache: bool) -> dict[str, str]:
    return {
        "NEWSDESK_DATA_DIR": str(data_dir),
        "NEWSDESK_SECRET_KEY": "benchmark-" + "x" * 50,
        "DATABASE_URL": "",
        "NEWSDESK_SITE_URL": site_url,
        "NEWSDESK_PAGE_CACHE": "true" if page_cache else "false",
        "NEWSDESK_ALLOWED_HOSTS": "*",
        "NEWSDESK_LOG_LEVEL": "WARNING",
    }


class Processes:
    """Every process started here, each in its own process group, stopped on exit."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], log: Path, **kwargs: Any) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
            )
        self.started.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.started:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def serve(
    procs: Processes,
    data_dir: Path,
    port: int,
    workers: int,
    site_url: str,
    page_cache: bool,
    log: Path,
) -> None:
    """`newsdesk serve`, as in production."""
    env = {**os.environ, **server_env(data_dir, site_url, page_cache)}
    args = [sys.executable, "-m", "newsdesk", "serve", "--host", "127.0.0.1", "--port", str(port)]
    procs.start([*args, "--workers", str(workers)], log, env=env)


def nginx_conf(work: Path, data_dir: Path, app_port: int, port: int, static_port: int) -> Path:
    """docs/deploy/nginx.conf with this run's paths and ports, in a small nginx.conf."""
    import newsdesk.site

    static = Path(newsdesk.site.__file__).parent / "static"
    block = NGINX_CONF.read_text(encoding="utf-8")
    for old, new in [
        ("/var/lib/newsdesk", str(data_dir)),
        ("/opt/newsdesk/site-static", str(static)),
        ("127.0.0.1:8000", f"127.0.0.1:{app_port}"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
    ]:
        if old not in block:
            raise SystemExit(f"{NGINX_CONF} no longer contains {old!r}: update this benchmark")
        block = block.replace(old, new)
    prefix = work / "nginx"
    (prefix / "static").mkdir(parents=True, exist_ok=True)
    (prefix / "newsdesk.conf").write_text(block, encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""
    temps = "".join(
        f"    {name}_temp_path {prefix / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = f"""{user}worker_processes auto;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    types {{ text/html html; text/css css; }}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
{temps}    include {prefix / "newsdesk.conf"};
    # The baseline: the same front page as a plain static file.
    server {{
        listen 127.0.0.1:{static_port};
        root {prefix / "static"};
    }}
}}
"""
    conf = prefix / "nginx.conf"
    conf.write_text(main, encoding="utf-8")
    return conf


def wait_for(url: str, timeout: float = 60) -> None:
    """Until the server answers at all."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def get(
    url: str, headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET (a POST with ``data``)."""
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


# --- load ----------------------------------------------------------------------------------

LATENCIES = ("p50_ms", "p95_ms", "p99_ms")
WRK_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def run_wrk(base: str, paths: list[str], connections: int, duration: float, work: Path) -> dict:
    shuffled = random.Random(SEED).sample(paths, len(paths))
    script = work / f"wrk-{len(list(work.glob('wrk-*.lua')))}.lua"
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in shuffled), encoding="utf-8")
    threads = min(2, connections)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(duration))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    requests, micros, errors, p50, p95, p99 = (int(v) for v in line.split()[1:])
    if not requests:  # nothing came back in time: no latency to speak of
        return {"rps": 0.0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "errors": errors}
    return {
        "rps": round(requests / (micros / 1e6), 1),
        "p50_ms": round(p50 / 1000, 2),
        "p95_ms": round(p95 / 1000, 2),
        "p99_ms": round(p99 / 1000, 2),
        "errors": errors,
    }


async def _client(base: str, paths: list[str], connections: int, duration: float) -> dict:
    """A small keep-alive HTTP/1.1 load generator, for machines without wrk."""
    import httpx

    latencies: list[float] = []
    errors = 0
    end = time.monotonic() + duration
    counter = iter(range(10**12))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.monotonic() < end:
            path = paths[next(counter) % len(paths)]
            start = time.perf_counter()
            try:
                response = await client.get(base + path)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - start)
            errors += not ok

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        started = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        elapsed = time.monotonic() - started
    latencies.sort()
    if not latencies:
        return {"rps": 0.0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "errors": errors}

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 2)

    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "errors": errors,
    }


def load(base: str, paths: list[str], connections: int, duration: float, work: Path) -> dict:
    if shutil.which("wrk"):
        return run_wrk(base, paths, connections, duration, work)
    return asyncio.run(_client(base, paths, connections, duration))


# --- the run -------------------------------------------------------------------------------


def check(ok: bool, message: str) -> None:
    if not ok:
        raise SystemExit(f"benchmark setup failed: {message}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--stories", type=int, default=0, help="default: articles / 5")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--connections", type=int, default=16, help="of the heavy load")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per measurement; the fastest is kept"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="per server")
    parser.add_argument("--workdir", help="keep the database and logs here (default: temp)")
    args = parser.parse_args()
    stories = args.stories or max(1, args.articles // 5)

    work = Path(args.workdir or tempfile.mkdtemp(prefix="newsdesk-site-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)  # nginx's workers read the page cache in here
    data_dir = work / "data"
    data_dir.mkdir(exist_ok=True)
    data_dir.chmod(0o755)
    procs = Processes()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(args, stories, work, data_dir, procs)
    finally:
        procs.stop()
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


def start_servers(args: argparse.Namespace, work: Path, data_dir: Path, procs: Processes) -> dict:
    """Two `newsdesk serve` (page cache off, on), nginx in front of the second, and the
    static baseline; their base URLs, once they answer."""
    plain_port, cached_port = free_port(), free_port()
    nginx_port, static_port = free_port(), free_port()
    site_url = f"http://127.0.0.1:{nginx_port}"
    serve(procs, data_dir, plain_port, args.workers, site_url, False, work / "serve-plain.log")
    serve(procs, data_dir, cached_port, args.workers, site_url, True, work / "serve-cached.log")
    conf = nginx_conf(work, data_dir, cached_port, nginx_port, static_port)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    procs.start(
        [nginx, "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"], work / "nginx.log"
    )
    urls = {
        "plain": f"http://127.0.0.1:{plain_port}",
        "cached": f"http://127.0.0.1:{cached_port}",
        "proxy": f"http://127.0.0.1:{nginx_port}",
        "static": f"http://127.0.0.1:{static_port}",
        "static_dir": conf.parent / "static",
    }
    for name in ("plain", "cached", "proxy", "static"):
        wait_for(urls[name] + "/healthz")
    return urls


def verify(urls: dict, one_story: str, search: str) -> None:
    """Warm the cache through nginx, copy the front page for the static baseline, and check
    that every server sends what it should: the same bytes and validators from the cache."""
    proxy, cached, plain = urls["proxy"], urls["cached"], urls["plain"]
    status, headers, front = get(proxy + "/")
    check(status == 200 and "X-Page-Cache" not in headers, f"first front page: {status}")
    (urls["static_dir"] / "index.html").write_bytes(front)
    get(proxy + one_story)
    for base, path in [(proxy, "/"), (proxy, one_story), (cached, "/"), (cached, one_story)]:
        _, headers, _ = get(base + path)
        check(headers.get("X-Page-Cache") == "hit", f"{base}{path} was not a cache hit")
    _, from_nginx, body = get(proxy + "/")
    _, from_django, body2 = get(cached + "/")
    check(body == body2 == front, "nginx and gunicorn send different cached front pages")
    check(from_nginx["ETag"] == from_django["ETag"], "nginx and gunicorn disagree on the ETag")
    status, _, _ = get(proxy + "/", {"If-None-Match": from_django["ETag"]})
    check(status == 304, f"nginx answered {status} to gunicorn's ETag")
    status, plain_headers, _ = get(plain + "/")
    check(status == 200 and "X-Page-Cache" not in plain_headers, "uncached front page")
    for path in ["/", one_story, f"{one_story}.json", f"{one_story}/feed.rss", "/robots.txt"]:
        get(proxy + path)
        sent = [get(base + path)[1] for base in (plain, proxy, cached)]
        types = {headers["Content-Type"] for headers in sent}
        check(len(types) == 1, f"{path}: the servers send different types: {types}")
        check(sent[1].get("X-Page-Cache") == "hit", f"{path} is not cached by nginx")
    status, _, _ = get(plain + search)
    check(status == 200, f"search: {status}")
    # What the cache must not answer, nginx passes on: query strings, POSTs, odd paths.
    status, headers, _ = get(proxy + "/?page=1")
    check(status == 200 and "X-Page-Cache" not in headers, "nginx answered /?page=1 from cache")
    status, _, _ = get(proxy + one_story + "/")
    check(status == 404, f"nginx answered {one_story}/ with {status}, not Django's 404")
    status, headers, _ = get(proxy + "/", data=b"x=1")  # Django: 403 (CSRF) or 405
    check(status >= 400 and "X-Page-Cache" not in headers, f"nginx answered a POST: {status}")


def settle(base: str, quick_ms: float = 50.0, timeout: float = 60.0) -> None:
    """Wait until the server has worked off what the last load left queued: the load
    generator stops sending at the end of its run, but requests already waiting in the
    server's listen queue are still answered, and would be counted against the next run."""
    deadline = time.monotonic() + timeout
    quick = 0
    while quick < 3 and time.monotonic() < deadline:
        started = time.perf_counter()
        get(base + "/healthz")
        quick = quick + 1 if (time.perf_counter() - started) * 1000 < quick_ms else 0


def measure(args: argparse.Namespace, urls: dict, made: dict, work: Path) -> dict:
    rng = random.Random(SEED)
    story_ids = made["story_ids"]
    one_story = f"/story/{story_ids[len(story_ids) // 2]}"
    many_stories = [f"/story/{pk}" for pk in rng.sample(story_ids, min(2000, len(story_ids)))]
    searches = search_paths(made["topics"], rng)
    verify(urls, one_story, searches[0])
    plain, cached, proxy = urls["plain"], urls["cached"], urls["proxy"]
    scenarios = [
        ("front page, uncached", plain, ["/"]),
        ("story page, uncached", plain, many_stories),
        ("search", plain, searches),
        ("front page, cached, nginx", proxy, ["/"]),
        ("story page, cached, nginx", proxy, [one_story]),
        ("front page, cached, gunicorn", cached, ["/"]),
        ("story page, cached, gunicorn", cached, [one_story]),
        ("front page, static file, nginx", urls["static"], ["/index.html"]),
    ]
    levels = {"light": 1, "heavy": args.connections}
    runs: dict[tuple[str, str], list[dict]] = {}
    # Rounds over every scenario, so that each one's runs are spread over the whole
    # benchmark and a busy moment on the machine does not fall on one scenario only.
    for round_ in range(args.repeat):
        print(f"round {round_ + 1} of {args.repeat}", flush=True)
        for name, base, paths in scenarios:
            for level, connections in levels.items():
                run = load(base, paths, connections, args.duration, work)
                runs.setdefault((name, level), []).append(run)
                settle(base)
    results: dict[str, dict[str, dict]] = {}
    print(
        f"\n{'scenario':34} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6}"
    )
    for name, _, _ in scenarios:
        for level, connections in levels.items():
            r = max(runs[name, level], key=lambda run: run["rps"])
            results.setdefault(name, {})[level] = r
            ms = [f"{r[k]:>8.2f}" if r[k] is not None else f"{'-':>8}" for k in LATENCIES]
            print(f"{name:34} {connections:>5} {r['rps']:>9.0f} {' '.join(ms)} {r['errors']:>6}")
    return results


def run(
    args: argparse.Namespace, stories: int, work: Path, data_dir: Path, procs: Processes
) -> int:
    t0 = time.perf_counter()
    django_setup(data_dir)
    made = generate(args.articles, stories, SEED)
    generated_s = time.perf_counter() - t0
    db_mb = (data_dir / "newsdesk.sqlite3").stat().st_size / 1e6
    print(
        f"generated {args.articles} articles, {stories} stories in {generated_s:.0f} s "
        f"({db_mb:.0f} MB)",
        flush=True,
    )
    urls = start_servers(args, work, data_dir, procs)
    results = measure(args, urls, made, work)

    def rps(name: str) -> float:
        return float(results[name]["heavy"]["rps"])

    nginx_static = rps("front page, static file, nginx") or 1.0
    ratios = {
        f"{page}_{server}": round(rps(f"{page} page, cached, {server}") / nginx_static, 3)
        for page in ("front", "story")
        for server in ("nginx", "gunicorn")
    }
    story_p99 = results["story page, uncached"]["light"]["p99_ms"]
    search_p95 = results["search"]["light"]["p95_ms"]
    goals = {
        "cached_nginx_at_least_half_of_static": min(ratios["front_nginx"], ratios["story_nginx"])
        >= 0.5,
        "uncached_story_p99_under_100ms": story_p99 is not None and story_p99 < 100,
        "search_p95_under_50ms": search_p95 is not None and search_p95 < 50,
    }
    print(f"\ncached / static nginx req/s (heavy load): {ratios}")
    print(f"uncached story p99 {story_p99} ms, search p95 {search_p95} ms (light load)")
    print(f"goals: {goals}")
    summary = {
        "benchmark": "site",
        "articles": args.articles,
        "stories": stories,
        "generate_s": round(generated_s, 1),
        "db_mb": round(db_mb),
        "workers": args.workers,
        "connections": {"light": 1, "heavy": args.connections},
        "duration_s": args.duration,
        "repeat": args.repeat,
        "client": "wrk" if shutil.which("wrk") else "asyncio-httpx",
        "cores": os.cpu_count(),
        "results": results,
        "cached_over_static": ratios,
        "goals": goals,
    }
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
