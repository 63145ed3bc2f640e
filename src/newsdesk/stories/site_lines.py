"""Site template lines in the database: each stored article's short lines are counted per
host, and lines most of a host's earlier articles held are dropped from its new ones.

The rules are pure (``newsdesk.pipeline.site_template``); this module reads the counts
they need in one query and records the article with one upsert.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from newsdesk.pipeline import site_template
from newsdesk.stories.models import SiteLine

ARTICLES_KEY = 0  # the row of a host that counts its articles, not a line
PRUNE_AFTER = timedelta(days=30)
# Keys per read and rows per upsert (three parameters each): under SQLite's oldest limit
# of 999 variables. An article has far fewer candidate lines, so each is one statement.
_READ_BATCH = 900
_WRITE_BATCH = 300


def site_host(host: str) -> str:
    """The host lines are counted under: lower case, without a leading "www."."""
    return host.lower().removeprefix("www.")


def clean_site_text(host: str, text: str, now: datetime) -> str:
    """The text without the lines that are template on this host; counts this article.

    Call it inside the transaction that stores the article, so that an article that is not
    stored in the end is not counted either. The article's lines are counted as they came,
    before stripping: a template line must keep its count.
    """
    host = site_host(host)
    if not host:
        return text
    keys = site_template.line_keys(text)
    wanted = [ARTICLES_KEY, *keys]
    counts: dict[int, int] = {}
    for start in range(0, len(wanted), _READ_BATCH):
        rows = SiteLine.objects.filter(host=host, key__in=wanted[start : start + _READ_BATCH])
        counts.update(rows.values_list("key", "articles"))
    seen = counts.pop(ARTICLES_KEY, 0)
    cleaned = site_template.strip_template(text, site_template.template_lines(text, counts, seen))
    record(host, keys, now)
    return cleaned


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
