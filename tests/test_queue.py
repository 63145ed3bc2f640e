"""The Redis and SQLite queues acknowledge a job once it has run: a killed worker loses no job.

The tests of the acknowledging queue run on both storages (``huey`` is parametrised)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from huey import signals

from newsdesk.queue import AckedRedisHuey, AckingHuey
from newsdesk.queue_sqlite import AckedSqliteHuey

REDIS_URL = os.environ.get("NEWSDESK_TEST_QUEUE_REDIS_URL", "redis://127.0.0.1:6379/12")


def _flush() -> None:
    with redis.Redis.from_url(REDIS_URL) as conn:
        conn.flushdb()


@pytest.fixture(params=["redis", "sqlite"])
def huey(request: pytest.FixtureRequest, tmp_path) -> Iterator[AckingHuey]:
    if request.param == "redis":
        _flush()
        queue: AckingHuey = AckedRedisHuey("acked", url=REDIS_URL, heartbeat=0.6, results=False)
        yield queue
        queue.storage.stop()
        queue.storage.pool.disconnect()
        _flush()
    else:
        path = str(tmp_path / "queue.sqlite3")
        queue = AckedSqliteHuey("acked", filename=path, heartbeat=0.6, results=False)
        yield queue
        queue.storage.stop()
        queue.storage.close()


def _location(huey: AckingHuey) -> tuple[str, str]:
    """What a child process needs to open the same queue: its kind and address."""
    if isinstance(huey, AckedSqliteHuey):
        return "sqlite", huey.storage.filename
    return "redis", REDIS_URL


def _until(check, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)
    return check()


def test_a_job_stays_in_flight_until_it_has_run(huey: AckingHuey) -> None:
    seen: list[int] = []

    @huey.task()
    def job(n: int) -> None:
        seen.append(huey.storage.in_flight())

    job(1)
    assert huey.pending_count() == 1
    task = huey.dequeue()
    assert task is not None
    assert huey.pending_count() == 0 and huey.storage.in_flight() == 1
    huey.execute(task)
    assert seen == [1]  # while it ran, it was still held
    assert huey.storage.in_flight() == 0 and huey.pending_count() == 0


def test_a_failing_job_is_acknowledged_and_its_retry_queued_once(huey: AckingHuey) -> None:
    @huey.task(retries=1)
    def fails() -> None:
        raise ValueError("boom")

    fails()
    huey.execute(huey.dequeue())
    assert huey.storage.in_flight() == 0
    assert huey.pending_count() == 1  # huey's own retry, not a redelivery


def test_a_job_interrupted_by_shutdown_is_left_for_another_worker(huey: AckingHuey) -> None:
    stopped: list[str] = []
    huey.signal(signals.SIGNAL_INTERRUPTED)(lambda sig, task, *a: stopped.append(sig))

    @huey.task()
    def interrupted() -> None:
        raise KeyboardInterrupt

    interrupted()
    huey.execute(huey.dequeue())
    assert stopped == [signals.SIGNAL_INTERRUPTED]
    assert huey.storage.in_flight() == 1  # kept: put back once this process stops beating


_DIES = """
import os, signal, sys
from newsdesk.queue import AckedRedisHuey
from newsdesk.queue_sqlite import AckedSqliteHuey
if sys.argv[1] == "sqlite":
    huey = AckedSqliteHuey("acked", filename=sys.argv[2], heartbeat=0.6, results=False)
else:
    huey = AckedRedisHuey("acked", url=sys.argv[2], heartbeat=0.6, results=False)
assert huey.storage.dequeue() is not None
print("taken", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_jobs_of_a_killed_worker_are_put_back_exactly_once(huey: AckingHuey) -> None:
    ran: list[int] = []

    @huey.task()
    def job(n: int) -> None:
        ran.append(n)

    job(7)
    dead = subprocess.run(
        [sys.executable, "-c", _DIES, *_location(huey)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dead.stdout.strip() == "taken" and dead.returncode == -9, dead.stderr
    assert huey.pending_count() == 0 and huey.storage.in_flight() == 1
    # Several live processes look for dead workers at once; the job goes back once.
    moved: list[int] = []

    def recover() -> None:
        while not huey.pending_count():
            moved.append(huey.storage.recover())
            time.sleep(0.05)

    threads = [threading.Thread(target=recover) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(moved) == 1
    assert huey.pending_count() == 1 and huey.storage.in_flight() == 0
    huey.execute(huey.dequeue())
    assert ran == [7]
    assert huey.pending_count() == 0 and huey.storage.in_flight() == 0


def test_a_live_workers_jobs_are_not_taken_from_it(huey: AckingHuey) -> None:
    @huey.task()
    def job() -> None:
        pass

    job()
    task = huey.dequeue()
    time.sleep(1.5)  # past the heartbeat lifetime: only a beating owner keeps its jobs
    assert huey.storage.recover() == 0
    assert huey.storage.in_flight() == 1 and huey.pending_count() == 0
    huey.execute(task)
    assert huey.storage.in_flight() == 0


def test_due_scheduled_jobs_move_to_the_queue_in_one_step(huey: AckingHuey) -> None:
    @huey.task()
    def later() -> None:
        pass

    later.schedule(delay=0.2)
    huey.execute(huey.dequeue())  # not due yet: a worker puts it on the schedule
    assert huey.scheduled_count() == 1 and huey.pending_count() == 0
    assert huey.storage.in_flight() == 0

    def moved() -> bool:
        assert huey.read_schedule(huey._get_timestamp()) == []  # nothing for huey to enqueue
        return huey.pending_count() == 1

    assert _until(moved)
    assert huey.scheduled_count() == 0


def test_after_a_redis_restart_a_live_workers_job_stays_its_own() -> None:
    _flush()
    queue = AckedRedisHuey("acked", url=REDIS_URL, heartbeat=30.0, results=False)

    @queue.task()
    def job() -> None:
        pass

    try:
        job()
        queue.dequeue()
        _flush()  # Redis restarted without persistence: heartbeats and lists are gone
        job()
        task = queue.dequeue()  # the live worker takes its next job, before its next beat
        assert queue.storage.recover() == 0  # its heartbeat came back with the job
        assert queue.storage.in_flight() == 1 and queue.pending_count() == 0
        queue.execute(task)
        assert queue.storage.in_flight() == 0
    finally:
        queue.storage.stop()
        queue.storage.pool.disconnect()
        _flush()


def test_the_configured_queue_keeps_no_job_results(tmp_path) -> None:
    """Nothing reads a job's return value: kept, they would pile up in Redis for ever."""
    from newsdesk.settings import queue_config

    config = queue_config(REDIS_URL, tmp_path)
    options = {k: v for k, v in config.items() if k not in {"huey_class", "consumer", "name"}}
    _flush()
    queue = AckedRedisHuey("kept", **options)

    @queue.task()
    def job() -> str:
        return "a value nobody reads"

    try:
        job()
        queue.execute(queue.dequeue())
        with redis.Redis.from_url(REDIS_URL) as conn:
            assert conn.hlen(queue.storage.result_key) == 0
        assert queue.storage.in_flight() == 0
    finally:
        queue.storage.stop()
        queue.storage.pool.disconnect()
        _flush()
