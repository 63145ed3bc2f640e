"""Outgoing feeds: RSS 2.0 and Atom (Django's syndication framework) and JSON Feed 1.1, for
the front page and for each story, built from the same data as the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html

from newsdesk.site.data import load_front, load_section, load_story
from newsdesk.site.publish import absolute, conditional, parse_time, site_name

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED_TYPE = "application/feed+json; charset=utf-8"

# (URL name suffix, content type, label): every feed comes in these three formats.
FORMATS = (
    ("rss", "application/rss+xml", "RSS"),
    ("atom", "application/atom+xml", "Atom"),
    ("json", "application/feed+json", "JSON Feed"),
)


def feed_links(name: str, title: str, **kwargs: Any) -> list[dict[str, str]]:
    """<link rel="alternate"> entries for the three formats of one feed."""
    return [
        {
            "type": mime,
            "title": f"{title} ({label})",
            "href": reverse(f"{name}-{fmt}", kwargs=kwargs),
        }
        for fmt, mime, label in FORMATS
    ]


# --- what the items say, shared by the three formats -------------------------------------


def _paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(format_html("<p>{}</p>", p) for p in paragraphs)


def _source_html(article: dict[str, Any]) -> str:
    return format_html(
        '<p>Source: <a href="{}">{}</a></p>',
        article["source_url"],
        article["outlet"] or article["source_url"],
    )


def image_url(request: HttpRequest, image: dict[str, Any] | None) -> str:
    """The absolute URL of an image's largest stored size; '' when there is none."""
    return absolute(request, image["largest"]) if image else ""


def story_item(request: HttpRequest, story: dict[str, Any]) -> dict[str, Any]:
    """A front-page story as a feed item: links to the story page."""
    lead = story["lead"] or {}
    outlets = story["outlets"]
    summary = story.get("summary_text", "")
    content = _paragraphs_html([summary] if summary else lead.get("paragraphs", []))
    if lead:
        content += _source_html(lead)
    content += format_html("<p>Reported by {} outlet{}.</p>", outlets, "" if outlets == 1 else "s")
    url = absolute(request, story["url"])
    return {
        "id": url,
        "url": url,
        "title": story["title"],
        "content_html": content,
        "summary": summary or lead.get("description", ""),
        "image": image_url(request, story.get("image")),
        "authors": list(lead.get("authors", [])),
        "language": lead.get("language", ""),
        "published": parse_time(story["published_at"]),
        "updated": parse_time(story["updated_at"]),
        "tags": ["developing"] if story["developing"] else [],
    }


def article_item(request: HttpRequest, article: dict[str, Any]) -> dict[str, Any]:
    """One outlet's article in a story feed: links to the original, named by its outlet;
    its id is the article's page here."""
    title = f"{article['title']} ({article['outlet']})" if article["outlet"] else article["title"]
    return {
        "id": absolute(request, article["url"]),
        "url": article["source_url"],
        "title": title,
        "content_html": _paragraphs_html(article["paragraphs"]) + _source_html(article),
        "summary": article["description"],
        "image": image_url(request, article["image"]),
        "authors": list(article["authors"]),
        "language": article["language"],
        "published": parse_time(article["published_at"]),
        "updated": parse_time(article["published_at"]),
        "tags": [article["section"]] if article["section"] else [],
    }


def front_feed(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    name = site_name()
    return {
        "title": name,
        "description": f"The newest stories on {name}.",
        "home": absolute(request, reverse("front")),
        "items": [story_item(request, s) for s in data["stories"]],
    }


def section_feed(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    name = site_name()
    return {
        "title": f"{data['name']} · {name}",
        "description": f"The newest {data['name']} stories on {name}.",
        "home": absolute(request, data["url"]),
        "items": [story_item(request, s) for s in data["stories"]],
    }


def story_feed(request: HttpRequest, story: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": f"{story['title']} · {site_name()}",
        "description": f"Every outlet's report on: {story['title']}",
        "home": absolute(request, story["url"]),
        "items": [article_item(request, a) for a in story["articles"]],
    }


# --- RSS and Atom through django.contrib.syndication -------------------------------------


class ItemsFeed(Feed):
    """A syndication feed over prepared items (see story_item and article_item)."""

    feed_type: type = Rss201rev2Feed

    def __init__(self, feed: dict[str, Any], feed_url: str) -> None:
        self.feed = feed
        self.feed_url_abs = feed_url

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.feed

    def title(self, obj: dict[str, Any]) -> str:
        return obj["title"]

    def link(self, obj: dict[str, Any]) -> str:
        return obj["home"]

    def description(self, obj: dict[str, Any]) -> str:
        return obj["description"]

    subtitle = description

    def feed_url(self, obj: dict[str, Any]) -> str:
        return self.feed_url_abs

    def author_name(self, obj: dict[str, Any]) -> str:
        return site_name()

    def items(self, obj: dict[str, Any]) -> list[dict[str, Any]]:
        return obj["items"]

    def item_title(self, item: dict[str, Any]) -> str:
        return item["title"]

    def item_description(self, item: dict[str, Any]) -> str:
        return item["content_html"]

    def item_link(self, item: dict[str, Any]) -> str:
        return item["url"]

    def item_guid(self, item: dict[str, Any]) -> str:
        return item["id"]

    def item_guid_is_permalink(self, item: dict[str, Any]) -> bool:
        return True

    def item_pubdate(self, item: dict[str, Any]) -> datetime | None:
        return item["published"]

    def item_updateddate(self, item: dict[str, Any]) -> datetime | None:
        return item["updated"]

    def item_author_name(self, item: dict[str, Any]) -> str | None:
        names = item["authors"]
        return ", ".join(names) if names else None

    def item_categories(self, item: dict[str, Any]) -> list[str]:
        return item["tags"]


class AtomItemsFeed(ItemsFeed):
    feed_type = Atom1Feed


def _syndication(request: HttpRequest, feed: dict[str, Any], atom: bool) -> HttpResponse:
    cls = AtomItemsFeed if atom else ItemsFeed
    return cls(feed, absolute(request, request.path))(request)


# --- JSON Feed 1.1, by hand ----------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def json_feed(request: HttpRequest, feed: dict[str, Any]) -> JsonResponse:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)."""
    items = []
    for item in feed["items"]:
        entry: dict[str, Any] = {
            "id": item["id"],
            "url": item["url"],
            "title": item["title"],
            "content_html": item["content_html"],
            "date_published": _iso(item["published"]),
            "date_modified": _iso(item["updated"]),
        }
        if item["summary"]:
            entry["summary"] = item["summary"]
        if item["image"]:
            entry["image"] = item["image"]
        if item["authors"]:
            entry["authors"] = [{"name": n} for n in item["authors"]]
        if item["language"]:
            entry["language"] = item["language"]
        if item["tags"]:
            entry["tags"] = item["tags"]
        items.append(entry)
    document = {
        "version": JSON_FEED_VERSION,
        "title": feed["title"],
        "home_page_url": feed["home"],
        "feed_url": absolute(request, request.path),
        "description": feed["description"],
        "authors": [{"name": site_name(), "url": absolute(request, reverse("front"))}],
        "items": items,
    }
    return JsonResponse(
        document, content_type=JSON_FEED_TYPE, json_dumps_params={"ensure_ascii": False}
    )


# --- views -----------------------------------------------------------------------------------

FeedBuilder = Callable[[HttpRequest, Any], dict[str, Any]]


def feed_paths(route: str, name: str, kind: str, load: Any, build: FeedBuilder) -> list[URLPattern]:
    """URL patterns for the three formats of one feed: ``<route>feed.rss``, ``.atom`` and
    ``.json``, named ``<name>-rss`` and so on, each served with conditional GET."""

    def rss(request: HttpRequest, data: Any) -> HttpResponse:
        return _syndication(request, build(request, data), atom=False)

    def atom(request: HttpRequest, data: Any) -> HttpResponse:
        return _syndication(request, build(request, data), atom=True)

    def json(request: HttpRequest, data: Any) -> HttpResponse:
        return json_feed(request, build(request, data))

    views = {
        "rss": conditional(f"{kind}.rss", load)(rss),
        "atom": conditional(f"{kind}.atom", load)(atom),
        "json": conditional(f"{kind}.jsonfeed", load)(json),
    }
    return [path(f"{route}feed.{fmt}", views[fmt], name=f"{name}-{fmt}") for fmt, _, _ in FORMATS]


urlpatterns = [
    *feed_paths("", "feed", "front", load_front, front_feed),
    *feed_paths("section/<slug:section>/", "section-feed", "section", load_section, section_feed),
    *feed_paths("story/<int:pk>/", "story-feed", "story", load_story, story_feed),
]
