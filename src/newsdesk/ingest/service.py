"""The ingest pipeline: wires the pure stages (fetch, feeds, extract) to storage.

Every fetch records its outcome on the source's row and in the fetch log; one bad
feed or page is logged and never stops the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.db.models import Q

from newsdesk.ingest.models import FetchLog, Source
from newsdesk.pipeline import extract, feeds
from newsdesk.pipeline.decode import decode_text
from newsdesk.pipeline.fetch import FetchError, fetch, make_client, user_agent
from newsdesk.pipeline.urls import canonical_url
from newsdesk.stories.service import known_article, store_article

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
HTML_TYPES = {"", "text/html", "application/xhtml+xml", "text/plain", "application/octet-stream"}


@dataclass(frozen=True)
class Options:
    """The settings the ingest pipeline needs, read once."""

    user_agent: str = "newsdesk"
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_items: int = 30
    min_words: int = 60
    poll_minutes: int = 30

    @classmethod
    def from_settings(cls) -> Options:
        """Options from the resolved newsdesk settings."""
        s = settings.NEWSDESK
        return cls(
            user_agent=user_agent(s["NEWSDESK_USER_AGENT"], s["NEWSDESK_CONTACT_URL"]),
            timeout=s["NEWSDESK_FETCH_TIMEOUT"],
            max_bytes=s["NEWSDESK_MAX_BODY_BYTES"],
            max_items=s["NEWSDESK_MAX_ITEMS_PER_POLL"],
            min_words=s["NEWSDESK_MIN_ARTICLE_WORDS"],
            poll_minutes=s["NEWSDESK_POLL_MINUTES"],
        )

    def client(self) -> httpx.Client:
        """An HTTP client configured with these options."""
        return make_client(self.user_agent, self.timeout)


@dataclass(frozen=True)
class EntryOutcome:
    """What became of one feed entry: new, duplicate, not_article or error."""

    url: str
    outcome: str
    message: str = ""
    article_id: int | None = None


@dataclass
class PollReport:
    """What one poll of a source did."""

    source_id: int
    url: str
    outcome: str = "ok"
    message: str = ""
    entries: int = 0
    new_entries: list[feeds.FeedEntry] = field(default_factory=list)
    results: list[EntryOutcome] = field(default_factory=list)

    @property
    def new_articles(self) -> int:
        """Articles stored by this poll."""
        return sum(1 for r in self.results if r.outcome == "new")

    @property
    def failed(self) -> list[EntryOutcome]:
        """Entries that could not be stored as articles."""
        return [r for r in self.results if r.outcome in {"error", "not_article"}]


class SourceError(ValueError):
    """A source cannot be added: the message says why."""


def add_source(url: str, title: str = "", section: str = "") -> tuple[Source, bool]:
    """Follow ``url``; return the source and whether it is new."""
    clean = canonical_url(url)
    if not clean:
        raise SourceError(f"not an http(s) URL: {url!r}")
    source, created = Source.objects.get_or_create(
        url=clean, defaults={"title": title[:300], "section": section[:100]}
    )
    return source, created


def import_opml(body: bytes) -> tuple[int, int]:
    """Follow every feed of an OPML list (folders become sections); (added, already known)."""
    added = known = 0
    for outline in feeds.read_opml(body):
        try:
            _, created = add_source(outline.url, outline.title, outline.folder)
        except SourceError as err:
            log.warning("opml import: skipping %s: %s", outline.url, err)
            continue
        added, known = (added + 1, known) if created else (added, known + 1)
    return added, known


def export_opml() -> str:
    """Every source as an OPML document, sections as folders."""
    outlines = [
        feeds.Outline(url=s.url, title=s.title, folder=s.section) for s in Source.objects.all()
    ]
    return feeds.write_opml(outlines)


def due_sources(now: datetime) -> list[Source]:
    """Active sources whose next poll time has come (or was never set)."""
    query = Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now)
    return list(Source.objects.filter(query, active=True).order_by("next_fetch_at", "pk"))


def _backoff(errors: int, poll_minutes: int) -> timedelta:
    return min(timedelta(minutes=poll_minutes) * (2 ** min(errors, 10)), MAX_BACKOFF)


def _log_fetch(
    source: Source, stage: str, url: str, started: float, now: datetime, **kw: Any
) -> None:
    duration = int((time.monotonic() - started) * 1000)
    FetchLog.objects.create(
        source=source, stage=stage, url=url[:2000], started_at=now, duration_ms=duration, **kw
    )


def _record_feed_error(source: Source, now: datetime, opts: Options, err: Exception) -> None:
    source.error_count += 1
    source.last_fetched_at = now
    source.last_status = "error"
    source.last_error = str(err)
    source.next_fetch_at = now + _backoff(source.error_count, opts.poll_minutes)
    source.save()


def _record_feed_success(source: Source, now: datetime, opts: Options, fetched: Any) -> None:
    source.error_count = 0
    source.last_fetched_at = source.last_success_at = now
    source.last_status = "not_modified" if fetched.not_modified else "ok"
    source.last_error = ""
    source.etag = fetched.etag[:300]
    source.last_modified = fetched.last_modified[:100]
    source.next_fetch_at = now + timedelta(minutes=opts.poll_minutes)
    source.save()


def poll_feed(source: Source, client: httpx.Client, now: datetime, opts: Options) -> PollReport:
    """Fetch and parse a source's feed; the report lists entries not stored yet."""
    report = PollReport(source_id=source.pk, url=source.url)
    started = time.monotonic()
    try:
        fetched = fetch(
            client,
            source.url,
            etag=source.etag,
            last_modified=source.last_modified,
            max_bytes=opts.max_bytes,
        )
        parsed = (
            None
            if fetched.not_modified
            else feeds.parse_feed(fetched.body, fetched.url, fetched.content_type)
        )
    except (FetchError, feeds.FeedError) as err:
        log.warning("feed error: source=%s url=%s: %s", source.pk, source.url, err)
        _record_feed_error(source, now, opts, err)
        status = getattr(err, "status", None)
        _log_fetch(
            source,
            "feed",
            source.url,
            started,
            now,
            outcome="error",
            http_status=status,
            message=str(err),
        )
        report.outcome, report.message = "error", str(err)
        return report
    if parsed is None:
        report.outcome = "not_modified"
    else:
        source.title = source.title or parsed.title[:300]
        source.site_url = source.site_url or parsed.link[:2000]
        report.entries = len(parsed.entries)
        report.new_entries = [
            e for e in parsed.entries if not known_article(e.url, e.guid, source.pk)
        ][: opts.max_items]
    _record_feed_success(source, now, opts, fetched)
    _log_fetch(
        source,
        "feed",
        source.url,
        started,
        now,
        outcome=report.outcome,
        http_status=fetched.status,
        items=report.entries,
        new_articles=len(report.new_entries),
    )
    return report


class NotArticleError(ValueError):
    """A page holds no article (a gallery, a video, a login wall, a list of links)."""


def _extract_page(entry: feeds.FeedEntry, client: httpx.Client, opts: Options) -> Any:
    fetched = fetch(client, entry.url, max_bytes=opts.max_bytes)
    if fetched.content_type not in HTML_TYPES:
        raise NotArticleError(f"not an article page: content type {fetched.content_type}")
    html = decode_text(fetched.body, fetched.charset)
    page = extract.extract(html, fetched.url)
    if not page.title:
        raise NotArticleError("not an article: no headline found")
    if page.word_count < opts.min_words:
        raise NotArticleError(f"not an article: {page.word_count} words of text")
    return page


def ingest_entry(
    source: Source, entry: feeds.FeedEntry, client: httpx.Client, now: datetime, opts: Options
) -> EntryOutcome:
    """Fetch, extract and store one feed entry's article; record the outcome."""
    started = time.monotonic()
    try:
        page = _extract_page(entry, client, opts)
    except (FetchError, NotArticleError) as err:
        outcome = "not_article" if isinstance(err, NotArticleError) else "error"
        log.warning("page %s: source=%s url=%s: %s", outcome, source.pk, entry.url, err)
        _log_fetch(
            source,
            "page",
            entry.url,
            started,
            now,
            outcome=outcome,
            http_status=getattr(err, "status", None),
            message=str(err),
        )
        Source.objects.filter(pk=source.pk).update(last_error=f"item {entry.url}: {err}")
        return EntryOutcome(entry.url, outcome, str(err))
    article = store_article(
        page,
        source_id=source.pk,
        now=now,
        guid=entry.guid,
        feed_time=entry.published,
        section=source.section,
    )
    outcome = "new" if article else "duplicate"
    _log_fetch(
        source,
        "page",
        entry.url,
        started,
        now,
        outcome=outcome,
        http_status=200,
        new_articles=1 if article else 0,
    )
    return EntryOutcome(entry.url, outcome, "", article.pk if article else None)


def poll_source(
    source: Source,
    client: httpx.Client,
    now: datetime,
    opts: Options,
    on_entry: Callable[[EntryOutcome], None] | None = None,
) -> PollReport:
    """Poll a feed and ingest each of its new entries, in one call."""
    report = poll_feed(source, client, now, opts)
    for entry in report.new_entries:
        result = ingest_entry(source, entry, client, now, opts)
        report.results.append(result)
        if on_entry:
            on_entry(result)
    if report.failed:
        Source.objects.filter(pk=source.pk).update(
            last_error=f"{len(report.failed)} of {len(report.new_entries)} items failed; "
            f"last: {report.failed[-1].url}: {report.failed[-1].message}"
        )
    return report
