"""Related stories: other stories whose articles share the most telling words with this
story's headline.

The full-text index already knows how rare each word is, so asking it for articles that
contain any of the headline's content words, ranked by BM25 with headlines weighted four
times (SQLite) or ts_rank over the same weighted text (PostgreSQL), gives stories about the
same people, places and subjects, never a random pick. The query is the headline only: it
carries the subject in a few words, which keeps the query cheap on a large archive.
"""

from __future__ import annotations

import time

from django.db import connection

from newsdesk.pipeline.textfeatures import STOPWORDS
from newsdesk.stories.search import PG_VECTOR, terms

MAX_WORDS = 10
# Best-matching articles read before grouping them by story; the story's own articles are
# among them, so this leaves room for a big story's many reports.
CANDIDATES = 200


def _words(title: str) -> list[str]:
    seen: list[str] = []
    for word in terms(title + " ") if title else []:
        if word in STOPWORDS or len(word) < 3 or word.isdigit() or word in seen:
            continue
        seen.append(word)
    return seen[:MAX_WORDS]


# Document frequencies change slowly; a process keeps what it looked up for a while.
_DF: dict[str, tuple[float, int]] = {}
DF_SECONDS = 3600.0
DF_MAX = 50_000
COMMON_SHARE = 0.02  # a word in more than 2% of articles says little about a subject


def _frequencies(words: list[str]) -> dict[str, int]:
    """Articles containing each word (SQLite's fts5vocab), remembered for an hour."""
    now = time.monotonic()
    missing = [w for w in words if w not in _DF or now - _DF[w][0] > DF_SECONDS]
    if missing:
        if len(_DF) > DF_MAX:
            _DF.clear()
        marks = ", ".join(["%s"] * len(missing))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term, doc FROM stories_article_fts_vocab WHERE term IN ({marks})",
                missing,
            )
            found = dict(cursor.fetchall())
        for word in missing:
            _DF[word] = (now, found.get(word, 0))
    return {w: _DF[w][1] for w in words}


def telling(words: list[str]) -> list[str]:
    """The headline's telling words: those in at most 2% of articles (else its rarest
    one). Matching on common words costs much and relates little."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM stories_article")
        total = cursor.fetchone()[0] or 0
    df = _frequencies(words)
    present = sorted((w for w in words if df[w] > 0), key=lambda w: df[w])
    rare = [w for w in present if df[w] <= max(50, COMMON_SHARE * total)]
    return rare or present[:1]


def _sqlite(words: list[str], story_id: int) -> list[tuple[int, float]]:
    words = telling(words)
    if not words:
        return []
    match = " OR ".join(f'"{w}"' for w in words)
    # Rank inside the index first (no row lookups), then read the best rows' stories.
    sql = (
        "SELECT a.story_id, m.score FROM (SELECT rowid, bm25(stories_article_fts, 4.0, 1.0) "
        "AS score FROM stories_article_fts WHERE stories_article_fts MATCH %s "
        "ORDER BY score LIMIT %s) m JOIN stories_article a ON a.id = m.rowid "
        "WHERE a.story_id IS NOT NULL AND a.story_id <> %s ORDER BY m.score"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, CANDIDATES, story_id])
        return [(sid, -score) for sid, score in cursor.fetchall()]


# PostgreSQL's ANALYZE keeps the most common words of the stored document with the share
# of articles holding each (pg_stats); a word not listed is rarer than any listed one.
_PG_SHARES: dict[str, object] = {"at": float("-inf"), "shares": {}}


def _pg_shares() -> dict[str, float]:
    """Share of articles holding each common word, from the planner's statistics."""
    now = time.monotonic()
    if now - float(_PG_SHARES["at"]) > DF_SECONDS:  # type: ignore[arg-type]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = 'stories_article' AND attname = 'search_vector'"
            )
            row = cursor.fetchone()
        # The frequencies end with three summary figures; zip stops at the last word.
        shares = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
        _PG_SHARES.update(at=now, shares=shares)
    return _PG_SHARES["shares"]  # type: ignore[return-value]


def pg_telling(words: list[str]) -> list[str]:
    """The headline's telling words on PostgreSQL: those in at most 2% of articles (else
    its rarest one)."""
    shares = _pg_shares()
    ordered = sorted(words, key=lambda w: shares.get(w, 0.0))
    rare = [w for w in ordered if shares.get(w, 0.0) <= COMMON_SHARE]
    return rare or ordered[:1]


def _postgres(words: list[str], story_id: int) -> list[tuple[int, float]]:
    vector = PG_VECTOR
    query = " | ".join(pg_telling(words))
    sql = (
        f"SELECT a.story_id, ts_rank({vector}, to_tsquery('simple', %s)) AS rank "
        f"FROM stories_article a WHERE {vector} @@ to_tsquery('simple', %s) "
        "AND a.story_id IS NOT NULL AND a.story_id <> %s ORDER BY rank DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query, query, story_id, CANDIDATES])
        return list(cursor.fetchall())


def related_story_ids(story_id: int, title: str, limit: int = 6) -> list[int]:
    """Up to ``limit`` other stories, most related first (their best-matching headline)."""
    words = _words(title)
    if not words:
        return []
    engine = _postgres if connection.vendor == "postgresql" else _sqlite
    ranked: list[int] = []
    for sid, _score in engine(words, story_id):
        if sid not in ranked:
            ranked.append(sid)
    return ranked[: limit * 2]  # the caller drops merged and empty stories, then cuts
