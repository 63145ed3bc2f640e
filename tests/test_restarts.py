"""Redis and PostgreSQL restarted mid-ingest: the running workers reconnect and carry on.

The test starts its own Redis and PostgreSQL on free loopback ports (the machine's shared
ones serve other test runs), a real `newsdesk worker` over them, and feeds of slow article
pages. While the worker ingests, Redis is restarted, then PostgreSQL. Without restarting
the worker, the sources are polled again through the queue as the scheduler does, and
every article must end up stored exactly once, in a story, by the very same processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from huey import PriorityRedisHuey

from slow_feeds import slow_feeds, until
from test_server import _free_port, _newsdesk

FEEDS = 4
PER_FEED = 10
PAGE_DELAY = 0.5  # seconds each article page takes: ingest lasts well past the restarts
OUTAGE = 2.0  # seconds each service stays down: workers meet refused connections
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))


class RedisServer:
    """A private redis-server without persistence, which can be stopped and started again."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        self.proc = subprocess.Popen(
            ["redis-server", *args, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        try:
            assert until(lambda: self._ping(client), 30), "redis-server did not start"
        finally:
            client.close()

    @staticmethod
    def _ping(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)


class PostgresServer:
    """A private PostgreSQL cluster in a temporary folder, trusting local connections."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, _free_port()
        self.data = folder / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/newsdesk"

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        # PostgreSQL refuses to run as root: then its tools run as the postgres user.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*prefix, str(PG_BIN / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0 or not check, f"{tool} {args}: {done.stdout}{done.stderr}"

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale", "C", "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.folder / "postgres.log")  # -l: the server must not hold our pipes
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast", check: bool = True) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=check)

    def create_database(self) -> None:
        admin = self.url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE newsdesk")

    def query(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.url, connect_timeout=10) as conn:
            return conn.execute(sql).fetchall()  # type: ignore[arg-type]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    # Not under tmp_path: the postgres user must be able to reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = PostgresServer(folder)
    try:
        server.init()
        server.start()
        server.create_database()
        yield server
    finally:
        if (server.data / "postmaster.pid").exists():  # running, whatever the test did
            server.stop("immediate", check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def feeds() -> Iterator[list[str]]:
    with slow_feeds(FEEDS, PER_FEED, PAGE_DELAY) as urls:
        yield urls


def _group(pgid: int) -> set[int]:
    """The live (not zombie) processes of a process group: the worker and its children."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(group) == pgid and state != "Z":
            pids.add(int(stat.parent.name))
    return pids


# The scheduler's job, queued now instead of at its next minute (run by the workers).
SCHEDULE_NOW = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'newsdesk.settings'; "
    "django.setup(); "
    "from newsdesk.ingest.tasks import schedule_due_sources; schedule_due_sources()"
)


def _repoll(env: dict[str, str], postgres: PostgresServer) -> None:
    """Poll every source again, through the queue, as the scheduler does.

    The scheduler polls a source again once its poll interval (or the claim of a poll job
    lost with the queue) runs out, and that poll queues every entry not stored yet. Making
    the sources due and queueing the scheduler's job now stands in for those minutes.
    """
    with psycopg.connect(postgres.url) as conn:
        conn.execute("UPDATE ingest_source SET next_fetch_at = NULL")
    done = subprocess.run(
        [sys.executable, "-c", SCHEDULE_NOW], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_workers_reconnect_after_redis_and_postgres_restart(
    tmp_path: Path, redis_server: RedisServer, postgres: PostgresServer, feeds: list[str]
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)  # this test's own services, whatever the run uses
    env = {
        **clean,
        "NEWSDESK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": postgres.url,
        "NEWSDESK_QUEUE_URL": redis_server.url,
        "NEWSDESK_STARTER_SOURCES": "false",
        "NEWSDESK_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSDESK_HOST_MIN_GAP": "0",
        # A request cut off by the database restart keeps its host claimed until a lease
        # that these timeouts bound (plus 10 s) runs out: short ones keep that wait short.
        "NEWSDESK_FETCH_TIMEOUT": "2",
        "NEWSDESK_FETCH_TOTAL_TIMEOUT": "3",
    }
    init = _newsdesk(env, "init")
    assert init.returncode == 0, init.stderr
    for url in feeds:
        assert _newsdesk(env, "sources", "add", url).returncode == 0
    expected = FEEDS * PER_FEED

    def stored() -> int:
        return postgres.query("SELECT count(*) FROM stories_article")[0][0]

    with (tmp_path / "worker.log").open("wb") as log:  # the worker keeps its own copy
        worker = subprocess.Popen(
            [sys.executable, "-m", "newsdesk", "worker", "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the test finds (and stops) it all
        )
    queue = PriorityRedisHuey("newsdesk", url=redis_server.url)  # as settings name it
    try:
        # The scheduler's first run, at start, polls every source; ingest begins.
        assert until(lambda: stored() >= 3, 90), "ingest did not start"
        processes = _group(worker.pid)
        assert len(processes) == 4  # the consumer, its scheduler and two job workers
        assert queue.pending_count() > 0, "ingest ended too soon: serve more or slower"

        # Redis keeps its queue in memory only (no persistence): the jobs queued now are
        # lost. That is expected; the next poll of each source queues them again.
        redis_server.stop()
        time.sleep(OUTAGE)
        redis_server.start()
        _repoll(env, postgres)
        after_redis = stored()
        assert until(lambda: stored() >= after_redis + 3, 90), "no ingest after Redis"

        # Jobs running now lose their connections; queued ones fail and wait for a retry.
        assert queue.pending_count() > 0, "ingest ended too soon: serve more or slower"
        postgres.stop()
        time.sleep(OUTAGE)
        postgres.start()
        deadline = time.monotonic() + 180
        while stored() < expected and time.monotonic() < deadline:
            # Polled again until done: a source whose host was still claimed by a request
            # cut off by the restart waits ("host busy") for a later poll.
            _repoll(env, postgres)
            until(lambda: stored() >= expected, 10, step=0.5)
        # Every queued job (duplicates of stored articles included) runs before counting.
        drained = until(lambda: queue.pending_count() == 0, 60)
        rows = postgres.query("SELECT canonical_url, story_id FROM stories_article")
        alive = _group(worker.pid)
    finally:
        queue.storage.pool.disconnect()
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    output = (tmp_path / "worker.log").read_text(errors="replace")[-4000:]
    urls = [url for url, _ in rows]
    assert len(urls) == expected and len(set(urls)) == expected, output
    assert all(story is not None for _, story in rows), output
    assert drained, output
    assert alive == processes, output  # the same processes: none died and was replaced
