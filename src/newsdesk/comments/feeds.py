"""A comment feed per story and per article (RSS 2.0 and Atom), newest first, through the
site's own feed classes and conditional GET (site/feeds.py, site/publish.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from newsdesk.comments import service
from newsdesk.comments.markup import plain, render
from newsdesk.comments.models import Comment, Status
from newsdesk.site.feeds import AtomItemsFeed, ItemsFeed
from newsdesk.site.publish import (
    Snapshot,
    absolute,
    conditional,
    newest,
    parse_time,
    site_name,
)
from newsdesk.stories.models import Article, Story

ITEMS = 50
TITLE_CHARS = 80


def load(request: HttpRequest, kind: str, pk: str) -> Snapshot:
    if not service.enabled():
        raise Http404("comments are off")
    target: service.Target
    if kind == "story":
        target = get_object_or_404(Story, pk=int(pk))
    else:
        target = get_object_or_404(Article, pk=int(pk))
    rows = Comment.objects.filter(**{kind: target}, status=Status.APPROVED)
    latest = list(rows.order_by("-created_at", "-pk")[:ITEMS])
    page = target.get_absolute_url()
    items = []
    for c in latest:
        text = plain(c.text)
        items.append(
            {
                "id": f"{page}#comment-{c.pk}",
                "title": f"{c.name}: {text[:TITLE_CHARS]}{'…' if len(text) > TITLE_CHARS else ''}",
                "content_html": render(c.text),
                "authors": [c.name],
                "published": c.created_at.isoformat(),
                "updated": (c.edited_at or c.created_at).isoformat(),
            }
        )
    data = {"title": target.title, "page": page, "items": items}
    return Snapshot(data, newest(str(i["updated"]) for i in items))


def _feed(request: HttpRequest, data: dict[str, Any], atom: bool) -> HttpResponse:
    home = absolute(request, data["page"])
    feed = {
        "title": f"Comments on: {data['title']} · {site_name()}",
        "description": f"Readers' comments on: {data['title']}",
        "home": home + "#comments",
        "items": [
            {
                **item,
                "id": absolute(request, item["id"]),
                "url": absolute(request, item["id"]),
                "published": parse_time(item["published"]),
                "updated": parse_time(item["updated"]),
                "tags": [],
            }
            for item in data["items"]
        ],
    }
    cls = AtomItemsFeed if atom else ItemsFeed
    return cls(feed, absolute(request, request.path))(request)


@conditional("comments.rss", load)
def rss(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return _feed(request, data, atom=False)


@conditional("comments.atom", load)
def atom(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    return _feed(request, data, atom=True)


def links(discussion: dict[str, Any]) -> list[dict[str, str]]:
    """<link rel="alternate"> entries for a page's comment feeds (none when comments are off)."""
    if not discussion.get("enabled"):
        return []
    return [
        {"type": "application/rss+xml", "title": "Comments (RSS)", "href": discussion["feed_rss"]},
        {
            "type": "application/atom+xml",
            "title": "Comments (Atom)",
            "href": discussion["feed_atom"],
        },
    ]
