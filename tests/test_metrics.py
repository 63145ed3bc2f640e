"""/metrics: figures read from the database, queue depth, page latency, access rules;
and /healthz's report of the database and the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from newsdesk.comments.models import Comment, Status
from newsdesk.ingest.models import FetchLog, Host, Source
from newsdesk.site import metrics
from newsdesk.stories.models import Article, Image, Story
from newsroom import build

pytestmark = pytest.mark.django_db


def scrape(client: Client, **extra: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of one scrape, keyed by (name, sorted labels)."""
    response = client.get("/metrics", **extra)  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE_LATEST
    assert response["Cache-Control"] == "no-store"
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def test_figures_match_the_database(client: Client) -> None:
    room = build()
    now = timezone.now()
    # Two articles stored just now, the rest earlier: the 5-minute window counts two.
    Article.objects.filter(pk__in=[room.alpha.pk, room.beta.pk]).update(fetched_at=now)
    failing = Source.objects.create(url="https://broken.example/feed", error_count=3)
    Source.objects.create(url="https://gone.example/feed", active=False, last_status="gone")
    feed = FetchLog.Stage.FEED
    for outcome in ("ok", "ok", "error"):
        FetchLog.objects.create(source=failing, stage=feed, url=failing.url, started_at=now,
                                outcome=outcome)  # fmt: skip
    FetchLog.objects.create(  # two hours old: outside the window
        source=failing, stage=feed, url=failing.url, started_at=now - timedelta(hours=2),
        outcome="error",
    )  # fmt: skip
    Host.objects.create(name="slow.example", paused_until=now + timedelta(minutes=10))
    Host.objects.create(name="fine.example", paused_until=now - timedelta(minutes=10))
    Comment.objects.create(story=room.flood, name="A", text="Held", fingerprint="a",
                           created_at=now)  # fmt: skip
    Comment.objects.create(story=room.flood, name="B", text="Shown", fingerprint="b",
                           status=Status.APPROVED, created_at=now)  # fmt: skip

    samples = scrape(client)

    assert value(samples, "newsdesk_database_up") == 1
    assert value(samples, "newsdesk_articles") == Article.objects.count() == 4
    assert value(samples, "newsdesk_articles_recent") == 2
    assert value(samples, "newsdesk_articles_per_second") == pytest.approx(2 / 300)
    assert value(samples, "newsdesk_stories") == Story.objects.count() == 3
    active = Source.objects.filter(active=True, error_count=0).count()
    assert active == 4  # build()'s four outlets
    assert value(samples, "newsdesk_sources", status="active") == active
    assert value(samples, "newsdesk_sources", status="failing") == 1
    assert value(samples, "newsdesk_sources", status="retired") == 1
    assert value(samples, "newsdesk_fetches_last_hour", stage="feed", outcome="ok") == 2
    assert value(samples, "newsdesk_fetches_last_hour", stage="feed", outcome="error") == 1
    assert value(samples, "newsdesk_hosts_paused") == 1
    ready = Image.objects.filter(status=Image.Status.READY).count()
    assert ready == 1  # the flood story's lead image
    assert value(samples, "newsdesk_images", status="ready") == ready
    assert value(samples, "newsdesk_images", status="failed") == 0
    assert value(samples, "newsdesk_comments_pending") == 1


def test_a_page_request_is_timed_under_its_view_name(client: Client) -> None:
    build()
    key = "newsdesk_request_duration_seconds_count"
    before = scrape(client).get((key, (("view", "sources"),)), 0.0)
    assert client.get("/sources").status_code == 200
    assert client.get("/sources").status_code == 200
    client.get("/no-such-page")
    after = scrape(client)
    assert value(after, key, view="sources") == before + 2
    assert value(after, key, view="other") >= 1
    # The sum of the histogram's buckets agrees with its count.
    assert value(after, "newsdesk_request_duration_seconds_bucket", view="sources", le="+Inf") == (
        value(after, key, view="sources")
    )


def test_queue_depth(client: Client) -> None:
    from huey.contrib.djhuey import HUEY

    samples = scrape(client)
    assert value(samples, "newsdesk_queue_up") == 1
    assert value(samples, "newsdesk_queue_pending") == HUEY.pending_count()
    assert value(samples, "newsdesk_queue_scheduled") == HUEY.scheduled_count()


def test_jobs_in_flight_are_counted_on_a_queue_that_holds_them(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY.storage, "in_flight", lambda: 3, raising=False)
    assert value(scrape(client), "newsdesk_queue_in_flight") == 3


def test_a_queue_that_does_not_answer_is_reported_not_a_500(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huey.contrib.djhuey import HUEY

    def down() -> int:
        raise ConnectionError("queue unreachable")

    monkeypatch.setattr(HUEY, "pending_count", down)
    samples = scrape(client)
    assert value(samples, "newsdesk_queue_up") == 0
    assert ("newsdesk_queue_pending", ()) not in samples
    assert value(samples, "newsdesk_database_up") == 1

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "queue": "error: ConnectionError"}


def test_access_from_elsewhere_needs_the_token(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 403  # no token configured

    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_METRICS_TOKEN": "s3cret-token"}
    denied = client.get("/metrics", **outside)
    assert denied.status_code == 403
    assert denied["Cache-Control"] == "no-store"
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **outside)
    assert wrong.status_code == 403
    basic = client.get("/metrics", HTTP_AUTHORIZATION="Basic s3cret-token", **outside)
    assert basic.status_code == 403
    samples = scrape(client, HTTP_AUTHORIZATION="Bearer s3cret-token", **outside)
    assert value(samples, "newsdesk_database_up") == 1

    # Loopback needs no token; IPv6 loopback too.
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_a_reader_behind_the_local_proxy_is_not_loopback(client: Client) -> None:
    """nginx on the same machine connects from 127.0.0.1: the reader it names counts."""
    proxied = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.get("/metrics", **proxied).status_code == 403
    local = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    assert client.get("/metrics", **local).status_code == 200


def test_multiprocess_mode_reads_the_shared_folder(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(tmp_path))
    (tmp_path / "stale.db").write_bytes(b"")
    metrics.reset_multiprocess_dir()
    assert not list(tmp_path.iterdir())
    samples = scrape(client)
    assert value(samples, "newsdesk_articles") == 0
    # This process's default registry (python_info, ...) is not read in that mode.
    assert not any(name.startswith("python_") for name, _ in samples)


def test_health_reports_database_and_queue(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    ok = client.get("/healthz")
    assert ok.status_code == 200
    assert ok.json() == {"status": "ok", "database": "ok", "queue": "ok"}

    from newsdesk.site import views

    class Down:
        def cursor(self) -> None:
            raise OSError("database unreachable")

    monkeypatch.setattr(views, "connection", Down())
    down = client.get("/healthz")
    assert down.status_code == 503
    assert down.json() == {"status": "error", "database": "error: OSError", "queue": "ok"}
