"""A Redis job queue that acknowledges a job only once it has finished.

huey's Redis storage pops a job off the queue before running it, so a worker killed
mid-job (SIGKILL, out of memory, a machine lost) takes the job with it. Here a job is
moved atomically (one Lua script) from the queue into its process's in-flight hash,
and removed from there only after the task returned, i.e. after its transaction
committed. Each process keeps a heartbeat key alive; any live process that finds an
in-flight hash whose owner's heartbeat has expired puts its jobs back on the queue,
in one atomic script, so they are put back once. Jobs may therefore run twice (after
a crash): every newsdesk job is idempotent.

Jobs whose time has come move from the schedule to the queue in one script too, so a
scheduler that dies in between loses nothing. newsdesk does not use job priorities;
every job is queued at priority 0 and runs in the order it was queued.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import threading
import time
import uuid
from typing import Any

from huey import PriorityRedisHuey, signals
from huey.storage import PriorityRedisStorage

log = logging.getLogger(__name__)

# Pop the first job and note it as in flight for this process, at once. The heartbeat is
# set with it: after a Redis restart the owner must never be listed without one, or a live
# worker's running job would be put back.
_TAKE = """
local job = redis.call('ZPOPMIN', KEYS[1])
if #job == 0 then return false end
redis.call('HSET', KEYS[2], job[1], job[2])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[2])
redis.call('SADD', KEYS[3], ARGV[1])
return job[1]
"""

# Put back the in-flight jobs of every process whose heartbeat is gone; how many.
_RECOVER = """
local moved = 0
for _, owner in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. owner) == 0 then
    local held = redis.call('HGETALL', ARGV[2] .. owner)
    for i = 1, #held, 2 do
      redis.call('ZADD', KEYS[2], held[i + 1], held[i])
      moved = moved + 1
    end
    redis.call('DEL', ARGV[2] .. owner)
    redis.call('SREM', KEYS[1], owner)
  end
end
return moved
"""

# Move the jobs due by ARGV[1] from the schedule to the queue (ARGV[2]: their order prefix).
_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, job in ipairs(due) do
  redis.call('ZADD', KEYS[2], 0, ARGV[2] .. job)
end
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return #due
"""


class HeartbeatOwner:
    """A process's name on a queue, kept alive by a heartbeat thread (per process).

    The storage that mixes this in defines ``_beat()`` (note this owner alive) and
    ``recover()`` (put back the jobs of owners whose heartbeat has stopped), and keeps the
    job a thread took in ``self._local.job``."""

    heartbeat: float

    def _init_owner(self, heartbeat: float) -> None:
        self.heartbeat = heartbeat
        self._local = threading.local()
        self._owner_pid = 0
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.owner = ""

    def _beat(self) -> None:
        raise NotImplementedError

    def recover(self) -> int:
        raise NotImplementedError

    def _ensure_owner(self) -> str:
        """This process's name, with its heartbeat running (a forked child gets its own)."""
        if self._owner_pid != os.getpid():
            self._owner_pid = os.getpid()
            self.owner = f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
            self._beat()
            self._thread = threading.Thread(
                target=self._beating, name="queue-heartbeat", daemon=True
            )
            self._thread.start()
        return self.owner

    def _beating(self) -> None:
        pid = os.getpid()
        while self._owner_pid == pid and not self._stopped.wait(self.heartbeat / 3):
            try:
                self._beat()
                self.recover()
            except Exception:  # the queue away or busy: try again next beat (jobs wait)
                log.warning("queue heartbeat failed; retrying", exc_info=True)

    def stop(self) -> None:
        """Stop this process's heartbeat (its in-flight jobs are put back once it expires)."""
        self._stopped.set()
        if self._thread is not None and self._owner_pid == os.getpid():
            self._thread.join(timeout=5)

    def keep(self) -> None:
        """The job this thread took did not finish (shutdown): leave it for recovery."""
        self._local.job = None


class AckedRedisStorage(HeartbeatOwner, PriorityRedisStorage):
    """PriorityRedisStorage whose jobs stay in flight, per process, until acknowledged."""

    def __init__(self, *args: Any, heartbeat: float = 30.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_owner(heartbeat)
        self.owners_key = f"huey.owners.{self.name}"
        self.alive_prefix = f"huey.alive.{self.name}."
        self.flight_prefix = f"huey.inflight.{self.name}."
        self._take = self.conn.register_script(_TAKE)
        self._recover = self.conn.register_script(_RECOVER)
        self._due = self.conn.register_script(_DUE)

    def _beat(self) -> None:
        self.conn.set(self.alive_prefix + self.owner, b"1", px=int(self.heartbeat * 1000))

    def recover(self) -> int:
        """Put the jobs of dead processes back on the queue; how many were put back."""
        moved = int(
            self._recover(
                keys=[self.owners_key, self.queue_key], args=[self.alive_prefix, self.flight_prefix]
            )
        )
        if moved:
            log.warning("put back %d jobs left in flight by stopped workers", moved)
        return moved

    # -------------------------------------------------------------- the queue

    def dequeue(self) -> bytes | None:
        """The next job, noted in flight; waits up to read_timeout when the queue is empty."""
        owner = self._ensure_owner()
        flight = self.flight_prefix + owner
        deadline = time.monotonic() + (self.read_timeout if self.blocking else 0.0)
        delay = 0.02
        while True:
            job = self._take(
                keys=[self.queue_key, flight, self.owners_key, self.alive_prefix + owner],
                args=[owner, int(self.heartbeat * 1000)],
            )
            if job:
                self._local.job = job
                return bytes(job)[8:]  # the order prefix off, as huey stores it
            if time.monotonic() + delay > deadline:
                return None
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def ack(self) -> None:
        """The job this thread took is done: forget it."""
        job = getattr(self._local, "job", None)
        if job is not None:
            self._local.job = None
            self.conn.hdel(self.flight_prefix + self.owner, job)

    def in_flight(self) -> int:
        """Jobs taken by workers and not yet acknowledged, over every process."""
        owners = self.conn.smembers(self.owners_key)
        return sum(int(self.conn.hlen(self.flight_prefix + o.decode())) for o in owners)

    def read_schedule(self, ts: Any) -> list[bytes]:
        """Jobs whose time has come go straight onto the queue (one script); none returned."""
        prefix = struct.pack(">Q", int(time.time() * 1e6))
        self._due(keys=[self.schedule_key, self.queue_key], args=[self.convert_ts(ts), prefix])
        return []


class AckingHuey:
    """Mixin for a huey whose storage keeps a job in flight until :meth:`execute` ends.

    The storage needs ``ack()`` (the job is done) and ``keep()`` (the process is stopping
    mid-job: leave the job for recovery)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._interrupted = threading.local()

        @self.signal(signals.SIGNAL_INTERRUPTED)  # type: ignore[attr-defined]
        def _interrupted(signal: str, task: Any, *args: Any) -> None:
            self._interrupted.flag = True

    def execute(self, task: Any, timestamp: Any = None) -> Any:
        storage = self.storage  # type: ignore[attr-defined]
        if not hasattr(storage, "ack"):  # immediate mode: in-memory storage
            return super().execute(task, timestamp)  # type: ignore[misc]
        self._interrupted.flag = False
        try:
            value = super().execute(task, timestamp)  # type: ignore[misc]
        except Exception:
            storage.ack()  # huey failed around the task (logged); it ran, or failed, once
            raise
        except BaseException:
            storage.keep()  # the process is stopping mid-job: another worker runs it again
            raise
        if self._interrupted.flag:
            storage.keep()
        else:
            storage.ack()
        return value


class AckedRedisHuey(AckingHuey, PriorityRedisHuey):
    """huey on :class:`AckedRedisStorage`: a job is acknowledged once it has run."""

    storage_class = AckedRedisStorage
