"""Published pages kept as plain files, so nginx can send them without asking Django.

The shape is WP Super Cache's: after a page is rendered for an anonymous reader, its body
is written to ``PAGE_CACHE_DIR/<host>/<path>`` (``/`` -> ``index.html``, ``/story/12`` ->
``story/12/index.html``, ``/story/12.json`` -> ``story/12.json``). nginx looks there
first (docs/deploy/nginx.conf) and the site's own views do too (site/publish.py), so only
misses reach the database.

Files are grouped by host because a page's links are absolute and, without
NEWSDESK_SITE_URL, follow the Host header: a page rendered for one host is never sent to
another. When a story or an article changes, its pages, its story's and its articles'
pages and every listing (anything outside ``story/`` and ``article/``) are deleted once the
change is committed. Pages that depend on things not tracked here (related stories,
ranking by age, outlet names) are deleted after ``LIFETIME`` by a periodic job.

A render that read the database before a purge must not leave its stale file behind: every
purge first changes a generation token, and a writer that finds the token changed since it
started deletes what it wrote (see ``store``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from newsdesk.stories.models import Article, Image, Story
from newsdesk.stories.signals import rows_changed

log = logging.getLogger(__name__)

LIFETIME = 600  # seconds a cached page is trusted; it may show other stories' state
MAX_HOSTS = 16  # host folders kept: bounds the disk a client sending made-up hosts can use
GENERATION = ".generation"
# What a file's extension tells nginx (its mime.types) and the views about its content.
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
PER_PAGE = ("story", "article")  # folders of one page per row; everything else is a listing


def enabled() -> bool:
    return bool(settings.NEWSDESK["NEWSDESK_PAGE_CACHE"])


def root() -> Path:
    return Path(settings.PAGE_CACHE_DIR)


def relative(host: str, path: str) -> Path | None:
    """The cache file of a host and URL path, relative to the cache folder; None when the
    request cannot be cached (odd host, dot segments, trailing slash, unknown extension)."""
    if not host or host.startswith(".") or any(c in host for c in "/\\\0"):
        return None
    if path == "/":
        return Path(host, "index.html")
    parts = path.split("/")
    if parts[0] or any(not p or p.startswith(".") or "\\" in p or "\0" in p for p in parts[1:]):
        return None
    name = Path(host, *parts[1:])
    if "." not in parts[-1]:
        return name / "index.html"
    return name if name.suffix in TYPES else None


def content_type(file: Path) -> str:
    return TYPES[file.suffix]


def generation() -> str:
    """The current purge generation ('' before the first purge)."""
    try:
        return (root() / GENERATION).read_text(encoding="ascii")
    except OSError:
        return ""


def _bump() -> None:
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".gen-", dir=base)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(uuid.uuid4().hex)
    os.replace(temp, base / GENERATION)


def fetch(host: str, path: str) -> tuple[bytes, os.stat_result, str] | None:
    """A fresh cached page for a request: its body, its file's stat and its content type."""
    name = relative(host, path)
    if name is None:
        return None
    try:
        with open(root() / name, "rb") as handle:  # one open file: body and stat agree
            stat = os.fstat(handle.fileno())
            if time.time() - stat.st_mtime > LIFETIME:
                return None
            return handle.read(), stat, content_type(name)
    except OSError:  # missing (the usual miss), a folder, or deleted under us
        return None


def store(host: str, path: str, body: bytes, token: str) -> os.stat_result | None:
    """Write a rendered page atomically; ``token`` is the generation read before the page's
    data was loaded. The file's stat when it was kept."""
    name = relative(host, path)
    base = root()
    if name is None:
        return None
    host_dir = base / host
    try:
        if not host_dir.is_dir() and sum(1 for _ in _hosts(base)) >= MAX_HOSTS:
            return None
        file = base / name
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=file.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
            os.chmod(temp, 0o644)  # mkstemp makes it private; nginx runs as another user
            stat = os.stat(temp)
            os.replace(temp, file)
        except BaseException:
            _unlink(Path(temp))
            raise
    except OSError as err:  # a full disk or a file where a folder should be: just no cache
        log.debug("page cache: not writing %s: %s", name, err)
        return None
    if generation() != token:
        # A purge ran while this page was being made: it may show the old data.
        _unlink(file)
        return None
    return stat


def _hosts(base: Path) -> Iterable[Path]:
    try:
        with os.scandir(base) as entries:
            return [Path(e.path) for e in entries if e.is_dir() and not e.name.startswith(".")]
    except FileNotFoundError:
        return []


def _unlink(file: Path) -> None:
    try:
        file.unlink()
    except FileNotFoundError:
        pass
    except OSError as err:
        log.warning("page cache: cannot delete %s: %s", file, err)


def _remove(target: Path) -> None:
    """Delete a file or a folder; missing is fine, and two processes may race here. A folder
    is first renamed away, so nginx never sees it half deleted."""
    if not target.is_dir():
        _unlink(target)
        return
    trash = root() / f".trash-{uuid.uuid4().hex}"
    try:
        target.rename(trash)
    except FileNotFoundError:
        return
    except OSError as err:
        log.warning("page cache: cannot delete %s: %s", target, err)
        return
    shutil.rmtree(trash, ignore_errors=True)


def purge(story_ids: Iterable[int] = (), article_ids: Iterable[int] = ()) -> None:
    """Delete these stories' and articles' pages (with their feeds and JSON twins) and every
    listing, in every host folder."""
    base = root()
    if not base.is_dir():
        return
    _bump()
    stories, articles = set(story_ids), set(article_ids)
    for host in _hosts(base):
        for kind, ids in (("story", stories), ("article", articles)):
            for pk in ids:
                _remove(host / kind / str(pk))
                _remove(host / kind / f"{pk}.json")
        try:
            entries = [e for e in host.iterdir() if e.name not in PER_PAGE]
        except FileNotFoundError:
            continue
        for entry in entries:
            _remove(entry)


def purge_all() -> None:
    """Delete every cached page (at start-up: the code or the settings may have changed)."""
    base = root()
    if not base.is_dir():
        return
    _bump()
    for entry in base.iterdir():
        if entry.name != GENERATION:
            _remove(entry)


def expire(max_age: float = LIFETIME) -> int:
    """Delete cached pages older than ``max_age`` seconds; how many."""
    base = root()
    if not base.is_dir():
        return 0
    _bump()  # a render that started before this point may not leave an old page behind
    cutoff = time.time() - max_age
    removed = 0
    for folder, _dirs, files in os.walk(base):
        for name in files:
            file = Path(folder, name)
            try:
                if name != GENERATION and file.stat().st_mtime < cutoff:
                    file.unlink()
                    removed += 1
            except OSError:
                pass
    return removed


def pages_changed(
    story_ids: Iterable[int | None] = (), article_ids: Iterable[int | None] = ()
) -> None:
    """Purge the pages of these stories (with all their articles) and articles once the
    current transaction commits (at once outside one). Bulk ``.update()`` calls send no
    model signals: code that moves rows that way calls this (via ``rows_changed``)."""
    if not enabled():
        return
    stories = {pk for pk in story_ids if pk is not None}
    articles = {pk for pk in article_ids if pk is not None}
    if stories:
        articles |= set(Article.objects.filter(story_id__in=stories).values_list("pk", flat=True))
    from newsdesk.site.cache_sync import record

    record(stories, articles)  # for other machines' caches, committed with the change
    transaction.on_commit(lambda: purge(stories, articles))


# --- signals ------------------------------------------------------------------------------


@receiver(pre_save, sender=Article)
def _remember_story(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    """Note the story an article is leaving, whose pages change too."""
    fields = kwargs.get("update_fields")
    if not enabled() or instance._state.adding or (fields is not None and "story" not in fields):
        return
    old = Article.objects.filter(pk=instance.pk).values_list("story_id", flat=True).first()
    instance._page_cache_old_story = old  # type: ignore[attr-defined]


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
def _article_changed(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    old = instance.__dict__.pop("_page_cache_old_story", None)
    pages_changed([instance.story_id, old], [instance.pk])


@receiver(post_save, sender=Story)
@receiver(pre_delete, sender=Story)  # before its articles lose their link to it
def _story_changed(sender: type[Story], instance: Story, **kwargs: Any) -> None:
    pages_changed([instance.pk, instance.merged_into_id])


@receiver(post_save, sender=Image)
def _image_changed(sender: type[Image], instance: Image, **kwargs: Any) -> None:
    """A lead image became ready (or failed): the pages of its articles and stories show it."""
    if not enabled() or kwargs.get("created"):
        return
    rows = Article.objects.filter(image=instance).values_list("pk", "story_id")
    pages_changed([s for _, s in rows], [a for a, _ in rows])


@receiver(rows_changed)
def _rows_changed(sender: Any, story_ids: Iterable[int] = (), **kwargs: Any) -> None:
    pages_changed(story_ids, kwargs.get("article_ids", ()))
