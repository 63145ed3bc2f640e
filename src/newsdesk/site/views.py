"""Public pages; each HTML page has a JSON twin built from the same data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

from newsdesk.comments.feeds import links as comment_feeds
from newsdesk.site.data import (
    load_article,
    load_entity,
    load_front,
    load_section,
    load_source,
    load_sources,
    load_story,
)
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
        "feeds": _story_feeds(data["id"], data["title"])
        + comment_feeds(data["discussion"])
        + _site_feeds(),
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
        "feeds": _story_feeds(data["story_id"], data["title"])
        + comment_feeds(data["discussion"])
        + _site_feeds(),
    }
    return render(request, "site/article.html", context)


@conditional("article.json", load_article)
def article_json(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return _json(data)


def _section_feeds(data: dict[str, Any]) -> list[dict[str, str]]:
    return feed_links("section-feed", f"{data['name']} · {site_name()}", section=data["slug"])


@conditional("section.html", load_section)
def section_page(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    context = {"section": data, "feeds": _section_feeds(data) + _site_feeds()}
    return render(request, "site/section.html", context)


@conditional("entity.html", load_entity)
def entity_page(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return render(request, "site/entity.html", {"entity": data, "feeds": _site_feeds()})


@conditional("entity.json", load_entity)
def entity_json(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return _json(data)


@conditional("section.json", load_section)
def section_json(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return _json(data)


@conditional("sources.html", load_sources)
def sources_page(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return render(request, "site/sources.html", {**data, "feeds": _site_feeds()})


@conditional("sources.json", load_sources)
def sources_json(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return _json(data)


@conditional("source.html", load_source)
def source_page(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return render(request, "site/source.html", {"source": data, "feeds": _site_feeds()})


@conditional("source.json", load_source)
def source_json(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return _json(data)


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Stored images (thumbnails are content-addressed, so browsers may keep them a year).
    Behind nginx these are served by nginx itself (docs/deploy/nginx.conf)."""
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    patch_cache_control(response, public=True, max_age=31_536_000, immutable=True)
    return response


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness, database and job queue reachability, for load balancers and monitors.
    503 when the database does not answer; a queue that does not answer is reported but
    leaves the status ok (pages are still served). Errors are named by their kind only."""
    from newsdesk.site.metrics import queue_depth

    report = {"status": "ok", "database": "ok", "queue": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as err:
        report["status"], report["database"] = "error", f"error: {type(err).__name__}"
    try:
        queue_depth()
    except Exception as err:
        report["queue"] = f"error: {type(err).__name__}"
    response = JsonResponse(report, status=200 if report["status"] == "ok" else 503)
    response["Cache-Control"] = "no-store"
    return response
