"""The product as a user runs it: separate processes, a file database, gunicorn."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _newsdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _wait_for(url: str, proc: subprocess.Popen[str], seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.communicate()}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds}s")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)
    return {
        **clean,
        "NEWSDESK_DATA_DIR": str(tmp_path),
        "NEWSDESK_ADMIN_PASSWORD": "pw-for-test",
        "NEWSDESK_STARTER_SOURCES": "false",
        "NEWSDESK_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSDESK_HOST_MIN_GAP": "0",
    }


def test_init_fetch_and_serve_with_gunicorn(env: dict[str, str], site_server) -> None:
    base, _ = site_server
    assert _newsdesk(env, "init").returncode == 0
    assert _newsdesk(env, "sources", "add", f"{base}/feed.xml").returncode == 0
    fetched = _newsdesk(env, "fetch", "--once")
    assert fetched.returncode == 0, fetched.stderr
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        front = _wait_for(f"http://127.0.0.1:{port}/", server)
        assert "Army Opens Wide Offensive" in front.text
        assert "gunicorn" in front.headers.get("server", "").lower()
        story = httpx.get(f"http://127.0.0.1:{port}/index.json").json()["stories"][0]
        page = httpx.get(f"http://127.0.0.1:{port}{story['url']}").text
        assert f'Source: <a href="{story["lead"]["source_url"]}"' in page
        css = httpx.get(f"http://127.0.0.1:{port}/static/site/site.css")
        assert css.status_code == 200 and "prefers-color-scheme" in css.text
        admin = httpx.get(f"http://127.0.0.1:{port}/admin/login/")
        assert admin.status_code == 200
        # A change logged by another machine in the shared database reaches this cache.
        data = Path(env["NEWSDESK_DATA_DIR"])
        cached = data / "pages" / f"127.0.0.1:{port}" / "index.html"
        assert cached.exists()
        with sqlite3.connect(data / "newsdesk.sqlite3") as db:
            db.execute(
                "INSERT INTO newsdesk_site_pagepurge (created_at, origin, story_ids, article_ids)"
                " VALUES (datetime('now'), 'another machine', '[]', '[]')"
            )
        deadline = time.monotonic() + 30
        while cached.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not cached.exists()
    finally:
        server.terminate()
        server.communicate(timeout=20)


def test_run_serves_the_site_and_the_worker_fills_it(env: dict[str, str], site_server) -> None:
    # Starter feeds stay off: tests never reach beyond this machine.
    base, _ = site_server
    port = _free_port()
    env = {**env, "NEWSDESK_ADMIN_PASSWORD": ""}
    assert _newsdesk(env, "sources", "add", f"{base}/feed.xml").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stories: list = []
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/healthz", proc).json()["status"] == "ok"
        # The scheduler runs at start and then every minute; the worker fetches the feed.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(stories) < 3:
            time.sleep(1)
            stories = httpx.get(f"http://127.0.0.1:{port}/index.json").json()["stories"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert f"site http://127.0.0.1:{port}/" in out and "/admin/" in out
    assert "created admin user 'admin' with password" in out
    assert len(stories) == 3, out[-3000:]
