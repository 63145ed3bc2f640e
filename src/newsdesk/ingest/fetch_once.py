"""`newsdesk fetch --once`: poll every due source now, in this process, then return."""

from __future__ import annotations

import logging

from django.utils import timezone
from rich.console import Console
from rich.progress import Progress

from newsdesk.ingest.service import Options, PollReport, due_sources, poll_source

log = logging.getLogger(__name__)


def _describe(report: PollReport, name: str) -> str:
    if report.outcome == "error":
        return f"[red]error[/red] {name}: {report.message}"
    line = f"ok {name}: {report.entries} items, {report.new_articles} new articles"
    if report.outcome == "not_modified":
        line = f"ok {name}: not modified"
    for failed in report.failed:
        line += f"\n  [yellow]skipped[/yellow] {failed.url}: {failed.message}"
    return line


def fetch_once(progress: bool = True, console: Console | None = None) -> int:
    """Poll due sources and their new articles; print one line per source; return failures."""
    console = console or Console(stderr=True, highlight=False)
    opts = Options.from_settings()
    sources = due_sources(timezone.now())
    failures = 0
    with opts.client() as client, Progress(console=console, disable=not progress) as bar:
        task = bar.add_task("polling sources", total=len(sources))
        for source in sources:
            bar.update(task, description=f"polling {source.title or source.url}"[:60])
            report = poll_source(source, client, timezone.now(), opts)
            failures += report.outcome == "error"
            bar.console.print(_describe(report, source.title or source.url))
            bar.advance(task)
    console.print(f"polled {len(sources)} sources, {failures} failed")
    return failures
