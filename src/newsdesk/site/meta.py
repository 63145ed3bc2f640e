"""What a story or article page tells search engines and link previews: canonical URL,
Open Graph, Twitter card and schema.org NewsArticle JSON-LD, built from the page's data."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from newsdesk.site.publish import absolute, base_url, site_name

DESCRIPTION_CHARS = 200
HEADLINE_CHARS = 110  # schema.org NewsArticle headlines longer than this are flagged

# Inside <script>, "</script>" or "<!--" in a string would end or derail the element; JSON
# allows these characters as \u escapes, so the data reads the same and the HTML stays whole.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


def script_json(value: Any) -> SafeString:
    """JSON safe to place between <script> tags (the escaping of Django's json_script)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # escaped just above


def describe(article: dict[str, Any] | None) -> str:
    """A short plain-text description: the page's own, else the start of its text."""
    if not article:
        return ""
    text = article["description"] or (article["paragraphs"][0] if article["paragraphs"] else "")
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)


def _authors(article: dict[str, Any] | None) -> list[dict[str, str]]:
    """Named authors as schema.org Persons; the outlet as an Organization when unsigned."""
    if not article:
        return []
    if article["authors"]:
        return [{"@type": "Person", "name": name} for name in article["authors"]]
    if article["outlet"]:
        return [{"@type": "Organization", "name": article["outlet"]}]
    return []


def _head(
    request: HttpRequest,
    *,
    title: str,
    path: str,
    lead: dict[str, Any] | None,
    published: str,
    modified: str,
    based_on: list[str],
) -> dict[str, Any]:
    canonical = absolute(request, path)
    shown = lead["image"] if lead else None
    image = {**shown, "url": absolute(request, shown["largest"])} if shown else None
    description = describe(lead)
    news_article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "headline": Truncator(title).chars(HEADLINE_CHARS),
        "datePublished": published,
        "dateModified": modified,
        "author": _authors(lead),
        "publisher": {"@type": "Organization", "name": site_name(), "url": base_url(request) + "/"},
        "isBasedOn": based_on,
    }
    if description:
        news_article["description"] = description
    if image:
        news_article["image"] = [image["url"]]
    if lead and lead["language"]:
        news_article["inLanguage"] = lead["language"]
    if lead and lead["section"]:
        news_article["articleSection"] = lead["section"]
    return {
        "canonical": canonical,
        "title": title,
        "description": description,
        "image": image,
        "published": published,
        "modified": modified,
        "section": lead["section"] if lead else "",
        "authors": list(lead["authors"]) if lead else [],
        "twitter_card": "summary_large_image" if image else "summary",
        "json_ld": script_json(news_article),
        "news_article": news_article,
    }


def _later(first: str, second: str) -> str:
    """The later of two ISO times, as given."""
    return second if datetime.fromisoformat(second) > datetime.fromisoformat(first) else first


def story_head(request: HttpRequest, story: dict[str, Any]) -> dict[str, Any]:
    """Head metadata of a story page: its lead article speaks for it."""
    return _head(
        request,
        title=story["title"],
        path=story["url"],
        lead=story["lead"],
        published=story["published_at"],
        modified=story["updated_at"],
        based_on=[a["source_url"] for a in story["articles"]],
    )


def article_head(request: HttpRequest, article: dict[str, Any]) -> dict[str, Any]:
    """Head metadata of one outlet's article page."""
    return _head(
        request,
        title=article["title"],
        path=article["url"],
        lead=article,
        published=article["published_at"],
        modified=_later(article["published_at"], article["fetched_at"]),
        based_on=[article["source_url"]],
    )
