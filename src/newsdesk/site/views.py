"""Public pages; each HTML page has a JSON twin built from the same data."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from newsdesk.site.data import article_data, front_page_data, stories_with_articles, story_data
from newsdesk.stories.models import Article


def _json(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_safe
def front_page(request: HttpRequest) -> HttpResponse:
    return render(request, "site/front.html", front_page_data())


@require_safe
def front_page_json(request: HttpRequest) -> JsonResponse:
    return _json(front_page_data())


@require_safe
def story_page(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(stories_with_articles(), pk=pk)
    return render(request, "site/story.html", {"story": story_data(story)})


@require_safe
def story_json(request: HttpRequest, pk: int) -> JsonResponse:
    return _json(story_data(get_object_or_404(stories_with_articles(), pk=pk)))


@require_safe
def article_page(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("source"), pk=pk)
    return render(request, "site/article.html", {"article": article_data(article)})


@require_safe
def article_json(request: HttpRequest, pk: int) -> JsonResponse:
    article = get_object_or_404(Article.objects.select_related("source"), pk=pk)
    return _json(article_data(article))


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and monitors."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
