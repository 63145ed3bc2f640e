"""The huey jobs: the scheduler claims due sources; jobs poll and ingest them."""

from __future__ import annotations

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
