"""Site template lines in the database: each stored article's short lines are counted per
host, and lines most of a host's earlier articles held are dropped from its new ones.

The first articles of a site are stored before its template is known; so are those that
came before a line grew common. When a host's article count reaches MIN_SEEN, twice that,
four times, and so on, its articles of the last BACKFILL_DAYS are cleaned again with what
the counts know now (:func:`backfill`, run as a job): few passes over a host's life, and
a site's first articles lose the furniture its later ones revealed.

The rules are pure (``newsdesk.pipeline.site_template``); this module reads the counts
they need in one query and records the article with one upsert.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q

from newsdesk.pipeline import site_template
from newsdesk.pipeline.extract import prose_words
from newsdesk.stories.models import Article, SiteLine, Story

ARTICLES_KEY = 0  # the row of a host that counts its articles, not a line
PRUNE_AFTER = timedelta(days=30)
# Keys per read and rows per upsert (three parameters each): under SQLite's oldest limit
# of 999 variables. An article has far fewer candidate lines, so each is one statement.
_READ_BATCH = 900
_WRITE_BATCH = 300
BACKFILL_DAYS = 30  # how far back a backfill cleans a host's articles
BACKFILL_LIMIT = 2000  # and at most this many of them, newest first


def site_host(host: str) -> str:
    """The host lines are counted under: lower case, without a leading "www."."""
    return host.lower().removeprefix("www.")


def _counts(host: str, keys: Iterable[int]) -> tuple[dict[int, int], int]:
    """(articles of the host holding each of ``keys``, articles of the host counted)."""
    wanted = [ARTICLES_KEY, *keys]
    counts: dict[int, int] = {}
    for start in range(0, len(wanted), _READ_BATCH):
        rows = SiteLine.objects.filter(host=host, key__in=wanted[start : start + _READ_BATCH])
        counts.update(rows.values_list("key", "articles"))
    return counts, counts.pop(ARTICLES_KEY, 0)


def clean_site_text(host: str, text: str, now: datetime) -> tuple[str, int]:
    """The text without the lines that are template on this host, and how many earlier
    articles of the host were counted; counts this article.

    Call it inside the transaction that stores the article, so that an article that is not
    stored in the end is not counted either. The article's lines are counted as they came,
    before stripping: a template line must keep its count.
    """
    host = site_host(host)
    if not host:
        return text, 0
    keys = site_template.line_keys(text)
    counts, seen = _counts(host, keys)
    cleaned = site_template.strip_template(text, site_template.template_lines(text, counts, seen))
    record(host, keys, now)
    return cleaned, seen


def backfill_due(seen: int) -> bool:
    """True when an article stored after ``seen`` counted ones should start a backfill:
    at MIN_SEEN earlier articles (the first time anything can be judged), then at each
    doubling."""
    rounds, rest = divmod(seen, site_template.MIN_SEEN)
    return rounds > 0 and rest == 0 and rounds & (rounds - 1) == 0


def clean_stored_text(host: str, text: str) -> str:
    """A stored (and counted) article's text without the lines now template on its host.

    The article is among the counts, so it is judged by the others: its own line counts
    and the host's article count less one.
    """
    keys = site_template.line_keys(text)
    counts, seen = _counts(site_host(host), keys)
    others = {key: n - 1 for key, n in counts.items()}
    template = site_template.template_lines(text, others, seen - 1)
    return site_template.strip_template(text, template)


def backfill(host: str, now: datetime) -> int:
    """Clean the host's articles of the last BACKFILL_DAYS again; how many changed.

    A changed article gets its new text, word count and copy hash (the search index follows
    the text), and its story is marked for a new summary.
    """
    from newsdesk.stories.service import text_hash  # service imports this module

    host = site_host(host)
    if not host:
        return 0
    at_host = Q()
    for prefix in ("https://", "http://", "https://www.", "http://www."):
        at_host |= Q(canonical_url__startswith=f"{prefix}{host}/")
    recent = Article.objects.filter(at_host, fetched_at__gte=now - timedelta(days=BACKFILL_DAYS))
    changed, stories = 0, set()
    for article in recent.order_by("-fetched_at", "-pk")[:BACKFILL_LIMIT]:
        cleaned = clean_stored_text(host, article.text)
        if cleaned == article.text:
            continue
        article.text = cleaned
        article.word_count = prose_words(cleaned)
        article.text_hash = text_hash(cleaned)
        article.save(update_fields=["text", "word_count", "text_hash"])
        changed += 1
        stories.add(article.story_id)
    Story.objects.filter(pk__in=[pk for pk in stories if pk]).update(summary_due=True)
    return changed


def record(host: str, keys: Iterable[int], now: datetime) -> None:
    """Add one article to the host's count (key 0) and to the count of each of ``keys``.

    An upsert, so concurrent workers never lose a count nor collide on the unique key
    (the same statement on SQLite and PostgreSQL). Keys go in ascending order, so two
    transactions writing rows of one host lock them in the same order and cannot deadlock.
    """
    ordered = sorted({ARTICLES_KEY, *keys})
    qn = connection.ops.quote_name
    table = qn(SiteLine._meta.db_table)
    articles = qn("articles")
    seen_at = qn("seen_at")
    when = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), _WRITE_BATCH):
            batch = ordered[start : start + _WRITE_BATCH]
            values = ", ".join(["(%s, %s, 1, %s)"] * len(batch))
            params: list[Any] = []
            for key in batch:
                params += [host, key, when]
            cursor.execute(
                f"INSERT INTO {table} ({qn('host')}, {qn('key')}, {articles}, {seen_at}) "
                f"VALUES {values} ON CONFLICT ({qn('host')}, {qn('key')}) DO UPDATE SET "
                f"{articles} = {table}.{articles} + 1, {seen_at} = excluded.{seen_at}",
                params,
            )


def prune(now: datetime) -> int:
    """Delete lines held by too few articles to be template and not seen for PRUNE_AFTER;
    how many.

    A line that has not reached MIN_REPEATS articles and has not come back within a month
    is not the site's template; the rows that count the hosts' articles (key 0) stay,
    whatever their count.
    """
    stale = SiteLine.objects.filter(
        articles__lt=site_template.MIN_REPEATS, seen_at__lt=now - PRUNE_AFTER
    )
    deleted, _ = stale.exclude(key=ARTICLES_KEY).delete()
    return deleted
