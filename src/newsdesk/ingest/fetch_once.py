"""`newsdesk fetch --once`: poll every due source now, in this process, then return.

Sources are grouped by host into lanes; lanes run in parallel threads (spread over
processes) while each host's requests stay within its politeness rules, so a slow or
paused host only delays its own sources. A lane polls its sources on one kept-alive
connection and writes their rows in batches (batch.Batch); its lines are printed
as each batch is written, so what is shown has been recorded.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from django.conf import settings
from django.db import connection
from django.utils import timezone
from rich.console import Console
from rich.progress import Progress

from newsdesk.ingest.models import Source
from newsdesk.ingest.service import Batch, Options, PollReport, due_sources, poll_source
from newsdesk.pipeline.urls import host_key

log = logging.getLogger(__name__)
FAILED = {"error", "robots", "gone"}
# A lane writes its polls' rows this many at a time, or this often (see batch.Batch).
BATCH_ROWS = 100
BATCH_SECONDS = 2.0

# What a lane hands over, a few polls at a time: (line to print, failed) per poll.
Emit = Callable[[list[tuple[str, bool]]], None]


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


def _run_lane(lane: list[Source], opts: Options, emit: Emit) -> None:
    """Poll a lane's sources in turn; hand over their lines once their rows are written."""
    batch = Batch(rows=BATCH_ROWS, seconds=BATCH_SECONDS)
    lines: list[tuple[str, bool]] = []
    try:
        with opts.client() as client:
            for source in lane:
                report = poll_source(source, client, timezone.now(), opts, batch=batch)
                lines.append(
                    (describe(report, source.title or source.url), report.outcome in FAILED)
                )
                if not batch.logs:
                    emit(lines)
                    lines = []
    finally:
        batch.flush()
        if lines:
            emit(lines)


def _run_lane_in_thread(lane: list[Source], opts: Options, emit: Emit) -> None:
    try:
        _run_lane(lane, opts, emit)
    finally:
        connection.close()  # each thread has its own connection; do not leak it


def _run_lanes(lane_list: list[list[Source]], opts: Options, threads: int, emit: Emit) -> None:
    if threads <= 1 or len(lane_list) <= 1:
        for lane in lane_list:
            _run_lane(lane, opts, emit)
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="fetch") as pool:
        futures = [pool.submit(_run_lane_in_thread, lane, opts, emit) for lane in lane_list]
        for future in futures:
            future.result()


# In a child process: the queue its lines go to. A queue reaches a child only by
# inheritance, so it is handed over when the process starts, not with each task.
_CHILD: dict[str, multiprocessing.Queue] = {}


def _child_init(lines: multiprocessing.Queue) -> None:
    _CHILD["lines"] = lines


def _lanes_in_process(group: list[list[Source]], opts: Options, threads: int) -> None:
    """Run in a child process: its share of the lanes, on its own connections."""
    lines = _CHILD["lines"]
    connection.close()  # never share the parent's connection across a fork
    try:
        _run_lanes(group, opts, threads, lines.put)
    finally:
        connection.close()
        lines.put(None)  # this group is done


def _split(lane_list: list[list[Source]], parts: int) -> list[list[list[Source]]]:
    groups: list[list[list[Source]]] = [[] for _ in range(parts)]
    for i, lane in enumerate(lane_list):  # biggest first, dealt round-robin
        groups[i % parts].append(lane)
    return [g for g in groups if g]


def _all_lanes(
    lane_list: list[list[Source]], opts: Options, threads: int, processes: int, emit: Emit
) -> None:
    if processes <= 1 or len(lane_list) < 2:
        _run_lanes(lane_list, opts, threads, emit)
        return
    per_process = max(1, threads // processes)
    connection.close()
    context = multiprocessing.get_context("fork")
    lines: multiprocessing.Queue = context.Queue()
    with ProcessPoolExecutor(
        max_workers=processes, mp_context=context, initializer=_child_init, initargs=(lines,)
    ) as pool:
        groups = _split(lane_list, processes)
        futures = [pool.submit(_lanes_in_process, group, opts, per_process) for group in groups]
        running = len(futures)
        while running:
            try:
                item = lines.get(timeout=1.0)
            except queue.Empty:
                for future in futures:
                    if future.done():
                        future.result()  # a child that died raises here
                continue
            if item is None:
                running -= 1
            else:
                emit(item)
        for future in futures:
            future.result()


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
    lock = threading.Lock()  # lanes of this process hand over lines from their threads
    with Progress(console=console, disable=not progress) as bar:
        task = bar.add_task("polling sources", total=len(sources))

        def show(lines: list[tuple[str, bool]]) -> None:
            nonlocal failures
            with lock:
                for line, failed in lines:
                    failures += failed
                    bar.console.print(line)
                bar.advance(task, len(lines))

        _all_lanes(lanes(sources), opts, threads, processes, show)
    console.print(f"polled {len(sources)} sources, {failures} failed")
    return failures
