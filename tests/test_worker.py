"""Workers on a shared Redis queue, and on the embedded SQLite queue: a worker killed with
SIGKILL mid-ingest is replaced, and every article still ends up stored exactly once, in a
story: the jobs it held are put back on the queue once its heartbeat runs out, with no
re-poll forced."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from newsdesk.queue import AckedRedisHuey, AckingHuey
from newsdesk.queue_sqlite import AckedSqliteHuey
from test_server import _newsdesk

REDIS_URL = os.environ.get("NEWSDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
QUEUE = AckedRedisHuey("newsdesk", url=REDIS_URL)  # as settings.queue_config names it


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)
    redis.Redis.from_url(REDIS_URL).flushdb()
    return {
        **clean,
        "NEWSDESK_DATA_DIR": str(tmp_path),
        "NEWSDESK_QUEUE_URL": REDIS_URL,
        "NEWSDESK_STARTER_SOURCES": "false",
        "NEWSDESK_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSDESK_HOST_MIN_GAP": "0",
        # A worker killed mid-request leaves its host claimed until the lease, which the
        # fetch timeouts bound, runs out: short timeouts keep that wait within one fetch.
        "NEWSDESK_FETCH_TIMEOUT": "2",
        "NEWSDESK_FETCH_TOTAL_TIMEOUT": "5",
        "NEWSDESK_QUEUE_HEARTBEAT": "2",  # a dead worker's jobs go back after 2 s
    }


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "worker", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: SIGKILL reaches forked workers too
    )


def _articles(db: Path) -> list[tuple[str, int | None]]:
    if not db.exists():
        return []
    with sqlite3.connect(db, timeout=30) as conn:
        try:
            return conn.execute("SELECT canonical_url, story_id FROM stories_article").fetchall()
        except sqlite3.OperationalError:  # tables not made yet
            return []


def _busy(queue: AckingHuey) -> int:
    """Jobs queued or taken by a worker and not yet done."""
    return queue.pending_count() + queue.storage.in_flight()  # type: ignore[attr-defined]


def _wait(db: Path, count: int, seconds: float = 90) -> list[tuple[str, int | None]]:
    deadline = time.monotonic() + seconds
    rows = _articles(db)
    while len(rows) < count and time.monotonic() < deadline:
        time.sleep(0.2)
        rows = _articles(db)
    return rows


@pytest.mark.parametrize("run", range(20))
def test_killed_worker_loses_nothing_and_doubles_nothing(
    env: dict[str, str], site_server, run: int
) -> None:
    """20 runs, each killing the worker at another point: before it took a job, while it
    polls the feed, while it fetches and stores articles, or after it finished."""
    _kill_and_replace(env, site_server, run, QUEUE)


@pytest.mark.parametrize("run", range(6))
def test_on_the_sqlite_queue_a_killed_worker_loses_nothing(
    env: dict[str, str], site_server, run: int
) -> None:
    """The same on the embedded SQLite queue of one machine (fewer runs: same code paths)."""
    env = {**env, "NEWSDESK_QUEUE_URL": ""}
    path = str(Path(env["NEWSDESK_DATA_DIR"]) / "queue.sqlite3")
    queue = AckedSqliteHuey("newsdesk", filename=path)  # as settings.queue_config names it
    try:
        _kill_and_replace(env, site_server, run + 100, queue)
    finally:
        queue.storage.close()


def _kill_and_replace(env: dict[str, str], site_server, run: int, queue: AckingHuey) -> None:
    base, _ = site_server
    db = Path(env["NEWSDESK_DATA_DIR"]) / "newsdesk.sqlite3"
    assert _newsdesk(env, "sources", "add", f"{base}/feed.xml").returncode == 0
    worker = _worker(env)
    kill_at = random.Random(run).uniform(0.0, 3.0)  # seconds after the worker started
    time.sleep(kill_at)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    # The replacement finds the dead worker's jobs once its heartbeat has run out and
    # puts them back on the queue: no job is lost and nothing is polled again by hand.
    replacement = _worker(env)
    try:
        _wait(db, 3)
        deadline = time.monotonic() + 60
        while _busy(queue) and time.monotonic() < deadline:
            time.sleep(0.2)  # every queued job (duplicates included) runs before counting
        drained = not _busy(queue)
        rows = _articles(db)
    finally:
        os.killpg(replacement.pid, signal.SIGTERM)
        replacement.wait(timeout=30)
    urls = [url for url, _ in rows]
    assert len(urls) == 3 and len(set(urls)) == 3, urls
    assert all(story is not None for _, story in rows)
    assert drained
