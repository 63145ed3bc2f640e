"""The embedded SQLite job queue, acknowledging a job only once it has finished.

huey's SQLite storage deletes a job from its table before running it, so a worker killed
mid-job (SIGKILL, out of memory, a power cut) takes the job with it. Here taking a job
moves it, in one transaction, from ``task`` to ``inflight`` under its process's name, and
only the end of the job deletes it from there. Each process notes a heartbeat in
``owner``; any live process that finds an owner whose heartbeat is older than
``heartbeat`` seconds puts that owner's jobs back on the queue, in one transaction, so
they go back once. Jobs may therefore run twice after a crash, never zero times: every
newsdesk job is idempotent. Jobs whose time has come move from the schedule to the queue
in one transaction too, so a scheduler that dies in between loses nothing.

The same design as the Redis queue (:mod:`newsdesk.queue`), on the one machine that
shares the SQLite file.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from huey import SqliteHuey
from huey.storage import SqliteStorage

from newsdesk.queue import AckingHuey, HeartbeatOwner

log = logging.getLogger(__name__)

_INFLIGHT = (
    "create table if not exists inflight (id integer not null primary key autoincrement, "
    "queue text not null, data blob not null, priority real not null default 0.0, "
    "owner text not null)"
)
_INFLIGHT_INDEX = "create index if not exists inflight_queue_owner on inflight (queue, owner)"
_OWNER = (
    "create table if not exists owner (queue text not null, owner text not null, "
    "beat real not null, primary key (queue, owner))"
)


class AckedSqliteStorage(HeartbeatOwner, SqliteStorage):
    """SqliteStorage whose jobs stay in flight, per process, until acknowledged."""

    ddl = [*SqliteStorage.ddl, _INFLIGHT, _INFLIGHT_INDEX, _OWNER]

    def __init__(self, *args: Any, heartbeat: float = 30.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_owner(heartbeat)

    def _beat(self) -> None:
        self.sql(
            "insert or replace into owner (queue, owner, beat) values (?, ?, ?)",
            (self.name, self.owner, time.time()),
            commit=True,
        )

    def recover(self) -> int:
        """Put the jobs of stopped processes back on the queue; how many were put back."""
        stale = time.time() - self.heartbeat
        # A read first: the write lock is taken only when some owner has gone quiet.
        if not self.sql(
            "select 1 from owner where queue = ? and beat < ? limit 1",
            (self.name, stale),
            results=True,
        ):
            return 0
        with self.db(commit=True) as curs:
            curs.execute("select owner from owner where queue = ? and beat < ?", (self.name, stale))
            owners = [row[0] for row in curs.fetchall()]
            moved = 0
            for owner in owners:
                curs.execute(
                    "insert into task (queue, data, priority) select queue, data, priority "
                    "from inflight where queue = ? and owner = ? order by id",
                    (self.name, owner),
                )
                moved += max(curs.rowcount, 0)
                curs.execute(
                    "delete from inflight where queue = ? and owner = ?", (self.name, owner)
                )
                curs.execute("delete from owner where queue = ? and owner = ?", (self.name, owner))
        if moved:
            log.warning("put back %d jobs left in flight by stopped workers", moved)
        return moved

    # -------------------------------------------------------------- the queue

    def dequeue(self) -> bytes | None:
        """The next job, noted in flight for this process (None when the queue is empty)."""
        owner = self._ensure_owner()
        if not self.sql("select 1 from task where queue = ? limit 1", (self.name,), results=True):
            return None
        with self.db(commit=True) as curs:
            curs.execute(
                "select id, data, priority from task where queue = ? "
                "order by priority desc, id limit 1",
                (self.name,),
            )
            row = curs.fetchone()
            if row is None:
                return None
            task_id, data, priority = row
            curs.execute("delete from task where id = ?", (task_id,))
            curs.execute(
                "insert into inflight (queue, data, priority, owner) values (?, ?, ?, ?)",
                (self.name, data, priority, owner),
            )
            self._local.job = curs.lastrowid
            # Beat with the take: an owner is never listed in flight without a fresh beat.
            curs.execute(
                "insert or replace into owner (queue, owner, beat) values (?, ?, ?)",
                (self.name, owner, time.time()),
            )
        return bytes(data)

    def ack(self) -> None:
        """The job this thread took is done: forget it."""
        job = getattr(self._local, "job", None)
        if job is not None:
            self._local.job = None
            self.sql("delete from inflight where id = ?", (job,), commit=True)

    def in_flight(self) -> int:
        """Jobs taken by workers and not yet acknowledged, over every process."""
        rows = self.sql("select count(*) from inflight where queue = ?", (self.name,), results=True)
        return int(rows[0][0])

    def flush_queue(self) -> None:
        super().flush_queue()
        self.sql("delete from inflight where queue = ?", (self.name,), commit=True)

    def read_schedule(self, ts: Any) -> list[bytes]:
        """Jobs whose time has come go straight onto the queue (one transaction)."""
        with self.db(commit=True) as curs:
            params = (self.name, ts.timestamp())
            curs.execute(
                "insert into task (queue, data, priority) select queue, data, 0 from schedule "
                "where queue = ? and timestamp <= ? order by timestamp, id",
                params,
            )
            curs.execute("delete from schedule where queue = ? and timestamp <= ?", params)
        return []


class AckedSqliteHuey(AckingHuey, SqliteHuey):
    """huey on :class:`AckedSqliteStorage`: a job is acknowledged once it has run."""

    storage_class = AckedSqliteStorage
