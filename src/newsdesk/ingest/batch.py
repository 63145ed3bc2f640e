"""Feed polls' outcomes written in batches: the source fields a poll changed and its
fetch-log rows, in one short transaction of plain SQL (the polling hot path)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection

from newsdesk import dbwrite
from newsdesk.ingest.models import FetchLog, Source


def log_fetch(
    source: Source, stage: str, url: str, started: float, now: datetime, **kw: Any
) -> None:
    fetch_log(source, stage, url, started, now, **kw).save()


def fetch_log(
    source: Source, stage: str, url: str, started: float, now: datetime, **kw: Any
) -> FetchLog:
    duration = int((time.monotonic() - started) * 1000)
    return FetchLog(
        source_id=source.pk,
        stage=stage,
        url=url[:2000],
        started_at=now,
        duration_ms=duration,
        **kw,
    )


# The source fields a poll may change. Only those it did change are written, so a poll
# does not undo what an editor changed meanwhile in another field.
POLL_FIELDS = (
    "url",
    "kind",
    "title",
    "site_url",
    "active",
    "retired_reason",
    "etag",
    "last_modified",
    "last_fetched_at",
    "last_success_at",
    "next_fetch_at",
    "last_status",
    "last_error",
    "error_count",
    "poll_minutes",
)


def poll_values(source: Source) -> dict[str, Any]:
    return {name: getattr(source, name) for name in POLL_FIELDS}


def changed_fields(source: Source, before: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in poll_values(source).items() if v != before[k]}


class Batch:
    """Feed polls' outcomes (changed source fields, fetch log rows), written together.

    Written at once by default. A lane of ``fetch --once`` polls thousands of feeds, and
    one transaction per poll made the database its bottleneck, so it keeps ``rows`` polls
    (or ``seconds`` of them) and writes them in one transaction. Articles are never held
    back here; a process that dies loses at most one batch of log rows and schedule
    updates, and those sources are simply polled again.
    """

    def __init__(self, rows: int = 1, seconds: float = 0.0) -> None:
        self.rows, self.seconds = rows, seconds
        self.updates: list[tuple[int, dict[str, Any]]] = []
        self.logs: list[FetchLog] = []
        self.since = time.monotonic()

    def add(self, source_id: int, fields: dict[str, Any], row: FetchLog) -> None:
        """Keep one poll's outcome; write the batch when it is full or old enough."""
        if not self.logs:
            self.since = time.monotonic()
        self.updates.append((source_id, fields))
        self.logs.append(row)
        if len(self.logs) >= self.rows or time.monotonic() - self.since >= self.seconds:
            self.flush()

    def flush(self) -> None:
        """Write what is kept, in one transaction."""
        if not self.logs:
            return
        updates, logs = self.updates, self.logs
        self.updates, self.logs = [], []
        try:
            _write(updates, logs)
        except IntegrityError:  # a source was deleted meanwhile (in the admin)
            alive = set(
                Source.objects.filter(pk__in={r.source_id for r in logs}).values_list(
                    "pk", flat=True
                )
            )
            _write(updates, [r for r in logs if r.source_id in alive])


Statement = tuple[str, list[list[Any]]]  # SQL, and a parameter row per run


def _write(updates: list[tuple[int, dict[str, Any]]], logs: list[FetchLog]) -> None:
    """Run a batch's statements in one transaction.

    They are prepared first, so the transaction holds the database's write lock (SQLite
    has one for the whole file) only while they run.
    """
    statements = _source_updates(updates) + _log_inserts(logs)
    with dbwrite.write(), connection.cursor() as cursor:
        for sql, rows in statements:
            cursor.executemany(sql, rows)


# Plain SQL below names columns by their fields' (attribute) names: no db_column here.
_SOURCE_FIELDS = {f.name: f for f in Source._meta.concrete_fields}
_LOG_FIELDS = [f for f in FetchLog._meta.concrete_fields if not f.primary_key]


def _source_updates(updates: list[tuple[int, dict[str, Any]]]) -> list[Statement]:
    """One UPDATE per set of changed fields, run for many rows (plain SQL: the hot path)."""
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
    for pk, fields in updates:
        if fields:
            groups.setdefault(tuple(fields), []).append((pk, fields))
    quote = connection.ops.quote_name
    table = quote(Source._meta.db_table)
    statements: list[Statement] = []
    for names, rows in groups.items():
        columns = [_SOURCE_FIELDS[name] for name in names]
        values = [
            [c.get_db_prep_save(fields[c.name], connection) for c in columns] + [pk]
            for pk, fields in rows
        ]
        sets = ", ".join(f"{quote(name)} = %s" for name in names)
        statements.append((f"UPDATE {table} SET {sets} WHERE {quote('id')} = %s", values))
    return statements


def _log_inserts(logs: list[FetchLog]) -> list[Statement]:
    """Multi-row INSERTs of fetch log rows: one statement runs for many rows."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.attname) for f in _LOG_FIELDS)
    one = "(" + ", ".join(["%s"] * len(_LOG_FIELDS)) + ")"
    size = max(1, connection.ops.bulk_batch_size(_LOG_FIELDS, logs))
    statements: list[Statement] = []
    for start in range(0, len(logs), size):
        chunk = logs[start : start + size]
        params = [
            f.get_db_prep_save(f.pre_save(r, True), connection) for r in chunk for f in _LOG_FIELDS
        ]
        sql = f"INSERT INTO {quote(FetchLog._meta.db_table)} ({columns}) VALUES " + ", ".join(
            [one] * len(chunk)
        )
        statements.append((sql, [params]))
    return statements
