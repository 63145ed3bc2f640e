"""Store extracted articles and attach each one to a story."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, time

from django.conf import settings
from django.db import IntegrityError, transaction

from newsdesk.pipeline.extract import Extracted, prose_words
from newsdesk.pipeline.urls import host_of
from newsdesk.stories.clustering import assigner
from newsdesk.stories.images import attach
from newsdesk.stories.models import Article, Tombstone
from newsdesk.stories.sections import section_for
from newsdesk.stories.site_lines import backfill_due, clean_site_text, site_host

log = logging.getLogger(__name__)


def text_hash(text: str) -> str:
    """A hash of the text with whitespace and case squashed, for exact-copy checks."""
    return hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def publication_time(
    extracted_date: str | None, feed_time: datetime | None, now: datetime
) -> datetime:
    """When the article was published: the feed's time when it agrees with the page's day."""
    page_day = None
    if extracted_date:
        try:
            page_day = datetime.strptime(extracted_date[:10], "%Y-%m-%d").date()
        except ValueError:
            page_day = None
    if feed_time and (page_day is None or feed_time.date() == page_day):
        return min(feed_time, now)
    if page_day:
        return min(datetime.combine(page_day, time(0, 0), tzinfo=UTC), now)
    return now


def known_article(canonical_url: str, guid: str = "", source_id: int | None = None) -> bool:
    """True when this canonical URL (or this GUID from this source) is stored or was deleted."""
    if Article.objects.filter(canonical_url=canonical_url).exists():
        return True
    if Tombstone.objects.filter(canonical_url=canonical_url).exists():
        return True
    if not guid or source_id is None:
        return False
    if Tombstone.objects.filter(source_id=source_id, guid=guid).exists():
        return True
    return Article.objects.filter(source_id=source_id, guid=guid).exists()


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def known_keys(
    source_id: int, urls: list[str], guids: list[str]
) -> tuple[set[str], dict[str, tuple[str, str] | None]]:
    """Of these URLs and this source's GUIDs, the ones already stored or buried (few queries).

    Stored GUIDs map to their article's (title, canonical URL); buried ones to None.
    """
    known_urls: set[str] = set()
    known_guids: dict[str, tuple[str, str] | None] = {}
    for chunk in _chunks(sorted(set(urls))):
        known_urls.update(
            Article.objects.filter(canonical_url__in=chunk).values_list("canonical_url", flat=True)
        )
        known_urls.update(
            Tombstone.objects.filter(canonical_url__in=chunk).values_list(
                "canonical_url", flat=True
            )
        )
    for chunk in _chunks(sorted({g for g in guids if g})):
        buried = Tombstone.objects.filter(source_id=source_id, guid__in=chunk)
        known_guids.update(dict.fromkeys(buried.values_list("guid", flat=True)))
        stored = Article.objects.filter(source_id=source_id, guid__in=chunk)
        for guid, title, url in stored.values_list("guid", "title", "canonical_url"):
            known_guids[guid] = (title, url)
    return known_urls, known_guids


def update_from_feed(source_id: int, guid: str, url: str, title: str) -> bool:
    """Apply a feed's new title or URL to the article it knows by GUID; False if unknown."""
    if not guid:
        return False
    article = Article.objects.filter(source_id=source_id, guid=guid).first()
    if article is None:
        return False
    changed = []
    if title and title != article.title:
        article.title = title[:500]
        changed.append("title")
    taken = Article.objects.filter(canonical_url=url).exclude(pk=article.pk).exists()
    if url and url != article.canonical_url and not taken:
        article.url = article.canonical_url = url
        changed += ["url", "canonical_url"]
    if changed:
        article.save(update_fields=changed)
        log.info("article %s updated from its feed: %s", article.pk, ", ".join(changed))
    return True


def _drop_site_template(article: Article, now: datetime) -> None:
    """Remove the lines that are template on the article's site (and count its lines);
    start a backfill of the site's earlier articles when their count calls for one."""
    host = site_host(host_of(article.canonical_url))
    cleaned, seen = clean_site_text(host, article.text, now)
    if host and backfill_due(seen):
        from newsdesk.stories.tasks import backfill_site_template  # tasks import this module

        transaction.on_commit(lambda: backfill_site_template(host))
    if cleaned != article.text:
        article.text = cleaned
        article.word_count = prose_words(cleaned)
        article.text_hash = text_hash(cleaned)


def store_article(
    extracted: Extracted,
    *,
    source_id: int | None,
    now: datetime,
    guid: str = "",
    feed_time: datetime | None = None,
    section: str = "",
) -> Article | None:
    """Save an extracted article and its story; None when it is already stored."""
    canonical = extracted.canonical_url or extracted.url
    if known_article(canonical, guid, source_id):
        return None
    article = Article(
        source_id=source_id,
        url=extracted.url,
        canonical_url=canonical,
        guid=guid,
        title=extracted.title[:500],
        text=extracted.text,
        description=extracted.description,
        authors=list(extracted.authors),
        contributors=list(extracted.contributors),
        published_at=publication_time(extracted.date, feed_time, now),
        fetched_at=now,
        language=extracted.language,
        site_name=extracted.site_name[:200],
        section=section_for(
            [section, *extracted.categories],
            canonical,
            title=extracted.title,
            text=extracted.text,
            language=extracted.language,
        )[:100],
        image_url=extracted.image[:2000],
        image_alt=extracted.image_alt[:500],
        image_caption=extracted.image_caption,
        image_credit=extracted.image_credit[:300],
        word_count=extracted.word_count,
        paywalled=extracted.paywalled,
        text_hash=text_hash(extracted.text),
    )
    try:
        with transaction.atomic():
            if settings.NEWSDESK["NEWSDESK_SITE_TEMPLATE"]:
                _drop_site_template(article, now)
            article.save()
            attach(article)
            assigner().assign(article, now)
    except IntegrityError:
        # Another worker stored the same article between our check and our insert.
        log.info("article already stored: %s", canonical)
        return None
    return article
