"""Polite-fetch benchmark: many feeds on several loopback hosts, conditional polls.

    python benchmarks/fetch.py [--sources 10000] [--hosts 50] [--gap 0.05] [--threads 50]

It uses a fresh SQLite database in a temporary folder, or DATABASE_URL when set (give
it an empty database: the benchmark adds its sources there).

A local server (a separate process) answers on 127.0.0.1..127.0.0.N: each feed has
an ETag and answers 304 to a matching If-None-Match. The benchmark runs one full
poll cycle (200s, planting validators) and then a forced conditional cycle (304s),
and reports polls/s, each host's closest request spacing against its limit, the
most requests in flight on one host, CPU seconds used, and peak memory (this process,
and the largest of its finished worker processes). The machine's load average is
reported too: other jobs on the machine slow the figures down. Prints one JSON line last.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import queue
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

FEED = (
    b"<?xml version='1.0'?><rss version='2.0'><channel><title>Bench</title>"
    b"<link>http://bench/</link></channel></rss>"
)


def serve(hosts: list[str], port: int, log_queue: multiprocessing.Queue, ready) -> None:
    """Serve feeds on every host until killed; report (host, start, end) of each request.

    An asyncio server, so the stand-in for the remote sites costs little of the CPU the
    measured client needs.
    """
    import asyncio

    records: list[tuple[str, float, float]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                start = time.time()
                path = head.split(b" ", 2)[1]
                if path == b"/robots.txt":
                    status, body = b"200 OK", b"User-agent: *\nAllow: /\n"
                elif b'if-none-match: "v1"' in head.lower():
                    status, body = b"304 Not Modified", b""
                else:
                    status, body = b"200 OK", FEED
                writer.write(
                    b"HTTP/1.1 " + status + b'\r\nETag: "v1"\r\nContent-Type: '
                    b"application/rss+xml\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
                records.append((host, start, time.time()))
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def report() -> None:
        while True:
            await asyncio.sleep(0.5)
            if records:
                batch = records[:]
                del records[: len(batch)]
                log_queue.put(batch)

    async def main() -> None:
        for host in hosts:
            await asyncio.start_server(handle, host, port)
        ready.set()
        await report()

    asyncio.run(main())


def spacing(records: list[tuple[str, float, float]]) -> tuple[float, int]:
    """Closest start-to-start gap on any host, and most requests in flight on one host."""
    by_host: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for host, start, end in records:
        by_host[host].append((start, end))
    closest, in_flight = float("inf"), 0
    for spans in by_host.values():
        spans.sort()
        for (a, _), (b, _) in itertools.pairwise(spans):
            closest = min(closest, b - a)
        events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
        level = 0
        for _, step in events:
            level += step
            in_flight = max(in_flight, level)
    return closest, in_flight


def cpu_seconds() -> float:
    """CPU time of this process and its finished worker processes (not the server's)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def setup_django(data_dir: str, gap: float, threads: int) -> None:
    os.environ.update(
        {
            "NEWSDESK_DATA_DIR": data_dir,
            "NEWSDESK_ALLOW_PRIVATE_NETWORKS": "true",
            "NEWSDESK_HOST_MIN_GAP": str(gap),
            "NEWSDESK_FETCH_CONCURRENCY": str(threads),
            "NEWSDESK_LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "newsdesk.settings",
        }
    )
    import django

    django.setup()
    from newsdesk import runtime

    runtime.migrate()


def drain(log_queue: multiprocessing.Queue) -> list[tuple[str, float, float]]:
    """Every request record the server has sent, waiting until it goes quiet."""
    out: list = []
    while True:
        try:
            out.extend(log_queue.get(timeout=2.0))
        except queue.Empty:
            return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--gap", type=float, default=0.05, help="min seconds between requests")
    parser.add_argument("--threads", type=int, default=50)
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()

    hosts = [f"127.0.0.{i + 1}" for i in range(args.hosts)]
    log_queue: multiprocessing.Queue = multiprocessing.Queue()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve, args=(hosts, args.port, log_queue, ready), daemon=True
    )
    server.start()
    ready.wait(30)
    data_dir = tempfile.mkdtemp(prefix="newsdesk-bench-")
    setup_django(data_dir, args.gap, args.threads)
    from rich.console import Console

    from newsdesk.ingest.fetch_once import fetch_once
    from newsdesk.ingest.models import Source

    Source.objects.bulk_create(
        Source(url=f"http://{hosts[i % len(hosts)]}:{args.port}/feed/{i}.xml")
        for i in range(args.sources)
    )
    quiet = Console(file=open(os.devnull, "w"), highlight=False)  # noqa: SIM115  (as the CLI)
    figures: dict[str, object] = {
        "sources": args.sources,
        "hosts": args.hosts,
        "gap_limit_s": args.gap,
        "threads": args.threads,
    }
    figures["load_average_before"] = round(os.getloadavg()[0], 2)
    for name, force in (("first_cycle", False), ("conditional_cycle", True)):
        cpu_before, started = cpu_seconds(), time.perf_counter()
        failures = fetch_once(progress=False, force=force, console=quiet)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
        records = [r for r in drain(log_queue) if r]
        closest, in_flight = spacing(records)
        figures[name] = {
            "seconds": round(elapsed, 1),
            "polls_per_s": round(args.sources / elapsed, 1),
            "failures": failures,
            "requests_seen": len(records),
            "closest_gap_s": round(closest, 4),
            "max_in_flight_per_host": in_flight,
            "within_limits": closest >= args.gap * 0.999 and in_flight <= 1,
            "cpu_s": round(cpu, 1),
        }
        print(name, figures[name], file=sys.stderr)
    figures["load_average_after"] = round(os.getloadavg()[0], 2)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["peak_rss_worker_mb"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
    )
    from django.db import connection

    figures["database"] = connection.vendor  # SQLite in a temporary folder, or DATABASE_URL
    sqlite_file = Path(data_dir, "newsdesk.sqlite3")
    if sqlite_file.exists():
        figures["database_mb"] = round(sqlite_file.stat().st_size / 2**20, 1)
    server.terminate()
    print(json.dumps({"benchmark": "fetch", **figures}))


if __name__ == "__main__":
    main()
