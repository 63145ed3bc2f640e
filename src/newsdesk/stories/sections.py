"""Sections: the labels outlets give their articles, mapped onto one shared set.

Outlets file the same event under "World", "International", "world-news" or an OPML
folder called "Foreign". Readers want one "World" section, so a declared label (the
source's folder, the page's declared section or category) is matched word by word against
a small vocabulary; failing that, the article URL's path ("/business/2026/...") is read the
same way. A declared label that matches nothing is kept as the outlet wrote it, so an
editor's own folders ("Local", "Harbour") still become sections. An article with no label
and a plain URL gets the section its own words point to (pipeline/section_text.py), or none.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.utils.text import slugify

from newsdesk.pipeline.section_text import section_from_text

# Canonical section -> words that name it in labels and URL paths. Order matters: the
# first section with a matching word wins ("world business" is Business? no: World).
SECTIONS: dict[str, tuple[str, ...]] = {
    "World": (
        "world",
        "international",
        "foreign",
        "global",
        "worldnews",
        "africa",
        "asia",
        "americas",
        "middleeast",
        "middle-east",
        "australia",
    ),
    "Europe": ("europe", "european", "eu", "uk", "britain"),
    "US": ("us", "u.s.", "usa", "national", "nation", "america", "us-news", "usnews"),
    "Politics": ("politics", "political", "election", "elections", "government"),
    "Business": (
        "business",
        "economy",
        "economics",
        "markets",
        "market",
        "finance",
        "money",
        "companies",
        "trade",
    ),
    "Technology": ("technology", "tech", "digital", "internet", "ai", "cyber"),
    "Science": ("science", "environment", "climate", "space", "nature"),
    "Health": ("health", "medicine", "medical", "wellness", "coronavirus", "covid"),
    "Sports": ("sport", "sports", "football", "soccer", "cricket", "tennis", "nba", "nfl"),
    "Crime": ("crime", "justice", "courts", "police", "law"),
    "Culture": (
        "culture",
        "arts",
        "entertainment",
        "film",
        "movies",
        "music",
        "books",
        "television",
        "tv",
        "lifestyle",
    ),
    "Opinion": ("opinion", "comment", "commentisfree", "editorial", "editorials", "analysis"),
}
_LOOKUP = {word: name for name, words in SECTIONS.items() for word in words}
_WORDS = re.compile(r"[a-z.]+(?:-[a-z]+)?")
# Path segments that are never sections: dates, languages, "news", "article" and the like.
_NOISE = {"news", "article", "articles", "story", "stories", "en", "live", "amp", "www"}


def _match(label: str) -> str:
    """The canonical section named by a label's words, or ''."""
    lowered = label.lower().replace("&", " ")
    whole = _LOOKUP.get(lowered.strip())
    if whole:
        return whole
    for word in _WORDS.findall(lowered):
        hit = _LOOKUP.get(word) or _LOOKUP.get(word.strip("."))
        if hit:
            return hit
    return ""


def from_url(url: str) -> str:
    """The section an article's URL path names ('/business/2026/rates' -> 'Business')."""
    segments = [s for s in urlsplit(url).path.lower().split("/") if s]
    # The last segment is the article's own slug; dates and filler are skipped.
    words = [s for s in segments[:-1] if s not in _NOISE and not s.isdigit()]
    for segment in words[:3]:
        hit = _LOOKUP.get(segment) or _LOOKUP.get(segment.replace("-news", ""))
        if hit:
            return hit
    return ""


def section_for(
    declared: Iterable[str], url: str = "", *, title: str = "", text: str = "", language: str = ""
) -> str:
    """One article's section: its declared labels first, then its URL path; a declared
    label that names no known section is kept as written. With nothing declared and a
    plain URL, the section its words point to (English only), if they point clearly."""
    labels = [label.strip() for label in declared if label and label.strip()]
    for label in labels:
        hit = _match(label)
        if hit:
            return hit
    found = from_url(url) or (labels[0][:100] if labels else "")
    if found or not title or language not in ("", "en"):
        return found
    return section_from_text(title, text)


def story_section(sections: Iterable[str]) -> str:
    """A story's section: the one most of its articles carry (ties: the earliest)."""
    counts = Counter(s for s in sections if s)
    if not counts:
        return ""
    best = max(counts.values())
    return next(s for s in counts if counts[s] == best)


def slug(section: str) -> str:
    """The section's address part: 'US' -> 'us', 'Science & Tech' -> 'science-tech'."""
    return slugify(section) or "section"
