"""Start-up chores and the long-running processes: web server, job worker, both."""

from __future__ import annotations

import getpass
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from importlib import resources
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

log = logging.getLogger(__name__)


def migrate() -> None:
    """Create or upgrade the database schema."""
    call_command("migrate", interactive=False, verbosity=0)


class SchemaError(RuntimeError):
    """The database schema is behind the code and may not be migrated from here."""


def ensure_schema() -> None:
    """Bring an embedded SQLite database up to date; on a server database, insist on init."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    if connection.vendor != "sqlite":
        raise SchemaError("the database is not initialised or is out of date: run `newsdesk init`")
    migrate()


def admin_password_from_env_or_prompt(interactive: bool) -> str | None:
    """The admin password from NEWSDESK_ADMIN_PASSWORD, else a prompt, else None."""
    password = settings.NEWSDESK["NEWSDESK_ADMIN_PASSWORD"]
    if password:
        return str(password)
    if not interactive:
        return None
    while True:
        first = getpass.getpass("Admin password: ")
        if first and first == getpass.getpass("Again: "):
            return first
        print("Passwords were empty or did not match; try again.")


def ensure_admin(password: str, reset: bool = False) -> tuple[str, bool]:
    """Create the admin user (or reset its password); return its name and whether it is new."""
    name = settings.NEWSDESK["NEWSDESK_ADMIN_USER"]
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=name, defaults={"is_staff": True, "is_superuser": True}
    )
    if created or reset:
        user.email = settings.NEWSDESK["NEWSDESK_ADMIN_EMAIL"]
        user.set_password(password)
        user.is_staff = user.is_superuser = True
        user.save()
    return name, created


def starter_opml() -> bytes:
    """The shipped starter list of public world-news feeds."""
    return resources.files("newsdesk.data").joinpath("starter-sources.opml").read_bytes()


def site_url(host: str, port: int) -> str:
    """The site's public base URL: the setting, else derived from the listen address."""
    configured = settings.NEWSDESK["NEWSDESK_SITE_URL"]
    if configured:
        return str(configured).rstrip("/")
    shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}"


def first_run() -> list[str]:
    """On a fresh database: an admin and the starter sources. Lines to show the user."""
    from newsdesk.ingest.models import Source
    from newsdesk.ingest.sources import import_opml

    lines = []
    if not get_user_model().objects.filter(is_superuser=True).exists():
        password = settings.NEWSDESK["NEWSDESK_ADMIN_PASSWORD"] or secrets.token_urlsafe(12)
        name, _ = ensure_admin(password)
        shown = (
            "(from NEWSDESK_ADMIN_PASSWORD)"
            if settings.NEWSDESK["NEWSDESK_ADMIN_PASSWORD"]
            else password
        )
        lines.append(f"created admin user {name!r} with password {shown}")
    if settings.NEWSDESK["NEWSDESK_STARTER_SOURCES"] and not Source.objects.exists():
        added, _ = import_opml(starter_opml())
        lines.append(f"following {added} starter world-news feeds (newsdesk sources list)")
    return lines


def serve(host: str, port: int, workers: int) -> None:
    """The production web server (gunicorn) in this process, until stopped."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from newsdesk.site import cache, metrics, querylimit
    from newsdesk.site.cache_sync import start_keeper
    from newsdesk.wsgi import application

    # Pages cached by an earlier run may come from older code or other settings.
    cache.purge_all()
    metrics.reset_multiprocess_dir()  # PROMETHEUS_MULTIPROC_DIR: old runs must not add up
    # gunicorn forks its workers from this process: none may inherit the connection that
    # the schema check opened, or several workers would talk over one socket.
    connections.close_all()
    # Connections opened from here on (the workers') limit each request's queries.
    querylimit.enable(settings.NEWSDESK["NEWSDESK_WEB_QUERY_TIMEOUT"])

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            options: dict[str, Any] = {
                "bind": bind,
                "workers": max(1, workers),
                "accesslog": "-",
                "errorlog": "-",
                "timeout": 60,
                # Two servers on one machine would fight over one control socket.
                "control_socket_disable": True,
                # PROMETHEUS_MULTIPROC_DIR: a worker that exits leaves the /metrics sums.
                "child_exit": lambda _server, worker: metrics.forget_process(worker.pid),
                # Each worker follows other machines' changes into this machine's page cache.
                "post_worker_init": lambda _worker: cache.enabled() and start_keeper(),
            }
            for key, value in options.items():
                if key in self.cfg.settings:  # older gunicorn lacks some settings
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()


def work(workers: int, worker_type: str, scheduler: bool = True) -> None:
    """The huey job consumer in this process (with the scheduler unless told not to)."""
    from django.db import connections
    from huey.contrib.djhuey import HUEY

    import newsdesk.ingest.tasks  # noqa: F401  (registers the tasks)

    if worker_type not in {"process", "thread"}:
        raise ValueError(f"worker type must be process or thread, not {worker_type!r}")
    workers = workers or 2 * (os.cpu_count() or 1)
    connections.close_all()  # process workers are forked: none may inherit a connection
    consumer = HUEY.create_consumer(
        workers=max(1, workers),
        worker_type=worker_type,
        periodic=scheduler,
        check_worker_health=True,
        # A job lock (lock_task: fetch_images) outlives a worker killed while holding it,
        # and would skip that job for good; the scheduler's worker (one per deployment)
        # clears such leftovers when it starts.
        flush_locks=scheduler,
    )
    consumer.run()


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()


def run_web_and_worker(host: str, port: int) -> int:
    """Start ``serve`` and ``worker`` as child processes; stop both when either ends."""
    base = [sys.executable, "-m", "newsdesk"]
    children = [
        subprocess.Popen([*base, "serve", "--host", host, "--port", str(port)]),
        subprocess.Popen([*base, "worker"]),
    ]
    url = site_url(host, port)
    print(f"newsdesk is running: site {url}/  admin {url}/admin/  (Ctrl-C stops)", flush=True)
    stopping = False

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        while not stopping and all(c.poll() is None for c in children):
            time.sleep(0.5)
    finally:
        _stop(children)
    failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed and not stopping else 0
