"""The huey jobs: the scheduler claims due sources; jobs poll and ingest them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from newsdesk.ingest import tasks
from newsdesk.ingest.models import Source
from newsdesk.stories.models import Article

pytestmark = pytest.mark.django_db


def test_scheduler_polls_due_sources_through_the_queue(site_server) -> None:
    base, _ = site_server
    due = Source.objects.create(url=f"{base}/feed.xml")
    later = Source.objects.create(
        url=f"{base}/atom.xml", next_fetch_at=timezone.now() + timedelta(hours=1)
    )
    # Immediate mode: enqueued jobs run at once, so this runs the whole pipeline.
    assert tasks.schedule_due_sources.call_local() == 1
    assert Article.objects.count() == 3
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.last_status == "ok"
    assert due.next_fetch_at > timezone.now() + timedelta(minutes=20)
    assert later.last_fetched_at is None


def test_a_source_removed_before_its_job_runs_is_ignored() -> None:
    assert tasks.poll_source_job.call_local(123456) == 0


def test_inactive_sources_are_not_scheduled(site_server) -> None:
    base, _ = site_server
    Source.objects.create(url=f"{base}/feed.xml", active=False)
    assert tasks.schedule_due_sources.call_local() == 0
    assert not Article.objects.exists()


def test_first_run_follows_the_shipped_starter_feeds(settings) -> None:
    from newsdesk import runtime

    settings.NEWSDESK = {
        **settings.NEWSDESK,
        "NEWSDESK_ADMIN_PASSWORD": "",
        "NEWSDESK_STARTER_SOURCES": True,
    }
    lines = runtime.first_run()
    assert any("created admin user 'admin' with password" in line for line in lines)
    assert any("starter world-news feeds" in line for line in lines)
    assert Source.objects.count() >= 5
    assert set(Source.objects.values_list("section", flat=True)) == {"World"}
    # A second start changes nothing.
    assert runtime.first_run() == []


def test_an_entry_for_a_paused_host_is_rescheduled(site_server, monkeypatch) -> None:
    from newsdesk.ingest.models import Host
    from newsdesk.pipeline.feeds import FeedEntry

    base, requests = site_server
    source = Source.objects.create(url=f"{base}/feed.xml")
    Host.objects.create(
        name=base.removeprefix("http://"), paused_until=timezone.now() + timedelta(hours=1)
    )
    scheduled = []
    monkeypatch.setattr(
        tasks.ingest_entry_job, "schedule", lambda args, delay: scheduled.append((args, delay))
    )
    entry = FeedEntry(f"{base}/news/kursk-offensive.html", "g")
    assert tasks.ingest_entry_job.call_local(source.pk, entry) == "deferred"
    assert scheduled and scheduled[0][1] > 3000
    assert requests == []


def test_every_job_is_registered_once_django_is_set_up(tmp_path) -> None:
    """`newsdesk worker` imports the ingest jobs itself; the others, lead images included,
    must be registered by their apps, or the worker's scheduler never runs them. A fresh
    process, since this one may have imported the job modules already."""
    code = (
        "import django; django.setup(); from huey.contrib.djhuey import HUEY; "
        "print(' '.join(HUEY._registry._registry))"
    )
    env = {**_plain_env(tmp_path), "DJANGO_SETTINGS_MODULE": "newsdesk.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "newsdesk.stories.tasks.fetch_images" in done.stdout.split()
    assert "newsdesk.stories.tasks.summarize_stories" in done.stdout.split()


def test_the_scheduler_clears_a_job_lock_left_by_a_killed_worker(tmp_path) -> None:
    """A worker killed inside fetch_images leaves its lock in the queue; without clearing it
    at start, every later run of the job would be refused ("unable to acquire lock")."""
    from huey import SqliteHuey

    queue = SqliteHuey("newsdesk", filename=str(tmp_path / "queue.sqlite3"))
    queue.storage.put_data("newsdesk.lock.fetch-images", b"1")  # as lock_task writes it
    queue.storage.close()
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "newsdesk", "worker", "--workers", "1"],
            env=_plain_env(tmp_path),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60  # the scheduler queues the job as it starts
        while time.monotonic() < deadline:
            if "fetch_images" in _executed(log) or "unable to acquire lock" in log.read_text():
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    text = log.read_text()
    assert "fetch_images" in _executed(log), text
    assert "unable to acquire lock" not in text


def _plain_env(data_dir) -> dict[str, str]:
    """This environment without the run's own settings: SQLite and its queue in ``data_dir``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)
    return {**clean, "NEWSDESK_DATA_DIR": str(data_dir), "NEWSDESK_STARTER_SOURCES": "false"}


def _executed(log) -> str:
    return " ".join(line for line in log.read_text().splitlines() if "executed in" in line)


def test_two_schedulers_at_once_queue_a_source_once(monkeypatch) -> None:
    """Each worker started without --no-scheduler runs the scheduler: both read the same due
    sources at the same moment, and only the one whose claim lands queues the poll."""
    source = Source.objects.create(url="https://one.example/feed.xml")
    seen = list(Source.objects.filter(pk=source.pk))  # what both schedulers read
    queued: list[int] = []
    monkeypatch.setattr(tasks, "due_sources", lambda now: [Source(**vars_of(s)) for s in seen])
    monkeypatch.setattr(tasks, "poll_source_job", queued.append)
    assert tasks.schedule_due_sources.call_local() == 1
    assert tasks.schedule_due_sources.call_local() == 0
    assert queued == [source.pk]


def vars_of(source: Source) -> dict:
    return {f.attname: getattr(source, f.attname) for f in Source._meta.concrete_fields}
