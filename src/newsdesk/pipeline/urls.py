"""URL canonicalisation: one spelling per page, tracking parameters removed."""

from __future__ import annotations

from urllib.parse import parse_qsl, urljoin, urlsplit

import courlan

REDIRECT_PARAMS = ("url", "u", "q", "dest", "destination", "redirect", "target", "to", "link")
REDIRECT_PATHS = {"l.php", "url", "redirect", "redir", "out", "click", "r", "go", "link", "track"}


def unwrap_redirector(url: str) -> str:
    """The target of a redirector link (``/l.php?u=...``, ``/url?q=...``), else ``url``."""
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1].lower()
    if last not in REDIRECT_PATHS or not parts.query:
        return url
    params = dict(parse_qsl(parts.query))
    for name in REDIRECT_PARAMS:
        target = params.get(name, "")
        if urlsplit(target).scheme in {"http", "https"} and urlsplit(target).netloc:
            return target
    return url


def canonical_url(url: str, base: str | None = None) -> str:
    """The normalised absolute form of ``url``: lower-case host, no fragment, no tracking.

    Returns "" when ``url`` is not an http(s) URL.
    """
    if not url:
        return ""
    absolute = unwrap_redirector(urljoin(base, url.strip()) if base else url.strip())
    if urlsplit(absolute).scheme not in {"http", "https"}:
        return ""
    try:
        return str(courlan.normalize_url(absolute, strict=True))
    except ValueError:
        return ""


def host_of(url: str) -> str:
    """The lower-case host name of ``url`` ("" when it has none)."""
    return (urlsplit(url).hostname or "").lower()


def host_key(url: str) -> str:
    """The host and, when not the scheme's default, the port: politeness is kept per key."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return f"{host}:{parts.port}" if parts.port and parts.port != default else host
