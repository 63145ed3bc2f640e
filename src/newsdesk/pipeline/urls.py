"""URL canonicalisation: one spelling per page, tracking parameters removed."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import courlan


def canonical_url(url: str, base: str | None = None) -> str:
    """The normalised absolute form of ``url``: lower-case host, no fragment, no tracking.

    Returns "" when ``url`` is not an http(s) URL.
    """
    if not url:
        return ""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    if urlsplit(absolute).scheme not in {"http", "https"}:
        return ""
    try:
        return str(courlan.normalize_url(absolute, strict=True))
    except ValueError:
        return ""


def host_of(url: str) -> str:
    """The lower-case host name of ``url`` ("" when it has none)."""
    return (urlsplit(url).hostname or "").lower()
