"""Lead images: fetched through the polite fetcher, stored as WebP thumbnails, shown from here.

An article is stored first; its image is fetched later by a job (``process_pending``), so a
slow image host never holds up ingest. Until the image is ready, pages show no image rather
than hot-linking the outlet's file (no request from a reader's browser leaves this site).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone

from newsdesk.pipeline import images
from newsdesk.pipeline.fetch import FetchError
from newsdesk.stories.models import Article, Image, Story

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
MAX_IMAGE_BYTES = 8_000_000


def attach(article: Article) -> None:
    """Link an article to the Image row for its lead image URL (created pending)."""
    if not article.image_url:
        return
    image, _ = Image.objects.get_or_create(url=article.image_url)
    Article.objects.filter(pk=article.pk).update(image=image)
    article.image = image


def file_name(key: str, width: int) -> str:
    """Where a thumbnail lives in storage: content-addressed, so it never changes."""
    return f"img/{key[:2]}/{key}-{width}.webp"


def thumbnail_urls(image: Image) -> dict[int, str]:
    """Width -> site URL of each stored thumbnail."""
    return {w: default_storage.url(file_name(image.key, w)) for w in image.widths}


def image_data(image: Image | None, alt: str, caption: str, credit: str) -> dict[str, Any] | None:
    """A ready image as page data: a middle-sized ``url`` with its width and height, the
    ``srcset`` of every width, and the words that go with it. None when not ready."""
    if image is None or image.status != Image.Status.READY or not image.widths:
        return None
    urls = thumbnail_urls(image)
    widths = sorted(urls)
    main = next((w for w in widths if w >= 640), widths[-1])
    return {
        "url": urls[main],
        "width": main,
        "height": max(1, round(image.height * main / image.width)),
        "srcset": ", ".join(f"{urls[w]} {w}w" for w in widths),
        "thumb": urls[widths[0]],
        "thumb_width": widths[0],
        "thumb_height": max(1, round(image.height * widths[0] / image.width)),
        "largest": urls[widths[-1]],
        "alt": alt,
        "caption": caption,
        "credit": credit,
    }


def store(image: Image, data: bytes) -> None:
    """Make and save the thumbnails of fetched image bytes (raises images.ImageError)."""
    _store(image, images.prepare(data))
    image.fetched_at = timezone.now()
    image.save()
    # The pages showing this image change: touch their stories so caches and ETags move on.
    story_ids = image.articles.exclude(story=None).values_list("story_id", flat=True)
    Story.objects.filter(pk__in=list(story_ids)).update(updated_at=image.fetched_at)


def _store(image: Image, prepared: images.Prepared) -> None:
    key = hashlib.sha256(b"".join(t.data for t in prepared.thumbnails)).hexdigest()[:32]
    for thumb in prepared.thumbnails:
        name = file_name(key, thumb.width)
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(thumb.data))
    image.key = key
    image.width, image.height = prepared.width, prepared.height
    image.widths = [t.width for t in prepared.thumbnails]
    image.status = Image.Status.READY
    image.error = ""


def process(image: Image, client: Any, opts: Any) -> bool:
    """Fetch one image politely and store its thumbnails; True when it is ready. A busy
    host leaves it pending; other failures count an attempt, the last one marks it failed."""
    from dataclasses import replace

    from newsdesk.ingest.politeness import HostBusyError
    from newsdesk.ingest.service import polite_fetch

    try:
        fetched = polite_fetch(client, image.url, replace(opts, max_bytes=MAX_IMAGE_BYTES))
        store(image, fetched.body)
    except HostBusyError:
        return False
    except (FetchError, images.ImageError) as err:
        Image.objects.filter(pk=image.pk).update(attempts=F("attempts") + 1, error=str(err))
        image.refresh_from_db()
        if image.attempts >= MAX_ATTEMPTS:
            Image.objects.filter(pk=image.pk).update(status=Image.Status.FAILED)
        log.info("image %s: %s", image.url, err)
        return False
    return True


def process_pending(limit: int = 50, opts: Any = None) -> tuple[int, int]:
    """Fetch up to ``limit`` pending images; returns (ready, tried)."""
    from newsdesk.ingest.service import Options

    opts = opts or Options.from_settings()
    pending = list(
        Image.objects.filter(status=Image.Status.PENDING, attempts__lt=MAX_ATTEMPTS).order_by(
            "-pk"
        )[:limit]
    )
    ready = 0
    with opts.client() as client:
        for image in pending:
            ready += process(image, client, opts)
    return ready, len(pending)
