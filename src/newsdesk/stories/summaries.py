"""Story summaries in the database: written by a periodic job, one version per change.

A story is marked due whenever its articles change (``refresh_story``). The job summarises
due stories (pipeline/summarize.py), stores a new ``StorySummary`` when the text or the
headline changed (earlier versions stay, as the story's history), gives the story the
summary's headline, and clears the mark unless the story changed again meanwhile.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from newsdesk.pipeline.summarize import Params, summarize
from newsdesk.stories.models import Article, Story, StorySummary
from newsdesk.stories.signals import rows_changed

MAX_ARTICLES = 40  # the first reports and the latest ones, when a story has more
FIRST_ARTICLES = 10
TEXT_CHARS = 6_000  # the lead carries the event; longer texts are cut before splitting


def article_docs(story: Story) -> list[dict[str, Any]]:
    """The story's original articles (copies left out) as the summariser reads them."""
    articles = list(
        story.articles.filter(copy_of__isnull=True)
        .select_related("source")
        .order_by("published_at", "pk")
    )
    if len(articles) > MAX_ARTICLES:
        articles = articles[:FIRST_ARTICLES] + articles[-(MAX_ARTICLES - FIRST_ARTICLES) :]
    return [
        {
            "id": a.pk,
            "title": a.title,
            "text": a.text[:TEXT_CHARS],
            "source": a.outlet,
            "url": a.canonical_url,
        }
        for a in articles
    ]


def summarize_story(story: Story) -> StorySummary | None:
    """Summarise one story; the new version, the unchanged latest one, or None (no articles)."""
    docs = article_docs(story)
    if not docs:
        return None
    summary = summarize(docs, Params(words=settings.NEWSDESK["NEWSDESK_SUMMARY_WORDS"]))
    sentences = [
        {"text": s.text, "article_id": s.article_id, "outlet": s.outlet, "url": s.url}
        for s in summary.sentences
    ]
    latest = story.summaries.first()
    if latest and (latest.sentences, latest.headline) == (sentences, summary.headline):
        return latest
    with transaction.atomic():
        version = StorySummary.objects.create(
            story=story,
            created_at=timezone.now(),
            headline=summary.headline[:500],
            headline_article=Article.objects.filter(pk=summary.headline_id).first(),
            headline_outlet=summary.headline_outlet[:200],
            sentences=sentences,
            article_count=len(docs),
        )
        if summary.headline and summary.headline != story.title:
            Story.objects.filter(pk=story.pk).update(title=summary.headline[:500])
        rows_changed.send(sender=Story, story_ids=[story.pk])
    return version


def summarize_due(limit: int = 100) -> int:
    """Summarise up to ``limit`` due stories, latest first; how many were done."""
    due = list(Story.objects.filter(summary_due=True).order_by("-updated_at", "-pk")[:limit])
    for story in due:
        if story.merged_into_id is None:
            summarize_story(story)
        Story.objects.filter(
            pk=story.pk, article_count=story.article_count, updated_at=story.updated_at
        ).update(summary_due=False)
    return len(due)
