"""The search page and its JSON twin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from newsdesk.ingest.models import Source
from newsdesk.site.data import article_data
from newsdesk.stories.models import Story
from newsdesk.stories.search import Filters, search

PER_PAGE = 20


def _day(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def _int(value: str, default: int | None) -> int | None:
    return int(value) if value.isdigit() else default


def search_data(request: HttpRequest) -> dict[str, Any]:
    """The search page as plain data: query, filters, hits with snippets, paging."""
    get = request.GET
    until = _day(get.get("to", ""))
    filters = Filters(
        section=get.get("section", "").strip(),
        source_id=_int(get.get("source", ""), None),
        since=_day(get.get("from", "")),
        until=until + timedelta(days=1) if until else None,
    )
    query = get.get("q", "").strip()[:200]
    page = _int(get.get("page", ""), 1) or 1
    results = search(query, filters, page=page, per_page=PER_PAGE)
    params = {k: v for k, v in get.items() if k != "page" and v}

    def page_url(n: int) -> str:
        return "?" + urlencode({**params, "page": n})

    return {
        "query": query,
        "filters": {
            "section": filters.section,
            "source": filters.source_id,
            "from": get.get("from", ""),
            "to": get.get("to", ""),
        },
        "total": results.total,
        "more": results.more,  # true: more matches than "total" (counting stopped there)
        "page": results.page,
        "pages": results.pages,
        "previous": page_url(results.page - 1) if results.page > 1 else None,
        "next": page_url(results.page + 1) if results.page < results.pages else None,
        "hits": [
            {**article_data(a, paragraphs=0), "snippet": snippet} for a, snippet in results.hits
        ],
    }


def _choices() -> dict[str, Any]:
    """The filter menus. Sections are read from the stories (each carries the section most
    of its articles have): listing the articles' own took a scan of every article."""
    sections = Story.objects.exclude(section="").order_by().values_list("section", flat=True)
    return {
        "sections": sorted(sections.distinct()),
        "sources": Source.objects.order_by("title").values("pk", "title", "url"),
    }


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    return render(request, "site/search.html", {"search": search_data(request), **_choices()})


@require_safe
def search_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(search_data(request), json_dumps_params={"ensure_ascii": False})
