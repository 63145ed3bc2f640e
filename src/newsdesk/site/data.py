"""Plain data for each page: the HTML templates and the JSON twins render the same dicts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from newsdesk.site.publish import Snapshot, newest
from newsdesk.stories.models import Article, Story

LEAD_PARAGRAPHS = 3


def when(moment: datetime) -> str:
    """A date as readers write it: '20 Nov 2026, 08:30 UTC'."""
    return moment.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def credit_line(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def article_data(article: Article, paragraphs: int | None = LEAD_PARAGRAPHS) -> dict[str, Any]:
    """An article as plain data; ``paragraphs`` limits the text to its lead."""
    body = article.paragraphs if paragraphs is None else article.paragraphs[:paragraphs]
    return {
        "id": article.pk,
        "url": article.get_absolute_url(),
        "title": article.title,
        "outlet": article.outlet,
        "source_url": article.canonical_url,
        "authors": list(article.authors),
        "byline": credit_line(list(article.authors)),
        "contributors": list(article.contributors),
        "contributors_line": credit_line(list(article.contributors)),
        "published_at": article.published_at.isoformat(),
        "published_label": when(article.published_at),
        "fetched_at": article.fetched_at.isoformat(),
        "language": article.language,
        "section": article.section,
        "description": article.description,
        "image": {
            "url": article.image_url,
            "alt": article.image_alt,
            "caption": article.image_caption,
            "credit": article.image_credit,
        }
        if article.image_url
        else None,
        "paragraphs": body,
        "word_count": article.word_count,
        "story_id": article.story_id,
        "copy_of": article.copy_of_id,
        "based_on": article.based_on_id,
    }


def stories_with_articles() -> QuerySet[Story]:
    """Stories with their articles (oldest first) fetched in one extra query."""
    articles = Article.objects.select_related("source").order_by("published_at", "pk")
    return Story.objects.prefetch_related(Prefetch("articles", queryset=articles))


def story_data(story: Story, paragraphs: int | None = LEAD_PARAGRAPHS) -> dict[str, Any]:
    """A story as plain data: its articles, the lead (first-published) one first."""
    articles = [article_data(a, paragraphs) for a in story.articles.all()]
    return {
        "id": story.pk,
        "url": story.get_absolute_url(),
        "title": story.title,
        "published_at": story.published_at.isoformat(),
        "published_label": when(story.published_at),
        "updated_at": story.updated_at.isoformat(),
        "outlets": story.outlet_count,
        "article_count": story.article_count,
        "developing": story.developing,
        "first_report_id": story.first_report_id,
        "lead": articles[0] if articles else None,
        "articles": articles,
    }


def front_page_data(limit: int = 30) -> dict[str, Any]:
    """The newest stories, each with its lead article's first paragraph."""
    live = stories_with_articles().filter(merged_into__isnull=True, article_count__gt=0)
    stories = live.order_by("-published_at", "-pk")[:limit]
    return {"stories": [story_data(s, paragraphs=1) for s in stories]}


# Snapshots for conditional GET (site/publish.py): the data of a page and when it last changed.


def load_front(request: HttpRequest) -> Snapshot:
    data = front_page_data()
    return Snapshot(data, newest(s["updated_at"] for s in data["stories"]))


def load_story(request: HttpRequest, pk: int) -> Snapshot:
    story = get_object_or_404(stories_with_articles(), pk=pk)
    return Snapshot(story_data(story), story.updated_at)


def load_article(request: HttpRequest, pk: int) -> Snapshot:
    article = get_object_or_404(Article.objects.select_related("source"), pk=pk)
    return Snapshot(article_data(article), max(article.published_at, article.fetched_at))
