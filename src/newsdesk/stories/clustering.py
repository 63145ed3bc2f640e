"""Story assignment: the pure clusterer kept in step with the database.

One clusterer per process holds the stories inside the time window. Every assignment
runs under a database-wide lock (SQLite's write lock, a PostgreSQL advisory lock) and
first replays the articles other processes stored since, so concurrent workers see one
history and never split one event into two stories. Editors' merges and splits bump a
generation counter that makes every process reload its window.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Hashable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from newsdesk.pipeline.cluster import ArticleFeatures, StoryClusterer, featurise
from newsdesk.pipeline.urls import host_of
from newsdesk.stories.models import Article, ClusterState, Story
from newsdesk.stories.sections import story_section
from newsdesk.stories.signals import rows_changed

log = logging.getLogger(__name__)

LOCK_KEY = 7_204_117  # advisory lock number for PostgreSQL
DEVELOPING_HOURS = 6
_SOURCE_LINE = re.compile(
    r"^\s*(?:source|sources|via|quelle|fuente|fonte)\s*:\s*(.{2,200})$", re.I | re.M
)


def article_doc(article: Article) -> dict[str, Any]:
    """The plain record the clusterer reads."""
    return {
        "id": article.pk,
        "title": article.title,
        "text": article.text,
        "date": article.published_at.isoformat(),
        "url": article.canonical_url,
        "source": article.source_id,
    }


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    # SQLite: transactions are IMMEDIATE, so the open transaction already holds the lock.


def _generation() -> str:
    state, _ = ClusterState.objects.get_or_create(pk=1)
    return state.token


def bump_generation() -> None:
    """Tell every process's clusterer that stored assignments changed under it."""
    ClusterState.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


class StoryAssigner:
    """A process's clusterer, synchronised with the database before each assignment."""

    def __init__(self, window_days: float | None) -> None:
        self.window_days = window_days
        self.clusterer: StoryClusterer | None = None
        self.last_id = 0
        self.generation = ""
        self.mutex = threading.Lock()

    def _fresh(self) -> StoryClusterer:
        return StoryClusterer(window_days=self.window_days, story_key=lambda d: ("new", d["id"]))

    def _replay(self, articles: Any) -> None:
        assert self.clusterer is not None
        for article in articles.order_by("published_at", "pk").iterator(chunk_size=2000):
            if article.story_id:
                self.clusterer.add(article_doc(article), story=article.story_id)
            self.last_id = max(self.last_id, article.pk)

    def sync(self, now: datetime) -> None:
        """Load the window on first use or after editors' changes; else replay what is new."""
        generation = _generation()
        if self.clusterer is None or generation != self.generation:
            self.clusterer, self.last_id, self.generation = self._fresh(), 0, generation
            recent = Article.objects.all()
            if self.window_days:
                recent = recent.filter(published_at__gte=now - timedelta(days=self.window_days))
            self._replay(recent)
            self.last_id = max(
                self.last_id,
                Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            )
            return
        self._replay(Article.objects.filter(pk__gt=self.last_id))

    def assign(self, article: Article, now: datetime) -> Story:
        """Put a saved article into its story (an existing one or a new one) and save it.

        The article is read (words, shingles) before the lock is taken: only the placing
        runs one process at a time.
        """
        doc = article_doc(article)
        features = featurise(doc)
        with self.mutex:
            try:
                with transaction.atomic():
                    return self._assign(article, doc, features, now)
            except BaseException:
                # Rolled back: the clusterer may hold stories that were never saved.
                self.clusterer = None
                raise

    def _assign(
        self, article: Article, doc: dict[str, Any], features: ArticleFeatures, now: datetime
    ) -> Story:
        _lock()
        self.sync(now)
        assert self.clusterer is not None
        result = self.clusterer.add(doc, features=features)
        story = self._story_for(result.story, article)
        self._apply_merges()
        article.story = story
        article.copy_of_id = self._existing(result.copy_of)
        article.based_on = based_on(article, story)
        article.save(update_fields=["story", "copy_of", "based_on"])
        self.last_id = max(self.last_id, article.pk)
        refresh_story(story, now)
        return story

    @staticmethod
    def _existing(article_id: Hashable | None) -> int | None:
        if isinstance(article_id, int) and Article.objects.filter(pk=article_id).exists():
            return article_id
        return None

    def _story_for(self, key: Hashable, article: Article) -> Story:
        assert self.clusterer is not None
        story = Story.objects.filter(pk=key).first() if isinstance(key, int) else None
        if story is None:
            story = Story.objects.create(
                title=article.title,
                updated_at=article.fetched_at,
                published_at=article.published_at,
            )
            self.clusterer.merge(story.pk, key)  # the clusterer's name becomes the row's id
        return story

    def _apply_merges(self) -> None:
        assert self.clusterer is not None
        for keep, gone in self.clusterer.drain_merges():
            if isinstance(keep, int) and isinstance(gone, int):
                merge_stories(keep, [gone], bump=False)


_ASSIGNERS: dict[float | None, StoryAssigner] = {}


def assigner() -> StoryAssigner:
    """This process's assigner for the configured window."""
    window = settings.NEWSDESK["NEWSDESK_CLUSTER_WINDOW_DAYS"] or None
    if window not in _ASSIGNERS:
        _ASSIGNERS[window] = StoryAssigner(window)
    return _ASSIGNERS[window]


def based_on(article: Article, story: Story) -> Article | None:
    """The story's article this one says it is based on ("Source: Outlet" / a URL)."""
    named = [m.strip().lower() for m in _SOURCE_LINE.findall(article.text)]
    if not named:
        return None
    others = (
        story.articles.exclude(pk=article.pk)
        .select_related("source")
        .order_by("published_at", "pk")
    )
    for other in others:
        names = {other.outlet.lower(), host_of(other.canonical_url).removeprefix("www.")}
        if any(n and any(n in line for line in named) for n in names):
            return other
    return None


def refresh_story(story: Story, now: datetime) -> None:
    """Recount a story: articles, distinct outlets (copies collapsed), first report, growth."""
    articles = list(story.articles.order_by("published_at", "pk"))
    if not articles:
        return
    originals = [a for a in articles if a.copy_of_id is None]
    first_seen: dict[Any, datetime] = {}
    for article in originals:
        first_seen.setdefault(article.source_id or article.site_name, article.fetched_at)
    recent = sum(1 for t in first_seen.values() if t >= now - timedelta(hours=DEVELOPING_HOURS))
    rate = settings.NEWSDESK["NEWSDESK_DEVELOPING_RATE"]
    first = (originals or articles)[0]
    story.article_count = len(articles)
    story.outlet_count = len(first_seen)
    story.first_report = first.based_on or first
    story.developing = recent / DEVELOPING_HOURS >= rate and len(first_seen) >= 2
    # Kept when no article has one: the summary job may have filed it by its places.
    story.section = story_section(a.section for a in originals or articles) or story.section
    story.published_at = first.published_at
    story.updated_at = max(a.fetched_at for a in articles)
    story.summary_due = True
    story.save()


def merge_stories(keep_id: int, gone_ids: list[int], bump: bool = True) -> Story:
    """Fold stories into one; their articles are pinned there (an editor's decision sticks)."""
    keep = Story.objects.get(pk=keep_id)
    gone = [g for g in gone_ids if g != keep_id]
    Article.objects.filter(story_id__in=gone).update(story=keep, pinned=bump)
    Story.objects.filter(pk__in=gone).update(merged_into=keep)
    if bump:
        Article.objects.filter(story=keep).update(pinned=True)
        bump_generation()
    refresh_story(keep, keep.updated_at)
    Story.objects.filter(pk__in=gone).update(article_count=0, outlet_count=0)
    rows_changed.send(sender=Story, story_ids=[keep_id, *gone])  # .update() sends no signals
    return keep


def split_articles(article_ids: list[int], now: datetime) -> Story:
    """Move articles into a new story of their own, pinned there."""
    articles = list(Article.objects.filter(pk__in=article_ids).order_by("published_at", "pk"))
    old = {a.story_id for a in articles if a.story_id is not None}
    first = articles[0]
    story = Story.objects.create(title=first.title, updated_at=now, published_at=first.published_at)
    Article.objects.filter(pk__in=article_ids).update(story=story, pinned=True)
    rows_changed.send(sender=Story, story_ids=[story.pk, *old], article_ids=article_ids)
    bump_generation()
    refresh_story(story, now)
    for old_story in Story.objects.filter(pk__in=old):
        refresh_story(old_story, now)
    return story
