"""The synthetic archive of benchmarks/site.py: made-up stories and articles (Zipf-weighted
common words and each story's own names), written to the database quickly, and the
searches readers would type. Nothing here comes from the evaluation data."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

DAYS = 60

# Common words, most frequent first; text draws them with Zipf-like weights.
_COMMON = """
the of and to in a said on for that is was with by at as from it has have be were will
are after an not their this but had its they who been more over his new which year than
government people also two first would about minister police city state could against
country last three told officials week report president since while when between public
after years into under local security new national other during before support plans
million percent health court water power market military council company workers party
leaders election prices energy budget talks border forces agreement schools hospital
economy trade attack storm flood fire protest vote law bank rates inflation growth jobs
housing transport climate weather rail airport port bridge harbour river road coast
village district region province capital north south east west central emergency
rescue residents families children students teachers doctors nurses farmers drivers
announced confirmed denied warned expected called agreed rejected approved launched
opened closed raised cut increased fell rose reached signed killed injured arrested
charged released evacuated damaged destroyed collapsed spread continued began ended
morning evening night monday tuesday wednesday thursday friday saturday sunday
spokesman spokeswoman statement interview investigation inquiry committee agency
ministry department union group company firm officials authorities members lawmakers
"""
COMMON = _COMMON.split()
_SYLLABLES = "ka lo ven mar tis dor ell an ru bel ost gra fen mi sol ter va nor hal pe"
SYLLABLES = _SYLLABLES.split()
SECTIONS = [
    "World",
    "Europe",
    "Politics",
    "Business",
    "Technology",
    "Science",
    "Health",
    "Sports",
    "Culture",
    "Crime",
]
TITLES = [
    "{person} {verb} {noun} plan in {place}",
    "{place} {noun}: {person} {verb} new {noun2}",
    "{noun} {noun2} in {place} as {person} {verb} talks",
    "{person} says {place} {noun} will be {verb}",
    "Thousands affected by {noun} in {place}",
    "{place} {verb} {noun} after {noun2} crisis",
]


def made_up(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


class Writer:
    """Synthetic articles: Zipf-weighted common words and each story's own names."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.weights = [1 / (rank + 1) for rank in range(len(COMMON))]
        self.places = sorted({made_up(self.rng, 3) for _ in range(3000)})
        self.people = sorted(
            {f"{made_up(self.rng, 2)} {made_up(self.rng, 3)}" for _ in range(4000)}
        )

    def words(self, n: int, topic: list[str]) -> str:
        picked = self.rng.choices(COMMON, self.weights, k=n)
        for i in range(0, n, 7):  # a name or a subject word now and then
            picked[i] = self.rng.choice(topic)
        return " ".join(picked)

    def topic(self) -> dict[str, str]:
        r = self.rng
        return {
            "person": r.choice(self.people),
            "place": r.choice(self.places),
            "noun": r.choice(COMMON[60:170]),
            "noun2": r.choice(COMMON[60:170]),
            "verb": r.choice(COMMON[200:230]),
        }

    def title(self, topic: dict[str, str]) -> str:
        text = self.rng.choice(TITLES).format(**topic)
        return text[0].upper() + text[1:]

    def text(self, topic: dict[str, str]) -> str:
        names = [topic["person"], topic["place"], topic["noun"], topic["noun2"]]
        paragraphs = []
        for _ in range(self.rng.randint(4, 7)):
            sentence = self.words(self.rng.randint(30, 55), names)
            paragraphs.append(sentence[0].upper() + sentence[1:] + ".")
        return "\n\n".join(paragraphs)


def generate(
    articles: int,
    stories: int,
    seed: int,
    save_articles: Callable[[list[Any]], object] | None = None,
    story_batch: int | None = None,
) -> dict[str, Any]:
    """Fill the database; returns the story ids and the names to search for.

    ``save_articles`` writes each batch of unsaved Article objects (default: bulk_create;
    benchmarks/scale_site.py passes a COPY on PostgreSQL), ``story_batch`` caps the rows of one
    INSERT of stories (PostgreSQL takes at most 65,535 parameters in one statement).
    """
    from django.core.management import call_command
    from django.db import connection, transaction

    from newsdesk.ingest.models import Source
    from newsdesk.stories.models import Article, Story

    call_command("migrate", interactive=False, verbosity=0)
    writer = Writer(seed)
    rng = writer.rng
    now = datetime.now(UTC).replace(microsecond=0)
    outlets = Source.objects.bulk_create(
        Source(
            url=f"https://{made_up(rng, 2).lower()}{n}.example/feed.xml",
            title=f"The {made_up(rng, 2)} {rng.choice(['Times', 'Post', 'Herald', 'News'])}",
            section=rng.choice(SECTIONS),
            last_success_at=now,
        )
        for n in range(40)
    )
    # Story sizes: many single reports, a few big stories (a long tail), totalling `articles`.
    sizes = [min(150, int(rng.paretovariate(1.2))) for _ in range(stories)]
    scale = (articles - stories) / max(1, sum(sizes) - stories)
    sizes = [max(1, int(s * scale)) for s in sizes]
    # The same draws as summing after each step would make, without the quadratic cost.
    for _ in range(articles - sum(sizes)):
        sizes[rng.randrange(stories)] += 1
    excess = sum(sizes) - articles
    while excess > 0:
        i = rng.randrange(stories)
        if sizes[i] > 1:
            sizes[i] -= 1
            excess -= 1
    topics, rows = [], []
    for size in sizes:
        topic = writer.topic()
        start = now - timedelta(seconds=rng.uniform(0, DAYS * 86400))
        times = sorted(start + timedelta(hours=rng.expovariate(0.2)) for _ in range(size))
        topics.append(topic)
        rows.append((topic, [min(t, now) for t in times]))
    save = save_articles or Article.objects.bulk_create
    with transaction.atomic():
        made = Story.objects.bulk_create(
            [
                Story(
                    title=writer.title(topic),
                    published_at=times[0],
                    updated_at=times[-1] + timedelta(minutes=5),
                    article_count=len(times),
                    outlet_count=min(len(times), 40),
                    developing=len(times) > 5 and now - times[-1] < timedelta(hours=6),
                    section=rng.choice(SECTIONS),
                )
                for topic, times in rows
            ],
            batch_size=story_batch,
        )
    story_ids = [s.pk for s in made]
    batch: list[Article] = []
    n = 0
    for story, (topic, times) in zip(made, rows, strict=True):
        for when in times:
            n += 1
            source = rng.choice(outlets)
            text = writer.text(topic)
            title = story.title if when == times[0] else writer.title(topic)
            slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
            url = f"{source.url.removesuffix('feed.xml')}{story.section.lower()}/{n}-{slug}"
            batch.append(
                Article(
                    source=source,
                    story_id=story.pk,
                    url=url,
                    canonical_url=url,
                    guid=url,
                    title=title,
                    text=text,
                    description=text.split(".")[0][:300] + ".",
                    authors=[rng.choice(writer.people)],
                    published_at=when,
                    fetched_at=when + timedelta(minutes=5),
                    language="en",
                    site_name=source.title,
                    section=story.section,
                    word_count=len(text.split()),
                    text_hash=hashlib.sha1(text.encode()).hexdigest(),
                )
            )
            if len(batch) >= 2000:
                save(batch)
                batch = []
    save(batch)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Without statistics on the new rows the planner walks the published_at index
            # for every story (hours at a million articles) instead of the story_id one.
            cursor.execute("ANALYZE stories_article")
        cursor.execute(
            "UPDATE stories_story SET first_report_id = (SELECT a.id FROM stories_article a "
            "WHERE a.story_id = stories_story.id ORDER BY a.published_at, a.id LIMIT 1)"
        )
    connection.close()
    return {"story_ids": story_ids, "topics": topics}


def search_paths(topics: list[dict[str, str]], rng: random.Random, n: int = 400) -> list[str]:
    """What readers type: a name, a name and a subject, two subjects, a prefix, one word."""
    paths = []
    for _ in range(n):
        t = rng.choice(topics)
        kind = rng.random()
        if kind < 0.35:
            q = t["person"].split()[-1]
        elif kind < 0.6:
            q = f"{t['place']} {t['noun']}"
        elif kind < 0.8:
            q = f"{t['noun']} {t['noun2']}"
        elif kind < 0.9:
            q = t["place"][:4]
        else:
            q = t["noun"]
        paths.append("/search?q=" + q.replace(" ", "+"))
    return paths
