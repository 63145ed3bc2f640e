"""Cross-origin request protection by the request's own headers, for forms that live on
cached pages.

Story and article pages are stored as static files and sent by nginx to everyone, so a form
on them cannot carry Django's per-visitor CSRF token (and a response that sets the CSRF
cookie is never cached). A forged cross-site POST is told apart by what browsers add to
every request instead, as Go's ``http.CrossOriginProtection`` and OWASP's Fetch Metadata
guidance do: ``Sec-Fetch-Site`` where the browser sends it, else ``Origin``, else
``Referer``. A request with none of them is refused: every browser that may send a
comment sends at least one, and scripts have no business here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest

from newsdesk.site.publish import base_url

SAME_SITE = {"same-origin", "none"}  # "none": the reader's own action (typed, bookmarked)


DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(url: str) -> str:
    """scheme://host[:port], lower case, without the scheme's default port; '' if none."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port
    except ValueError:
        return ""
    if not parts.scheme or not parts.hostname:
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown = "" if port in (None, DEFAULT_PORTS.get(parts.scheme)) else f":{port}"
    return f"{parts.scheme}://{host}{shown}"


def same_origin(request: HttpRequest) -> bool:
    """Whether a state-changing request comes from one of the site's own pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site.strip().lower() in SAME_SITE
    own = _origin_of(base_url(request))
    origin = request.headers.get("Origin")
    if origin is not None:
        return bool(own) and _origin_of(origin) == own  # "null" (sandboxed, file:) never matches
    referer = request.headers.get("Referer")
    if referer is not None:
        return bool(own) and _origin_of(referer) == own
    return False
