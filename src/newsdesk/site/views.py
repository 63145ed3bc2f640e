"""Public pages; each HTML page has a JSON twin built from the same data."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from newsdesk.site.data import load_article, load_front, load_story
from newsdesk.site.feeds import feed_links
from newsdesk.site.meta import article_head, story_head
from newsdesk.site.publish import conditional, site_name


def _json(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _site_feeds() -> list[dict[str, str]]:
    return feed_links("feed", site_name())


def _story_feeds(story_id: int | None, title: str) -> list[dict[str, str]]:
    return feed_links("story-feed", f"Coverage: {title}", pk=story_id) if story_id else []


@conditional("front.html", load_front)
def front_page(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return render(request, "site/front.html", {**data, "feeds": _site_feeds()})


@conditional("front.json", load_front)
def front_page_json(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return _json(data)


@conditional("story.html", load_story)
def story_page(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    context = {
        "story": data,
        "head": story_head(request, data),
        "feeds": _story_feeds(data["id"], data["title"]) + _site_feeds(),
    }
    return render(request, "site/story.html", context)


@conditional("story.json", load_story)
def story_json(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return _json(data)


@conditional("article.html", load_article)
def article_page(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    context = {
        "article": data,
        "head": article_head(request, data),
        "feeds": _story_feeds(data["story_id"], data["title"]) + _site_feeds(),
    }
    return render(request, "site/article.html", context)


@conditional("article.json", load_article)
def article_json(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return _json(data)


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and monitors."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
