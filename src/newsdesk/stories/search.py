"""Full-text search over articles behind one function: SQLite FTS5 or PostgreSQL.

Readers type words; every word must match (prefix match on the last one, so results
come while typing), ranked by relevance, with filters and highlighted snippets.
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


def _sqlite(words: list[str], filters: Filters, limit: int, offset: int) -> tuple[int, list]:
    match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
    clauses, params = _where(filters, "a")
    where = " AND ".join(["stories_article_fts MATCH %s", *clauses])
    joined = "stories_article_fts JOIN stories_article a ON a.id = stories_article_fts.rowid"
    base = f"FROM {joined} WHERE {where}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {base}", [match, *params])
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT a.id, snippet(stories_article_fts, 1, %s, %s, '…', {SNIPPET_WORDS}) {base} "
            "ORDER BY bm25(stories_article_fts, 4.0, 1.0), a.published_at DESC LIMIT %s OFFSET %s",
            [_OPEN, _CLOSE, match, *params, limit, offset],
        )
        return total, cursor.fetchall()


def _postgres(words: list[str], filters: Filters, limit: int, offset: int) -> tuple[int, list]:
    query = " & ".join([*words[:-1], f"{words[-1]}:*"])
    vector = (
        "(setweight(to_tsvector('simple', coalesce(a.title, '')), 'A') || "
        "setweight(to_tsvector('simple', coalesce(a.text, '')), 'B'))"
    )
    clauses, params = _where(filters, "a")
    where = " AND ".join([f"{vector} @@ to_tsquery('simple', %s)", *clauses])
    base = f"FROM stories_article a WHERE {where}"
    options = f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords={SNIPPET_WORDS}, MinWords=8"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {base}", [query, *params])
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT a.id, ts_headline('simple', a.text, to_tsquery('simple', %s), %s) {base} "
            f"ORDER BY ts_rank({vector}, to_tsquery('simple', %s)) DESC, a.published_at DESC "
            "LIMIT %s OFFSET %s",
            [query, options, query, *params, query, limit, offset],
        )
        return total, cursor.fetchall()


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
    articles = Article.objects.select_related("source").in_bulk([row[0] for row in rows])
    results.hits = [(articles[i], highlight(snip)) for i, snip in rows if i in articles]
    return results
