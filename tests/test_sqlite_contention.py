"""One SQLite database, written at once by the site and by ingest: no "database is locked".

Real processes share the default SQLite database (and the SQLite job queue): the
production web server (gunicorn, two processes), `newsdesk worker` (two job processes and
its scheduler) and, on the same feeds at the same time, `newsdesk fetch --once --force`
(two processes). While they ingest, a few readers post comments through the site and read
its pages. No reader may meet an error, every comment posted must be kept, and every
article served must be stored exactly once.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from slow_feeds import slow_feeds, until
from test_server import _free_port, _newsdesk, _wait_for

FEEDS, ARTICLES = 4, 25
READERS = 4
PAUSE = 0.1  # seconds a reader waits between two rounds (two cores run everything here)
LOCKED = "database is locked"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)  # the default: SQLite (and a SQLite queue) in the data folder
    return {
        **clean,
        "NEWSDESK_DATA_DIR": str(tmp_path),
        "NEWSDESK_STARTER_SOURCES": "false",
        "NEWSDESK_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSDESK_HOST_MIN_GAP": "0",
        "NEWSDESK_FETCH_PROCESSES": "2",
        # The readers all post from 127.0.0.1, one comment after another: no flood gap,
        # no rate limit, no minimum time on the form.
        "NEWSDESK_COMMENTS_MIN_SECONDS": "0",
        "NEWSDESK_COMMENTS_FLOOD_SECONDS": "0",
        "NEWSDESK_COMMENTS_RATE_LIMIT": "100000",
    }


def _query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql).fetchall()


def _start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the process keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "newsdesk", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _finish(proc: subprocess.Popen[bytes], seconds: float) -> int:
    try:
        return proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return -1  # still running: reported as a failure below


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


class Reader(threading.Thread):
    """Reads an article, comments on it, reads the page it is sent back to, and the front
    page and a search, over and over until told to stop; notes every answer out of place."""

    def __init__(self, n: int, base: str, articles: list[int], stop: threading.Event) -> None:
        super().__init__(name=f"reader-{n}", daemon=True)
        self.n, self.base, self.articles, self.stop = n, base, articles, stop
        self.posted: list[str] = []
        self.problems: list[str] = []

    def _check(self, response: httpx.Response, status: int) -> httpx.Response:
        request = f"{response.request.method} {response.request.url}"
        if response.status_code != status or LOCKED in response.text:
            self.problems.append(f"{request}: {response.status_code} {response.text[:300]}")
        return response

    def _round(self, client: httpx.Client, i: int) -> None:
        article = self.articles[i % len(self.articles)]
        page = self._check(client.get(f"/article/{article}"), 200)
        stamp = re.search(r'name="stamp" value="([^"]+)"', page.text)
        if stamp is None:
            self.problems.append(f"/article/{article}: no comment form")
            return
        text = f"Reader {self.n} remark {i}: the embankment plan looks sound."
        form = {"kind": "article", "target": article, "stamp": stamp[1], "name": "Reader",
                "email": f"reader{self.n}@example.org", "website": "", "text": text,
                "homepage": ""}  # fmt: skip
        sent = self._check(client.post("/comments/post", data=form), 303)
        if sent.status_code == 303:
            self.posted.append(text)
            self._check(client.get(sent.headers["location"]), 200)
        self._check(client.get("/"), 200)
        self._check(client.get("/search", params={"q": "council embankment"}), 200)

    def run(self) -> None:
        headers = {"Origin": self.base}  # a browser sends it with the form; the site checks it
        with httpx.Client(base_url=self.base, headers=headers, timeout=120) as client:
            i = 0
            while not self.stop.is_set():
                try:
                    self._round(client, i)
                except httpx.HTTPError as err:
                    self.problems.append(f"round {i}: {err!r}")
                i += 1
                self.stop.wait(PAUSE)


def test_site_and_ingest_write_one_sqlite_database_at_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "newsdesk.sqlite3"
    assert _newsdesk(env, "init").returncode == 0
    with ExitStack() as stack:
        first = stack.enter_context(slow_feeds(1, 3, 0.0, name="first"))
        feeds = stack.enter_context(slow_feeds(FEEDS, ARTICLES, 0.05))
        # A few articles to comment on, before the rush.
        assert _newsdesk(env, "sources", "add", first[0]).returncode == 0
        assert _newsdesk(env, "fetch", "--once").returncode == 0
        articles = [pk for (pk,) in _query(db, "SELECT id FROM stories_article")]
        assert len(articles) == 3
        for url in feeds:
            assert _newsdesk(env, "sources", "add", url).returncode == 0
        expected = len(articles) + FEEDS * ARTICLES

        def stored() -> int:
            return _query(db, "SELECT count(*) FROM stories_article")[0][0]

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        logs = {name: tmp_path / f"{name}.log" for name in ("serve", "worker", "fetch")}
        server = _start(env, logs["serve"], "serve", "--port", str(port), "--workers", "2")
        stack.callback(_stop, server)
        _wait_for(f"{base}/healthz", server, 60)  # type: ignore[arg-type]
        stop = threading.Event()
        stack.callback(stop.set)  # should the test fail early, before the server stops
        readers = [Reader(n, base, articles, stop) for n in range(READERS)]
        for reader in readers:
            reader.start()
        # The worker's scheduler polls every source at its start and queues their entries.
        worker = _start(env, logs["worker"], "worker", "--workers", "2")
        stack.callback(_stop, worker)
        assert until(lambda: stored() > len(articles), 90), "the worker stored nothing"
        # Meanwhile a forced poll of the same sources stores what the worker has not yet.
        fetch = _start(env, logs["fetch"], "fetch", "--once", "--force")
        stack.callback(_stop, fetch)
        fetched = _finish(fetch, 300)
        until(lambda: stored() >= expected, 180, step=0.5)
        stop.set()
        for reader in readers:
            reader.join(timeout=180)
        rows = _query(db, "SELECT canonical_url FROM stories_article")
        comments = {text for (text,) in _query(db, "SELECT text FROM comments_comment")}
    output = {name: log.read_text(errors="replace") for name, log in logs.items()}
    assert fetched == 0, output["fetch"]
    problems = [p for reader in readers for p in reader.problems]
    assert not problems, problems[:10]
    posted = [text for reader in readers for text in reader.posted]
    assert len(posted) >= READERS  # every reader had its say while ingest ran
    assert set(posted) <= comments
    urls = [url for (url,) in rows]
    assert len(urls) == expected and len(set(urls)) == expected, output["worker"][-3000:]
    for name, text in output.items():
        assert LOCKED not in text, f"{name}: {text[max(0, text.find(LOCKED) - 2000) :][:3000]}"
