"""`newsdesk fetch --once`: poll every due source now, in this process, then return.

Sources are grouped by host into lanes; lanes run in parallel threads while each
host's requests stay within its politeness rules, so a slow or paused host only
delays its own sources.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed

from django.conf import settings
from django.db import connection
from django.utils import timezone
from rich.console import Console
from rich.progress import Progress

from newsdesk.ingest.models import Source
from newsdesk.ingest.service import Options, PollReport, due_sources, poll_source
from newsdesk.pipeline.urls import host_key

log = logging.getLogger(__name__)
FAILED = {"error", "robots", "gone"}


def describe(report: PollReport, name: str) -> str:
    """One line (plus one per failed item) telling what a poll did."""
    if report.outcome in FAILED | {"waiting"}:
        colour = "yellow" if report.outcome == "waiting" else "red"
        return f"[{colour}]{report.outcome}[/{colour}] {name}: {report.message}"
    line = f"ok {name}: {report.entries} items, {report.new_articles} new articles"
    if report.outcome == "not_modified":
        line = f"ok {name}: not modified"
    for failed in report.failed:
        line += f"\n  [yellow]skipped[/yellow] {failed.url}: {failed.message}"
    deferred = sum(1 for r in report.results if r.outcome == "deferred")
    if deferred:
        line += f"\n  {deferred} items left for the next poll (host busy)"
    return line


def lanes(sources: list[Source]) -> list[list[Source]]:
    """Sources grouped by host, biggest group first (it takes longest)."""
    by_host: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_host[host_key(source.url)].append(source)
    return sorted(by_host.values(), key=len, reverse=True)


def _run_lane(lane: list[Source], opts: Options) -> list[tuple[Source, PollReport]]:
    with opts.client() as client:
        return [(s, poll_source(s, client, timezone.now(), opts)) for s in lane]


def _run_lane_in_thread(lane: list[Source], opts: Options) -> list[tuple[Source, PollReport]]:
    try:
        return _run_lane(lane, opts)
    finally:
        connection.close()  # each thread has its own connection; do not leak it


def _reports(
    lane_list: list[list[Source]], opts: Options, threads: int
) -> Iterator[tuple[Source, PollReport]]:
    if threads <= 1 or len(lane_list) <= 1:
        for lane in lane_list:
            yield from _run_lane(lane, opts)
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="fetch") as pool:
        futures = [pool.submit(_run_lane_in_thread, lane, opts) for lane in lane_list]
        for future in as_completed(futures):
            yield from future.result()


def _lanes_in_process(
    group: list[list[Source]], opts: Options, threads: int
) -> list[tuple[Source, PollReport]]:
    """Run in a child process: its share of the lanes, on its own connections."""
    connection.close()  # never share the parent's connection across a fork
    try:
        return list(_reports(group, opts, threads))
    finally:
        connection.close()


def _split(lane_list: list[list[Source]], parts: int) -> list[list[list[Source]]]:
    groups: list[list[list[Source]]] = [[] for _ in range(parts)]
    for i, lane in enumerate(lane_list):  # biggest first, dealt round-robin
        groups[i % parts].append(lane)
    return [g for g in groups if g]


def _all_reports(
    lane_list: list[list[Source]], opts: Options, threads: int, processes: int
) -> Iterator[tuple[Source, PollReport]]:
    if processes <= 1 or len(lane_list) < 2:
        yield from _reports(lane_list, opts, threads)
        return
    per_process = max(1, threads // processes)
    connection.close()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        futures = [
            pool.submit(_lanes_in_process, group, opts, per_process)
            for group in _split(lane_list, processes)
        ]
        for future in as_completed(futures):
            yield from future.result()


def fetch_once(
    progress: bool = True,
    force: bool = False,
    console: Console | None = None,
    threads: int | None = None,
    processes: int | None = None,
) -> int:
    """Poll due (or, with ``force``, all) sources and their new articles; return failures.

    Hosts run in parallel lanes: ``threads`` of them at once, spread over ``processes``
    (0 = one per core) so that parsing and extraction use every core.
    """
    console = console or Console(stderr=True, highlight=False)
    opts = Options.from_settings()
    sources = due_sources(timezone.now(), force=force)
    if threads is None:
        threads = settings.NEWSDESK["NEWSDESK_FETCH_CONCURRENCY"]
    if processes is None:
        processes = settings.NEWSDESK["NEWSDESK_FETCH_PROCESSES"] or os.cpu_count() or 1
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        threads = processes = 1  # an in-memory database is private to its thread
    failures = 0
    with Progress(console=console, disable=not progress) as bar:
        task = bar.add_task("polling sources", total=len(sources))
        for source, report in _all_reports(lanes(sources), opts, threads, processes):
            failures += report.outcome in FAILED
            bar.console.print(describe(report, source.title or source.url))
            bar.advance(task)
    console.print(f"polled {len(sources)} sources, {failures} failed")
    return failures
