"""Full-text search over articles behind one function: SQLite FTS5 or PostgreSQL.

Readers type words; every word must match (prefix match on the last one, so results
come while typing), ranked by relevance, with filters and highlighted snippets. On
SQLite the article rows are read only for filters and for the page's hits: counting and
ranking use the index alone, which is what keeps a search fast on a large archive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils.html import escape

from newsdesk.stories.models import Article

_WORD = re.compile(r"\w+", re.UNICODE)
_OPEN, _CLOSE = "\x02", "\x03"  # markers that survive HTML escaping, then become <mark>
SNIPPET_WORDS = 24
MAX_TERMS = 12
# PostgreSQL's weighted document of an article ``a`` (headline A, text B): a stored column
# with a GIN index (migration 0007), read rather than recomputed from the text.
PG_VECTOR = "a.search_vector"
# Ranking by relevance costs time in proportion to the matches. A query matching more
# articles than this ("economy") has its newest BROAD matches ranked, then the older ones
# follow newest first: on a news site the recent ones are what a broad query is after.
BROAD = 2000
# PostgreSQL counts matches row by row (a broad word in a million articles: seconds), so
# it stops counting here and the page says "more than"; SQLite counts inside its index.
PG_COUNT_CAP = 1000


@dataclass(frozen=True)
class Filters:
    """Narrowing a search: section, source, publication date range."""

    section: str = ""
    source_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass
class Results:
    """One page of results: (article, highlighted snippet HTML) pairs and the total."""

    query: str
    total: int = 0
    page: int = 1
    per_page: int = 20
    hits: list[tuple[Article, str]] = field(default_factory=list)
    more: bool = False  # more matches than ``total``, which stopped counting there

    @property
    def pages(self) -> int:
        """How many pages the results fill."""
        return max(1, -(-self.total // self.per_page))


def terms(query: str) -> list[str]:
    """The words of a reader's query (no operators: every word must match)."""
    return _WORD.findall(query.lower())[:MAX_TERMS]


def highlight(text: str) -> str:
    """Escape a snippet for HTML and turn the engine's match markers into <mark>."""
    return escape(text).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def _where(filters: Filters, alias: str) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    adapt = connection.ops.adapt_datetimefield_value
    if filters.section:
        clauses.append(f"{alias}.section = %s")
        params.append(filters.section)
    if filters.source_id is not None:
        clauses.append(f"{alias}.source_id = %s")
        params.append(filters.source_id)
    if filters.since is not None:
        clauses.append(f"{alias}.published_at >= %s")
        params.append(adapt(filters.since))
    if filters.until is not None:
        clauses.append(f"{alias}.published_at < %s")
        params.append(adapt(filters.until))
    return clauses, params


def _window(total: int, limit: int, offset: int, broad: int) -> tuple[int, int, int]:
    """How a page splits when only the newest ``broad`` matches are ranked: (rows from the
    ranked window, rows from the older matches, newest first, and their offset)."""
    if total <= broad:
        return limit, 0, 0
    ranked = max(0, min(limit, broad - offset))
    return ranked, limit - ranked, max(0, offset - broad)


def _sqlite(words: list[str], filters: Filters, limit: int, offset: int) -> tuple[int, list]:
    match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
    clauses, params = _where(filters, "a")
    source = "stories_article_fts"
    if clauses:  # the article row is read only when a filter needs it: it costs most
        source += " JOIN stories_article a ON a.id = stories_article_fts.rowid"
    where = " AND ".join(["stories_article_fts MATCH %s", *clauses])
    base, args = f"FROM {source} WHERE {where}", [match, *params]
    row = "stories_article_fts.rowid"
    snippet = f"snippet(stories_article_fts, 1, %s, %s, '…', {SNIPPET_WORDS})"
    select = f"SELECT {row}, {snippet} {base}"
    rows: list = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {base}", args)
        total = cursor.fetchone()[0]
        ranked, older, older_offset = _window(total, limit, offset, BROAD)
        bound: list[Any] = []
        if total > BROAD:
            cursor.execute(
                f"SELECT {row} {base} ORDER BY {row} DESC LIMIT 1 OFFSET %s", [*args, BROAD - 1]
            )
            bound = [cursor.fetchone()[0]]
        if ranked:
            cursor.execute(
                f"{select}{f' AND {row} >= %s' if bound else ''} "
                f"ORDER BY bm25(stories_article_fts, 4.0, 1.0), {row} DESC LIMIT %s OFFSET %s",
                [_OPEN, _CLOSE, *args, *bound, ranked, offset],
            )
            rows += cursor.fetchall()
        if older:
            cursor.execute(
                f"{select} AND {row} < %s ORDER BY {row} DESC LIMIT %s OFFSET %s",
                [_OPEN, _CLOSE, *args, *bound, older, older_offset],
            )
            rows += cursor.fetchall()
    return total, rows


def _postgres(words: list[str], filters: Filters, limit: int, offset: int) -> tuple[int, list]:
    query = " & ".join([*words[:-1], f"{words[-1]}:*"])
    vector = PG_VECTOR
    clauses, params = _where(filters, "a")
    where = " AND ".join([f"{vector} @@ to_tsquery('simple', %s)", *clauses])
    base, args = f"FROM stories_article a WHERE {where}", [query, *params]
    options = f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords={SNIPPET_WORDS}, MinWords=8"
    select = f"SELECT a.id, ts_headline('simple', a.text, to_tsquery('simple', %s), %s) {base}"
    rows: list = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s) m", [*args, PG_COUNT_CAP + 1]
        )
        total = cursor.fetchone()[0]
        broad = min(BROAD, PG_COUNT_CAP)  # never rank more than were counted
        ranked, older, older_offset = _window(total, limit, offset, broad)
        bound: list[Any] = []
        if total > broad:
            cursor.execute(
                f"SELECT a.id {base} ORDER BY a.id DESC LIMIT 1 OFFSET %s", [*args, broad - 1]
            )
            bound = [cursor.fetchone()[0]]
        if ranked:
            cursor.execute(
                f"{select}{' AND a.id >= %s' if bound else ''} "
                f"ORDER BY ts_rank({vector}, to_tsquery('simple', %s)) DESC, a.id DESC "
                "LIMIT %s OFFSET %s",
                [query, options, *args, *bound, query, ranked, offset],
            )
            rows += cursor.fetchall()
        if older:
            cursor.execute(
                f"{select} AND a.id < %s ORDER BY a.id DESC LIMIT %s OFFSET %s",
                [query, options, *args, *bound, older, older_offset],
            )
            rows += cursor.fetchall()
    return total, rows


def search(
    query: str, filters: Filters | None = None, page: int = 1, per_page: int = 20
) -> Results:
    """Articles matching every word of ``query``, best first, with highlighted snippets."""
    results = Results(query=query, page=max(1, page), per_page=per_page)
    words = terms(query)
    if not words:
        return results
    engine = _postgres if connection.vendor == "postgresql" else _sqlite
    offset = (results.page - 1) * per_page
    results.total, rows = engine(words, filters or Filters(), per_page, offset)
    if engine is _postgres and results.total > PG_COUNT_CAP:
        results.total, results.more = PG_COUNT_CAP, True
    articles = Article.objects.select_related("source").in_bulk([row[0] for row in rows])
    results.hits = [(articles[i], highlight(snip)) for i, snip in rows if i in articles]
    return results
