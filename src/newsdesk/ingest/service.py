"""The ingest pipeline: wires the pure stages (fetch, feeds, extract) to storage.

Every request goes through the host's politeness rules (robots.txt, gap, slots,
pauses). Every fetch records its outcome on the source's row and in the fetch
log; one bad feed or page is logged and never stops the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from newsdesk.ingest.batch import Batch, changed_fields, fetch_log, log_fetch, poll_values
from newsdesk.ingest.models import FetchLog, Source
from newsdesk.ingest.politeness import (
    HostBusyError,
    RobotsDisallowedError,
    Rules,
    check_robots,
    host_row,
    pause_host,
    request_slot,
)
from newsdesk.ingest.sources import (  # noqa: F401  (re-exported for callers)
    SourceError,
    add_source,
    due_sources,
    export_opml,
    import_opml,
)
from newsdesk.pipeline import discover, extract, feeds, sitemaps
from newsdesk.pipeline.decode import decode_text, repair_mojibake
from newsdesk.pipeline.fetch import (
    Fetched,
    FetchError,
    HTTPStatusError,
    fetch,
    freshness_lifetime,
    make_client,
    retry_after_seconds,
    user_agent,
)
from newsdesk.pipeline.pagekind import page_kind
from newsdesk.pipeline.schedule import error_backoff, next_interval
from newsdesk.pipeline.urls import canonical_url
from newsdesk.stories.service import known_keys, store_article, update_from_feed

log = logging.getLogger(__name__)

HTML_TYPES = {"", "text/html", "application/xhtml+xml", "text/plain", "application/octet-stream"}
DEFAULT_PAUSE = 600.0  # a 429/503 without Retry-After pauses the host this long


@dataclass(frozen=True)
class Options:
    """The settings the ingest pipeline needs, read once."""

    user_agent: str = "newsdesk"
    timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 5_000_000
    max_items: int = 30
    max_redirects: int = 5
    min_words: int = 60
    poll_minutes: int = 30
    poll_min_minutes: int = 5
    poll_max_minutes: int = 1440
    allow_private: bool = False
    rules: Rules = field(default_factory=Rules)

    @classmethod
    def from_settings(cls, **overrides: Any) -> Options:
        """Options from the resolved newsdesk settings."""
        s = settings.NEWSDESK
        agent = user_agent(s["NEWSDESK_USER_AGENT"], s["NEWSDESK_CONTACT_URL"])
        opts = cls(
            user_agent=agent,
            timeout=s["NEWSDESK_FETCH_TIMEOUT"],
            total_timeout=s["NEWSDESK_FETCH_TOTAL_TIMEOUT"],
            max_bytes=s["NEWSDESK_MAX_BODY_BYTES"],
            max_items=s["NEWSDESK_MAX_ITEMS_PER_POLL"],
            max_redirects=s["NEWSDESK_MAX_REDIRECTS"],
            min_words=s["NEWSDESK_MIN_ARTICLE_WORDS"],
            poll_minutes=s["NEWSDESK_POLL_MINUTES"],
            poll_min_minutes=s["NEWSDESK_POLL_MIN_MINUTES"],
            poll_max_minutes=s["NEWSDESK_POLL_MAX_MINUTES"],
            allow_private=s["NEWSDESK_ALLOW_PRIVATE_NETWORKS"],
            rules=Rules(
                min_gap=s["NEWSDESK_HOST_MIN_GAP"],
                concurrency=s["NEWSDESK_HOST_CONCURRENCY"],
                agent=s["NEWSDESK_USER_AGENT"].split("/")[0],
                # A live request ends within its total timeout plus one read timeout (the
                # deadline is checked between reads); the margin covers a slow database.
                lease=s["NEWSDESK_FETCH_TOTAL_TIMEOUT"] + s["NEWSDESK_FETCH_TIMEOUT"] + 10.0,
            ),
        )
        return replace(opts, **overrides)

    def client(self) -> httpx.Client:
        """An HTTP client configured with these options."""
        return make_client(
            self.user_agent, self.timeout, self.max_redirects, allow_private=self.allow_private
        )


@dataclass(frozen=True)
class EntryOutcome:
    """What became of one feed entry: new, updated, duplicate, deferred, or why not stored."""

    url: str
    outcome: str
    message: str = ""
    article_id: int | None = None
    wait: float = 0.0  # for a deferred entry: seconds until its host may be asked


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
        ok = {"new", "updated", "duplicate", "deferred"}
        return [r for r in self.results if r.outcome not in ok]


class NotArticleError(ValueError):
    """A page holds no article; ``kind`` says what it is instead."""

    def __init__(self, message: str, kind: str = "not_article") -> None:
        super().__init__(message)
        self.kind = kind


def polite_fetch(
    client: httpx.Client, url: str, opts: Options, etag: str = "", last_modified: str = ""
) -> Fetched:
    """Fetch within the host's rules: robots.txt, gap, slots; a 429/503 pauses the host."""
    check_robots(url, client, opts.rules)
    with request_slot(url, opts.rules):
        try:
            return fetch(
                client,
                url,
                etag=etag,
                last_modified=last_modified,
                max_bytes=opts.max_bytes,
                total_timeout=opts.total_timeout,
            )
        except HTTPStatusError as err:
            if err.status in {429, 503}:
                wait = retry_after_seconds(err.retry_after, timezone.now())
                until = pause_host(url, DEFAULT_PAUSE if wait is None else wait, err.reason)
                reason = f"{err.reason}: host paused until {until:%Y-%m-%d %H:%M:%S} UTC"
                raise HTTPStatusError(url, reason, err.status or 0, err.retry_after) from err
            raise


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def _record_feed_error(source: Source, now: datetime, opts: Options, err: Exception) -> None:
    source.last_fetched_at = now
    source.last_error = str(err)
    if isinstance(err, HTTPStatusError) and err.status == 410:
        source.active, source.last_status = False, "gone"
        source.retired_reason = "HTTP 410 Gone: the publisher removed this feed"
        return
    if isinstance(err, HostBusyError | RobotsDisallowedError):
        # Not the feed's fault: no back-off growth, just wait for the host or robots.txt.
        source.last_status = "waiting" if isinstance(err, HostBusyError) else "robots"
        wait = err.wait if isinstance(err, HostBusyError) else 3600.0
        source.next_fetch_at = now + timedelta(seconds=max(wait, 60))
        return
    source.error_count += 1
    source.last_status = "error"
    paused = isinstance(err, HTTPStatusError) and err.status in {429, 503}
    backoff = error_backoff(
        source.error_count, _minutes(opts.poll_minutes), _minutes(opts.poll_max_minutes)
    )
    pause_end = host_row(source.url).paused_until if paused else None
    source.next_fetch_at = max(now + backoff, pause_end or now)


def _record_feed_success(
    source: Source,
    now: datetime,
    opts: Options,
    fetched: Fetched,
    parsed: feeds.Feed | None,
    new_items: int,
) -> None:
    previous = _minutes(source.poll_minutes or opts.poll_minutes)
    times = [e.published for e in parsed.entries] if parsed else []
    interval = next_interval(
        previous,
        new_items,
        times,
        now,
        _minutes(opts.poll_min_minutes),
        _minutes(opts.poll_max_minutes),
        freshness_lifetime(fetched.headers, now),
    )
    source.error_count = 0
    source.last_fetched_at = source.last_success_at = now
    source.last_status = "not_modified" if fetched.not_modified else "ok"
    source.last_error = ""
    source.etag = fetched.etag[:300]
    source.last_modified = fetched.last_modified[:100]
    source.poll_minutes = interval.total_seconds() / 60
    source.next_fetch_at = now + interval


def _follow_move(source: Source, moved_to: str) -> None:
    """A permanent redirect (301/308) updates the stored URL, unless another source has it."""
    if not moved_to or moved_to == source.url:
        return
    if Source.objects.filter(url=moved_to).exclude(pk=source.pk).exists():
        source.active = False
        source.retired_reason = f"moved to {moved_to}, which is already followed"
        return
    log.info("source %s moved permanently to %s", source.url, moved_to)
    source.url = moved_to


def _new_entries(source: Source, parsed: feeds.Feed, opts: Options) -> list[feeds.FeedEntry]:
    known_urls, known_guids = known_keys(
        source.pk, [e.url for e in parsed.entries], [e.guid for e in parsed.entries]
    )
    seen: set[str] = set()
    fresh: list[feeds.FeedEntry] = []
    for entry in parsed.entries:
        if entry.url in seen or entry.guid in seen:
            continue  # the same item twice in one feed
        seen.update({entry.url, entry.guid})
        if entry.guid in known_guids:
            stored = known_guids[entry.guid]
            # Only an item whose title or link changed costs a write.
            if stored and ((entry.title and entry.title != stored[0]) or entry.url != stored[1]):
                update_from_feed(source.pk, entry.guid, entry.url, entry.title)
        elif entry.url not in known_urls and len(fresh) < opts.max_items:
            fresh.append(entry)
    return fresh


SITEMAP_CHILDREN = 3  # newest child sitemaps read from a sitemap index per poll


def _from_sitemap(fetched: Fetched, client: httpx.Client, opts: Options) -> feeds.Feed:
    found = sitemaps.parse_sitemap(fetched.body, fetched.url)
    entries = list(found.entries)
    for child in found.children[:SITEMAP_CHILDREN]:
        body = polite_fetch(client, child, opts).body
        entries.extend(sitemaps.parse_sitemap(body, child).entries)
    return feeds.Feed(title="", link="", entries=tuple(entries))


def _discover_feed(
    source: Source, html: str, fetched: Fetched, client: httpx.Client, opts: Options
) -> str:
    """A feed of the site: announced by the page, else found at a usual path."""
    for url in discover.feed_links(html, fetched.url):
        return url
    for url in discover.common_feed_urls(fetched.url):
        try:
            probe = polite_fetch(client, url, opts)
            if discover.document_kind(probe.body, probe.content_type) == "feed":
                feeds.parse_feed(probe.body, probe.url, probe.content_type)
                return probe.url
        except (FetchError, feeds.FeedError):
            continue
    raise feeds.NotAFeedError(
        "not a feed: the URL returns an HTML page that names no feed, "
        "and none of the usual feed paths answers"
    )


def _from_html(
    source: Source, fetched: Fetched, client: httpx.Client, opts: Options
) -> tuple[Fetched, feeds.Feed]:
    html = decode_text(fetched.body, fetched.charset)
    if source.kind != Source.Kind.SITE:
        words = extract.prose_words(extract.extract(html, fetched.url).text)
        if source.kind == Source.Kind.PAGE or discover.looks_like_article(
            html, fetched.url, words, opts.min_words
        ):
            source.kind = Source.Kind.PAGE
            entry = feeds.FeedEntry(url=canonical_url(fetched.url) or fetched.url, guid="")
            return fetched, feeds.Feed(title="", link="", entries=(entry,))
    feed_url = _discover_feed(source, html, fetched, client, opts)
    if Source.objects.filter(url=feed_url).exclude(pk=source.pk).exists():
        raise feeds.FeedError(f"the site's feed {feed_url} is already followed")
    log.info("source %s: following the site's feed %s", source.url, feed_url)
    source.site_url, source.url, source.kind = source.url, feed_url, Source.Kind.FEED
    feed_fetch = polite_fetch(client, feed_url, opts)
    return feed_fetch, feeds.parse_feed(feed_fetch.body, feed_fetch.url, feed_fetch.content_type)


def read_source(
    source: Source, client: httpx.Client, opts: Options
) -> tuple[Fetched, feeds.Feed | None]:
    """Fetch a source and read its entries, whatever it is: feed, sitemap, article, site.

    None for the feed when a conditional request found it unchanged.
    """
    fetched = polite_fetch(client, source.url, opts, source.etag, source.last_modified)
    if fetched.not_modified:
        return fetched, None
    kind = discover.document_kind(fetched.body, fetched.content_type)
    if kind == "sitemap" or source.kind == Source.Kind.SITEMAP:
        source.kind = Source.Kind.SITEMAP
        return fetched, _from_sitemap(fetched, client, opts)
    if kind == "html":
        return _from_html(source, fetched, client, opts)
    return fetched, feeds.parse_feed(fetched.body, fetched.url, fetched.content_type)


def poll_feed(
    source: Source,
    client: httpx.Client,
    now: datetime,
    opts: Options,
    batch: Batch | None = None,
) -> PollReport:
    """Fetch and parse a source's feed; the report lists entries not stored yet.

    The source's row and the fetch log line go to ``batch`` (written at once without one).
    """
    batch = batch or Batch()
    before = poll_values(source)
    report = PollReport(source_id=source.pk, url=source.url)
    started = time.monotonic()
    try:
        fetched, parsed = read_source(source, client, opts)
    except (FetchError, feeds.FeedError, HostBusyError) as err:
        log.warning("feed error: source=%s url=%s: %s", source.pk, source.url, err)
        _record_feed_error(source, now, opts, err)
        outcome = {"waiting": "waiting", "robots": "robots", "gone": "gone"}.get(
            source.last_status, "error"
        )
        row = fetch_log(
            source,
            "feed",
            source.url,
            started,
            now,
            outcome=outcome,
            http_status=getattr(err, "status", None),
            message=str(err),
        )
        _keep(batch, source, before, row)
        report.outcome, report.message = outcome, str(err)
        return report
    _follow_move(source, fetched.moved_to)
    if parsed is None:
        report.outcome = "not_modified"
    else:
        source.title = source.title or parsed.title[:300]
        source.site_url = source.site_url or parsed.link[:2000]
        report.entries = len(parsed.entries)
        report.new_entries = _new_entries(source, parsed, opts)
    _record_feed_success(source, now, opts, fetched, parsed, len(report.new_entries))
    row = fetch_log(
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
    _keep(batch, source, before, row)
    return report


def _keep(batch: Batch, source: Source, before: dict[str, Any], row: FetchLog) -> None:
    changed = changed_fields(source, before)
    batch.add(source.pk, changed, row)
    if "url" in changed:
        batch.flush()  # at once: the next source's "already followed?" check must see it


def _extract_page(entry: feeds.FeedEntry, client: httpx.Client, opts: Options) -> Any:
    fetched = polite_fetch(client, entry.url, opts)
    if fetched.content_type not in HTML_TYPES:
        raise NotArticleError(f"not an article page: content type {fetched.content_type}")
    html = decode_text(fetched.body, fetched.charset)
    page = extract.extract(html, fetched.url)
    kind = page_kind(html, page.word_count)
    if kind:
        raise NotArticleError(f"not an article: a {kind.replace('_', ' ')} page", kind)
    if not page.title:
        raise NotArticleError("not an article: no headline found")
    if page.word_count < opts.min_words:
        raise NotArticleError(f"not an article: {page.word_count} words of text")
    return replace(
        page,
        title=repair_mojibake(page.title),
        text=repair_mojibake(page.text),
        description=repair_mojibake(page.description),
    )


def ingest_entry(
    source: Source, entry: feeds.FeedEntry, client: httpx.Client, now: datetime, opts: Options
) -> EntryOutcome:
    """Fetch, extract and store one feed entry's article; record the outcome."""
    started = time.monotonic()
    try:
        page = _extract_page(entry, client, opts)
    except HostBusyError as err:
        return EntryOutcome(entry.url, "deferred", str(err), wait=err.wait)
    except (FetchError, NotArticleError) as err:
        outcome = getattr(
            err, "kind", "robots" if isinstance(err, RobotsDisallowedError) else "error"
        )
        log.warning("page %s: source=%s url=%s: %s", outcome, source.pk, entry.url, err)
        log_fetch(
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
    log_fetch(
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
    batch: Batch | None = None,
) -> PollReport:
    """Poll a feed and ingest each of its new entries, in one call."""
    report = poll_feed(source, client, now, opts, batch)
    if batch and report.new_entries:
        batch.flush()  # the source's row is written again below: keep the order of writes
    for entry in report.new_entries:
        result = ingest_entry(source, entry, client, now, opts)
        report.results.append(result)
        if on_entry:
            on_entry(result)
    if source.kind == Source.Kind.PAGE and any(
        r.outcome in {"new", "duplicate"} for r in report.results
    ):
        # A single article is read once; there is nothing more to poll.
        Source.objects.filter(pk=source.pk).update(
            active=False, last_status="done", retired_reason="single article stored"
        )
    if report.failed:
        Source.objects.filter(pk=source.pk).update(
            last_error=f"{len(report.failed)} of {len(report.new_entries)} items failed; "
            f"last: {report.failed[-1].url}: {report.failed[-1].message}"
        )
    return report
