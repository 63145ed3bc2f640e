"""Sitemaps (django.contrib.sitemaps): an index, every story with its lead image, a Google
News sitemap of the last two days; and robots.txt pointing at the index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.core.files.storage import default_storage
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from newsdesk.site.publish import Snapshot, absolute, base_url, conditional, newest, site_name
from newsdesk.stories.images import file_name
from newsdesk.stories.models import Article, Image, Story

NEWS_DAYS = 2  # Google News takes articles of the last two days
NEWS_LIMIT = 1000  # and at most 1,000 of them per sitemap
XML = "application/xml; charset=utf-8"


def _lead(field: str) -> Subquery:
    """A field of a story's lead (first-published) article, as the story page shows it."""
    leads = Article.objects.filter(story=OuterRef("pk")).order_by("published_at", "pk")
    return Subquery(leads.values(field)[:1])


def live_stories() -> QuerySet[Story]:
    """Stories a reader can find: not merged away, with articles; with the lead's image and
    language."""
    shown = Article.objects.filter(story=OuterRef("pk"), image__status=Image.Status.READY)
    first_image = shown.order_by("published_at", "pk").values("image_id")[:1]
    return Story.objects.filter(merged_into__isnull=True, article_count__gt=0).annotate(
        lead_image_id=Subquery(first_image), lead_language=_lead("language")
    )


def w3c(moment: datetime | None) -> str:
    """W3C Datetime, as sitemaps want it."""
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else ""


class StorySitemap(Sitemap):
    """Every live story, newest change first."""

    changefreq = "hourly"

    def items(self) -> QuerySet[Story]:
        return live_stories().order_by("-updated_at", "-pk")

    def lastmod(self, story: Story) -> datetime:
        return story.updated_at

    def get_latest_lastmod(self) -> datetime | None:
        return live_stories().aggregate(latest=Max("updated_at"))["latest"]


class NewsSitemap(StorySitemap):
    """Stories first published in the last two days (Google News sitemap)."""

    limit = NEWS_LIMIT

    def items(self) -> QuerySet[Story]:
        since = timezone.now() - timedelta(days=NEWS_DAYS)
        return (
            live_stories()
            .filter(published_at__gte=since)
            .order_by("-published_at", "-pk")[:NEWS_LIMIT]
        )

    def get_latest_lastmod(self) -> datetime | None:
        return max((s.updated_at for s in self.items()), default=None)


SITEMAPS: dict[str, type[StorySitemap]] = {"stories": StorySitemap, "news": NewsSitemap}


def _public_site(request: HttpRequest) -> tuple[RequestSite, str]:
    """The public domain (NEWSDESK_SITE_URL, else the request's host) and scheme, for
    Sitemap.get_urls; newsdesk does not use the sites framework."""
    origin = urlsplit(base_url(request))
    site = RequestSite(request)
    site.domain = site.name = origin.netloc
    return site, origin.scheme


def _entries(request: HttpRequest, section: str) -> list[dict[str, Any]]:
    """The <url> entries of one sitemap page, as plain data."""
    sitemap = SITEMAPS[section]()
    site, scheme = _public_site(request)
    try:
        urls = sitemap.get_urls(page=request.GET.get("p", 1), site=site, protocol=scheme)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404(f"no such sitemap page: {error}") from error
    language = settings.LANGUAGE_CODE
    pictures = Image.objects.in_bulk([u["item"].lead_image_id for u in urls])
    largest = {
        pk: absolute(request, default_storage.url(file_name(img.key, max(img.widths))))
        for pk, img in pictures.items()
        if img.widths
    }
    return [
        {
            "location": url["location"],
            "lastmod": w3c(url["lastmod"]),
            "changefreq": url["changefreq"],
            "image": largest.get(url["item"].lead_image_id, ""),
            "title": url["item"].title,
            "published": w3c(url["item"].published_at),
            "language": url["item"].lead_language or language,
        }
        for url in urls
    ]


def load_index(request: HttpRequest) -> Snapshot:
    entries = []
    for section, cls in SITEMAPS.items():
        sitemap = cls()
        location = absolute(request, reverse(f"sitemap-{section}"))
        lastmod = sitemap.get_latest_lastmod()
        pages = sitemap.paginator.num_pages
        for page in range(1, max(pages, 1) + 1):
            entries.append(
                {
                    "location": location if page == 1 else f"{location}?p={page}",
                    "lastmod": w3c(lastmod),
                }
            )
    return Snapshot(entries, newest(e["lastmod"] or None for e in entries))


def load_section(section: str) -> Any:
    def load(request: HttpRequest) -> Snapshot:
        entries = _entries(request, section)
        return Snapshot(entries, newest(e["lastmod"] or None for e in entries))

    return load


def _xml(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, template, context, content_type=XML)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@conditional("sitemap-index", load_index)
def index(request: HttpRequest, entries: list[dict[str, Any]]) -> HttpResponse:
    return _xml(request, "site/sitemap_index.xml", {"sitemaps": entries})


@conditional("sitemap-stories", load_section("stories"))
def stories(request: HttpRequest, entries: list[dict[str, Any]]) -> HttpResponse:
    return _xml(request, "site/sitemap.xml", {"urlset": entries})


@conditional("sitemap-news", load_section("news"))
def news(request: HttpRequest, entries: list[dict[str, Any]]) -> HttpResponse:
    return _xml(request, "site/sitemap_news.xml", {"urlset": entries, "publication": site_name()})


def load_robots(request: HttpRequest) -> Snapshot:
    return Snapshot(
        {"sitemap": absolute(request, reverse("sitemap-index")), "admin": reverse("admin:index")}
    )


@conditional("robots", load_robots)
def robots(request: HttpRequest, data: dict[str, str]) -> HttpResponse:
    """Everything may be crawled but the admin; the sitemap index says where the stories are."""
    lines = [
        "User-agent: *",
        "Allow: /",
        f"Disallow: {data['admin']}",
        "",
        f"Sitemap: {data['sitemap']}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
