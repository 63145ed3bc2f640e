"""Plain data for each page: the HTML templates and the JSON twins render the same dicts."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from newsdesk.comments import service as comments
from newsdesk.ingest.models import Source
from newsdesk.site.publish import Snapshot, newest
from newsdesk.stories.images import image_data
from newsdesk.stories.models import Article, Entity, Story, StoryEntity
from newsdesk.stories.related import related_story_ids
from newsdesk.stories.sections import SECTIONS, slug

LEAD_PARAGRAPHS = 3
TOP_STORIES = 8
LATEST_STORIES = 12
SECTION_STORIES = 4
CANDIDATES = 300  # the newest stories the front page ranks
PER_PAGE = 30
RELATED = 4
HISTORY = 10  # earlier summary versions shown on a story page
ENTITIES_SHOWN = 12  # places, people and organisations listed per kind on a story page


def when(moment: datetime) -> str:
    """A date as readers write it: '20 Nov 2026, 08:30 UTC'."""
    return moment.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def credit_line(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def section_ref(name: str) -> dict[str, str] | None:
    return {"name": name, "url": reverse("section", args=[slug(name)])} if name else None


def article_data(article: Article, paragraphs: int | None = LEAD_PARAGRAPHS) -> dict[str, Any]:
    """An article as plain data; ``paragraphs`` limits the text to its lead."""
    body = article.paragraphs if paragraphs is None else article.paragraphs[:paragraphs]
    return {
        "id": article.pk,
        "url": article.get_absolute_url(),
        "title": article.title,
        "outlet": article.outlet,
        "source_id": article.source_id,
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
        "image": image_data(
            article.image, article.image_alt, article.image_caption, article.image_credit
        ),
        "paragraphs": body,
        "word_count": article.word_count,
        "paywalled": article.paywalled,
        "story_id": article.story_id,
        "copy_of": article.copy_of_id,
        "based_on": article.based_on_id,
    }


def stories_with_articles() -> QuerySet[Story]:
    """Stories with their articles (oldest first) fetched in one extra query."""
    articles = Article.objects.select_related("source", "image").order_by("published_at", "pk")
    return Story.objects.prefetch_related(Prefetch("articles", queryset=articles))


def live(stories: QuerySet[Story]) -> QuerySet[Story]:
    """Stories a reader can see: not merged into another, with articles."""
    return stories.filter(merged_into__isnull=True, article_count__gt=0)


def _story_image(articles: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first article's ready image, in publication order."""
    return next((a["image"] for a in articles if a["image"]), None)


def _card(story: Story, articles: list[dict[str, Any]]) -> dict[str, Any]:
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
        "comments": comments.count(story),
        "section": section_ref(story.section),
        "image": _story_image(articles),
        "lead": articles[0] if articles else None,
        "summary_text": story.summary_text,
    }


def cards(story_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Cards for many stories in three queries; only each lead's text is read (a story's
    other articles may be long and only their titles, outlets and images show)."""
    light = Article.objects.select_related("source", "image").defer("text")
    stories = comments.with_counts(
        Story.objects.prefetch_related(
            Prefetch("articles", queryset=light.order_by("published_at", "pk"))
        )
    ).in_bulk(story_ids)
    leads = [s.articles.all()[0].pk for s in stories.values() if s.articles.all()]
    texts = dict(Article.objects.filter(pk__in=leads).values_list("pk", "text"))
    result = {}
    for pk, story in stories.items():
        articles = []
        for article in story.articles.all():
            if article.pk in texts:
                article.text = texts[article.pk]
                articles.append(article_data(article, paragraphs=1))
            else:
                articles.append(article_data_light(article))
        result[pk] = _card(story, articles)
    return result


def article_data_light(article: Article) -> dict[str, Any]:
    """An article without its text (for lists): no paragraphs are read."""
    article.text = ""
    return article_data(article, paragraphs=0)


def _coverage(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Full coverage grouped by outlet, copies folded under the article they copy."""
    by_id = {a["id"]: a for a in articles}
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    copies: dict[int, list[dict[str, Any]]] = {}
    for a in articles:
        if a["copy_of"] in by_id:
            copies.setdefault(a["copy_of"], []).append(a)
        else:
            groups.setdefault(a["outlet"] or "Unknown outlet", []).append(a)
    return [
        {
            "outlet": outlet,
            "articles": [
                {
                    "id": a["id"],
                    "url": a["url"],
                    "title": a["title"],
                    "source_url": a["source_url"],
                    "paywalled": a["paywalled"],
                    "published_at": a["published_at"],
                    "published_label": a["published_label"],
                    "copies": [
                        {"outlet": c["outlet"], "url": c["url"], "source_url": c["source_url"]}
                        for c in copies.get(a["id"], [])
                    ],
                }
                for a in items
            ],
        }
        for outlet, items in groups.items()
    ]


def _timeline(articles: list[dict[str, Any]], first_id: int | None) -> list[dict[str, Any]]:
    """Each original report in time order; the first report marked."""
    return [
        {
            "at": a["published_at"],
            "label": a["published_label"],
            "outlet": a["outlet"],
            "title": a["title"],
            "url": a["url"],
            "first": a["id"] == first_id,
        }
        for a in articles
        if a["copy_of"] is None
    ]


def related_cards(story_id: int, title: str, limit: int = RELATED) -> list[dict[str, Any]]:
    """Stories related by content, as cards, best first."""
    ids = related_story_ids(story_id, title, limit)
    alive = set(live(Story.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    chosen = [i for i in ids if i in alive][:limit]
    found = cards(chosen)
    return [found[i] for i in chosen]


def summary_data(story: Story, history: int = HISTORY) -> dict[str, Any] | None:
    """The story's latest summary, every sentence with its outlet and article, and the
    earlier versions (newest first) for its history; None until one is written."""
    versions = list(story.summaries.all()[: history + 1])
    if not versions:
        return None
    latest = versions[0]
    return {
        "headline": latest.headline,
        "headline_outlet": latest.headline_outlet,
        "headline_article_id": latest.headline_article_id,
        "created_at": latest.created_at.isoformat(),
        "sentences": [
            {**s, "article_url": reverse("article", args=[s["article_id"]])}
            for s in latest.sentences
        ],
        "figures": [
            {
                **row,
                "values": [
                    {**v, "article_url": reverse("article", args=[v["article_id"]])}
                    for v in row["values"]
                ],
            }
            for row in latest.figures
        ],
        "history": [
            {
                "at": v.created_at.isoformat(),
                "label": when(v.created_at),
                "text": " ".join(s["text"] for s in v.sentences),
            }
            for v in versions[1:]
        ],
    }


def _credits(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per original article: outlet, byline, contributors and the link to the original."""
    return [
        {
            "outlet": a["outlet"],
            "byline": a["byline"],
            "contributors_line": a["contributors_line"],
            "source_url": a["source_url"],
            "paywalled": a["paywalled"],
            "title": a["title"],
        }
        for a in articles
        if a["copy_of"] is None
    ]


def story_data(story: Story, paragraphs: int | None = LEAD_PARAGRAPHS) -> dict[str, Any]:
    """A story as plain data: its summary, its articles, the lead (first-published) one first."""
    articles = [article_data(a, paragraphs) for a in story.articles.all()]
    return {
        **_card(story, articles),
        "first_report_id": story.first_report_id,
        "summary": summary_data(story),
        "credits": _credits(articles),
        **story_entities(story.pk),
        "articles": articles,
        "coverage": _coverage(articles),
        "timeline": _timeline(articles, story.first_report_id),
        "related": related_cards(story.pk, story.title),
        "discussion": comments.discussion(story),
    }


# --- listings ---------------------------------------------------------------------------


def rank(story: Story, now: datetime) -> float:
    """Top-story score: distinct outlets, decaying with age (half weight after ~12 hours)."""
    hours = max(0.0, (now - story.published_at).total_seconds() / 3600)
    return (story.outlet_count + 0.5 * story.developing) / math.pow(hours / 12 + 1, 1.5)


def section_order(names: set[str]) -> list[str]:
    """The usual sections in newspaper order, then the outlets' own, alphabetically."""
    known = [n for n in SECTIONS if n in names]
    return known + sorted(names - set(known))


def front_page_data() -> dict[str, Any]:
    """Top stories (outlets and recency), the latest ones, and a block per section."""
    candidates = list(live(Story.objects.all()).order_by("-published_at", "-pk")[:CANDIDATES])
    now = max([timezone.now(), *(s.published_at for s in candidates[:1])])
    ranked = sorted(candidates, key=lambda s: rank(s, now), reverse=True)
    top = ranked[:TOP_STORIES]
    shown = {s.pk for s in top}
    latest = [s for s in candidates if s.pk not in shown][:LATEST_STORIES]
    by_section: dict[str, list[int]] = {}
    for story in ranked:
        if story.section and len(by_section.setdefault(story.section, [])) < SECTION_STORIES:
            by_section[story.section].append(story.pk)
    newest_ids = [s.pk for s in candidates[:PER_PAGE]]
    wanted = {s.pk for s in [*top, *latest]} | set(newest_ids)
    wanted |= {pk for ids in by_section.values() for pk in ids}
    found = cards(sorted(wanted))
    return {
        "top": [found[s.pk] for s in top],
        "latest": [found[s.pk] for s in latest],
        "sections": [
            {**(section_ref(name) or {}), "stories": [found[pk] for pk in by_section[name]]}
            for name in section_order(set(by_section))
        ],
        # The newest stories, for the feeds.
        "stories": [found[pk] for pk in newest_ids],
    }


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _paged(
    request: HttpRequest, items: QuerySet[Any], total: int
) -> tuple[list[Any], dict[str, Any]]:
    page = _page_number(request)
    start = (page - 1) * PER_PAGE
    rows = list(items[start : start + PER_PAGE])
    pages = max(1, -(-total // PER_PAGE))
    if page > pages and total:
        raise Http404("no such page")
    nav = {
        "page": page,
        "pages": pages,
        "previous": f"?page={page - 1}" if page > 1 else "",
        "next": f"?page={page + 1}" if page < pages else "",
    }
    return rows, nav


_SECTIONS_MEMO: dict[str, tuple[float, list[str]]] = {}
SECTIONS_MEMO_SECONDS = 30.0


def section_names(fresh: bool = False) -> list[str]:
    """Sections that hold at least one live story. Every page's navigation shows them, so
    a process keeps the answer for half a minute (new sections are rare)."""
    now = time.monotonic()
    memo = _SECTIONS_MEMO.get("names")
    if memo and not fresh and now - memo[0] < SECTIONS_MEMO_SECONDS:
        return memo[1]
    rows = live(Story.objects.all()).exclude(section="").values_list("section", flat=True)
    names = section_order(set(rows.order_by().distinct()))
    _SECTIONS_MEMO["names"] = (now, names)
    return names


def section_data(request: HttpRequest, section_slug: str) -> dict[str, Any]:
    name = next((n for n in section_names(fresh=True) if slug(n) == section_slug), None)
    if name is None:
        raise Http404("no such section")
    stories = live(Story.objects.filter(section=name))
    rows, nav = _paged(
        request,
        stories.order_by("-published_at", "-pk").values_list("pk", flat=True),
        stories.count(),
    )
    found = cards(rows)
    return {
        **(section_ref(name) or {}),
        "slug": section_slug,
        "stories": [found[pk] for pk in rows],
        "nav": nav,
    }


def entity_ref(entity: Entity) -> dict[str, Any]:
    return {
        "kind": entity.kind,
        "name": entity.name,
        "slug": entity.slug,
        "url": entity.get_absolute_url(),
        "detail": entity.detail,
        "country_code": entity.country_code,
        "latitude": entity.latitude,
        "longitude": entity.longitude,
    }


def story_entities(story_id: int, per_kind: int = ENTITIES_SHOWN) -> dict[str, list[dict]]:
    """The places, people and organisations a story names, most mentioned first."""
    links = (
        StoryEntity.objects.filter(story_id=story_id)
        .select_related("entity")
        .order_by("-mentions", "entity__name")
    )
    found: dict[str, list[dict]] = {Entity.PLACE: [], Entity.PERSON: [], Entity.ORGANISATION: []}
    for link in links:
        shown = found[link.entity.kind]
        if len(shown) < per_kind:
            shown.append(entity_ref(link.entity))
    return {
        "places": found[Entity.PLACE],
        "people": found[Entity.PERSON],
        "organisations": found[Entity.ORGANISATION],
    }


def entity_data(request: HttpRequest, kind: str, entity_slug: str) -> dict[str, Any]:
    """A place's, person's or organisation's page: the stories naming it, newest first."""
    entity = get_object_or_404(Entity, kind=kind, slug=entity_slug)
    story_ids = StoryEntity.objects.filter(entity=entity).values_list("story_id", flat=True)
    stories = live(Story.objects.filter(pk__in=story_ids))
    rows, nav = _paged(
        request,
        stories.order_by("-published_at", "-pk").values_list("pk", flat=True),
        stories.count(),
    )
    found = cards(rows)
    return {**entity_ref(entity), "stories": [found[pk] for pk in rows], "nav": nav}


def source_card(source: Source, articles: int) -> dict[str, Any]:
    return {
        "id": source.pk,
        "url": reverse("source", args=[source.pk]),
        "title": source.title or source.url,
        "site_url": source.site_url,
        "feed_url": source.url,
        "kind": source.kind,
        "section": source.section,
        "active": source.active,
        "articles": articles,
        "last_success_at": source.last_success_at.isoformat() if source.last_success_at else None,
    }


def sources_data() -> dict[str, Any]:
    """Every source the site follows, grouped by its section (OPML folder)."""
    from django.db.models import Count

    sources = Source.objects.annotate(n=Count("articles")).order_by("section", "title", "pk")
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for source in sources:
        groups.setdefault(source.section or "Other", []).append(source_card(source, source.n))
    return {"groups": [{"section": k, "sources": v} for k, v in groups.items()]}


def source_data(request: HttpRequest, pk: int) -> dict[str, Any]:
    source = get_object_or_404(Source, pk=pk)
    articles = Article.objects.filter(source=source).select_related("source", "image")
    total = articles.count()
    rows, nav = _paged(request, articles.defer("text").order_by("-published_at", "-pk"), total)
    return {
        **source_card(source, total),
        "articles": [article_data_light(a) for a in rows],
        "nav": nav,
    }


# Snapshots for conditional GET (site/publish.py): the data of a page and when it last changed.


def _changed(cards: list[dict[str, Any]]) -> datetime | None:
    return newest(c["updated_at"] for c in cards)


def load_front(request: HttpRequest) -> Snapshot:
    data = front_page_data()
    return Snapshot(data, _changed(data["stories"] + data["top"]))


def load_story(request: HttpRequest, pk: int) -> Snapshot:
    story = get_object_or_404(stories_with_articles(), pk=pk)
    data = story_data(story)
    summary = data["summary"]["created_at"] if data["summary"] else None
    return Snapshot(data, newest([story.updated_at, data["discussion"]["updated_at"], summary]))


def load_article(request: HttpRequest, pk: int) -> Snapshot:
    article = get_object_or_404(Article.objects.select_related("source", "image"), pk=pk)
    data = article_data(article)
    changed = max(article.published_at, article.fetched_at)
    if article.story_id is not None:
        story = Story.objects.filter(pk=article.story_id).first()
        siblings = Article.objects.filter(story_id=article.story_id).exclude(pk=article.pk)
        data["story"] = (
            {
                "id": story.pk,
                "url": story.get_absolute_url(),
                "title": story.title,
                "outlets": story.outlet_count,
                "other_reports": [
                    {"title": a.title, "url": a.get_absolute_url(), "outlet": a.outlet}
                    for a in siblings.select_related("source").order_by("published_at")[:10]
                ],
            }
            if story
            else None
        )
        data["related"] = related_cards(article.story_id, article.title)
        if story:
            changed = max(changed, story.updated_at)
    else:
        data["story"], data["related"] = None, []
    data["discussion"] = comments.discussion(article)
    return Snapshot(data, newest([changed, data["discussion"]["updated_at"]]))


def load_entity(request: HttpRequest, kind: str, slug: str) -> Snapshot:
    data = entity_data(request, kind, slug)
    return Snapshot(data, _changed(data["stories"]))


def load_section(request: HttpRequest, section: str) -> Snapshot:
    data = section_data(request, section)
    return Snapshot(data, _changed(data["stories"]))


def load_sources(request: HttpRequest) -> Snapshot:
    return Snapshot(sources_data(), None)


def load_source(request: HttpRequest, pk: int) -> Snapshot:
    data = source_data(request, pk)
    return Snapshot(data, newest(a["fetched_at"] for a in data["articles"]))
