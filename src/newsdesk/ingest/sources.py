"""Following sources: add, import and export OPML, find the ones due for a poll."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import Q

from newsdesk.ingest.models import Source
from newsdesk.pipeline import feeds
from newsdesk.pipeline.urls import canonical_url

log = logging.getLogger(__name__)


class SourceError(ValueError):
    """A source cannot be added: the message says why."""


def add_source(
    url: str, title: str = "", section: str = "", kind: str = Source.Kind.FEED
) -> tuple[Source, bool]:
    """Follow ``url``; return the source and whether it is new.

    A "feed" that turns out to be a sitemap, an article or a home page is recognised
    at its first poll; ``kind`` forces the reading (e.g. "site" for a home page).
    """
    clean = canonical_url(url)
    if not clean:
        raise SourceError(f"not an http(s) URL: {url!r}")
    if kind not in Source.Kind.values:
        raise SourceError(f"unknown kind {kind!r}: choose from {', '.join(Source.Kind.values)}")
    source, created = Source.objects.get_or_create(
        url=clean, defaults={"title": title[:300], "section": section[:100], "kind": kind}
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


def due_sources(now: datetime, force: bool = False) -> list[Source]:
    """Active sources whose next poll time has come (every active one when ``force``)."""
    query = Q(active=True)
    if not force:
        query &= Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now)
    return list(Source.objects.filter(query).order_by("next_fetch_at", "pk"))
