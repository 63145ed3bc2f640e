"""Prometheus metrics at ``/metrics``: the site's state, read from the database at scrape
time, the job queue's depth, and page latency recorded by a middleware.

Everything but latency is computed from the database and the queue when scraped, so every
web process (and machine) gives the same figures. Latency lives in each process: with
several gunicorn workers, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder writable by
the web server (docs/deploy/newsdesk-web.service does) and the histograms of every worker
are summed there; ``newsdesk serve`` empties it at start and forgets workers that exit.
Without it, each process reports its own histogram.

Access: from loopback always; from elsewhere only with ``Authorization: Bearer <token>``
matching ``NEWSDESK_METRICS_TOKEN`` (403 otherwise). Behind a reverse proxy the reader's
own address counts (see comments/addresses.py), not the proxy's.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from newsdesk.comments.addresses import client_ip

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
RECENT = timedelta(minutes=5)  # the window of newsdesk_articles_per_second
FETCH_WINDOW = timedelta(hours=1)

REQUEST_SECONDS = Histogram(
    "newsdesk_request_duration_seconds",
    "Time to answer a request, by view name ('other' when no URL matched).",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def multiprocess_dir() -> str:
    return os.environ.get(MULTIPROC_ENV, "")


# --- page latency --------------------------------------------------------------------------


class LatencyMiddleware:
    """Times every request into ``newsdesk_request_duration_seconds{view=...}``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        start = time.perf_counter()
        try:
            return self.get_response(request)
        finally:
            REQUEST_SECONDS.labels(view_label(request)).observe(time.perf_counter() - start)


def view_label(request: HttpRequest) -> str:
    """The matched URL's name (with its namespace), or 'other': a bounded set of labels."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return "other"
    return str(match.view_name)


# --- figures read at scrape time -----------------------------------------------------------


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


class DatabaseCollector(Collector):
    """Gauges computed from the database when scraped."""

    def collect(self) -> Iterable[Metric]:
        try:
            metrics = list(self._collect())
        except Exception:  # a scrape must still answer, saying the database is down
            log.exception("metrics: the database figures failed")
            yield _gauge("newsdesk_database_up", "1 if the database answered.", 0)
            return
        yield _gauge("newsdesk_database_up", "1 if the database answered.", 1)
        yield from metrics

    def _collect(self) -> Iterator[Metric]:
        from newsdesk.comments.models import Comment, Status
        from newsdesk.ingest.models import FetchLog, Host, Source
        from newsdesk.stories.models import Article, Image, Story

        now = timezone.now()
        recent = Article.objects.filter(fetched_at__gte=now - RECENT).count()
        yield _gauge("newsdesk_articles", "Articles stored.", Article.objects.count())
        yield _gauge(
            "newsdesk_articles_recent",
            f"Articles stored in the last {int(RECENT.total_seconds())} seconds.",
            recent,
        )
        yield _gauge(
            "newsdesk_articles_per_second",
            f"Articles stored per second over the last {int(RECENT.total_seconds())} seconds.",
            recent / RECENT.total_seconds(),
        )
        yield _gauge("newsdesk_stories", "Stories.", Story.objects.count())

        counts = Source.objects.aggregate(
            n_active=Count("pk", filter=Q(active=True, error_count=0)),
            n_failing=Count("pk", filter=Q(active=True, error_count__gt=0)),
            n_retired=Count("pk", filter=Q(active=False)),
        )
        sources = GaugeMetricFamily(
            "newsdesk_sources",
            "Sources by status: active (last fetch fine), failing (active, last fetch "
            "failed), retired (no longer polled).",
            labels=["status"],
        )
        for status in ("active", "failing", "retired"):
            sources.add_metric([status], counts[f"n_{status}"] or 0)
        yield sources

        fetches = GaugeMetricFamily(
            "newsdesk_fetches_last_hour",
            "Fetches logged in the last hour, by stage (feed, page) and outcome.",
            labels=["stage", "outcome"],
        )
        rows = (
            FetchLog.objects.filter(started_at__gte=now - FETCH_WINDOW)
            .values_list("stage", "outcome")
            .annotate(n=Count("pk"))
            .order_by("stage", "outcome")
        )
        for stage, outcome, n in rows:
            fetches.add_metric([stage, outcome or "unknown"], n)
        yield fetches

        yield _gauge(
            "newsdesk_hosts_paused",
            "Hosts whose requests are paused now (rate limits, robots.txt errors).",
            Host.objects.filter(paused_until__gt=now).count(),
        )

        images = GaugeMetricFamily("newsdesk_images", "Lead images by status.", labels=["status"])
        by_status = dict(
            Image.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
        )
        for status in [*Image.Status.values, *sorted(set(by_status) - set(Image.Status.values))]:
            images.add_metric([status], by_status.get(status, 0))
        yield images

        yield _gauge(
            "newsdesk_comments_pending",
            "Comments awaiting moderation.",
            Comment.objects.filter(status=Status.PENDING).count(),
        )


def queue_depth() -> tuple[int, int]:
    """(jobs waiting, jobs scheduled for later) in the job queue; raises if it is down."""
    from huey.contrib.djhuey import HUEY

    return int(HUEY.pending_count()), int(HUEY.scheduled_count())


def in_flight() -> int | None:
    """Jobs being run, on a queue that holds them until done (Redis); else None."""
    from huey.contrib.djhuey import HUEY

    count = getattr(HUEY.storage, "in_flight", None)
    return int(count()) if count else None


class QueueCollector(Collector):
    """The job queue's depth when scraped; ``newsdesk_queue_up 0`` when it does not answer."""

    def collect(self) -> Iterable[Metric]:
        try:
            pending, scheduled = queue_depth()
        except Exception:
            log.exception("metrics: job queue unreachable")
            yield _gauge("newsdesk_queue_up", "1 if the job queue answered.", 0)
            return
        yield _gauge("newsdesk_queue_up", "1 if the job queue answered.", 1)
        yield _gauge("newsdesk_queue_pending", "Jobs waiting in the queue.", pending)
        yield _gauge(
            "newsdesk_queue_scheduled", "Jobs scheduled to run later (retries, delays).", scheduled
        )
        flight = in_flight()
        if flight is not None:
            yield _gauge(
                "newsdesk_queue_in_flight", "Jobs taken by workers and not yet done.", flight
            )


class _ProcessCollector(Collector):
    """This process's default registry: page latency, and Python's own process metrics."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def registry() -> CollectorRegistry:
    """A registry of everything one scrape shows."""
    scrape = CollectorRegistry(auto_describe=False)  # nothing is collected at register time
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(scrape)
    else:
        scrape.register(_ProcessCollector())
    scrape.register(DatabaseCollector())
    scrape.register(QueueCollector())
    return scrape


# --- the view --------------------------------------------------------------------------------


def allowed(request: HttpRequest) -> bool:
    """Loopback readers always; others with the bearer token, when one is configured."""
    try:
        if ipaddress.ip_address(client_ip(request)).is_loopback:
            return True
    except ValueError:
        pass
    token = str(settings.NEWSDESK.get("NEWSDESK_METRICS_TOKEN") or "")
    if not token:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition of registry(); never cached."""
    if not allowed(request):
        response = HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    else:
        response = HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def forget_process(pid: int) -> None:
    """Multiprocess mode: drop a dead web worker's live gauges (gunicorn child_exit)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def reset_multiprocess_dir() -> None:
    """Multiprocess mode: empty the folder at server start, so old runs do not add up."""
    folder = multiprocess_dir()
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))
