"""Publishing plumbing shared by pages, feeds and sitemaps: absolute URLs and conditional GET."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

import newsdesk
from newsdesk.site import cache as page_cache

MAX_AGE = 60  # seconds a browser or proxy may reuse a page before asking again


def base_url(request: HttpRequest) -> str:
    """The site's origin: NEWSDESK_SITE_URL when set (so links never follow a forged Host
    header), else the scheme and host of the request."""
    configured = str(settings.NEWSDESK["NEWSDESK_SITE_URL"] or "")
    if configured:
        parts = urlsplit(configured)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return f"{request.scheme}://{request.get_host()}"


def absolute(request: HttpRequest, path: str) -> str:
    """A site path ('/story/1') as an absolute URL; absolute URLs are left alone."""
    if path.startswith(("http://", "https://")):
        return path
    return base_url(request) + path


def site_name() -> str:
    return str(settings.NEWSDESK["NEWSDESK_SITE_NAME"])


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time from a data dict back into a datetime."""
    return datetime.fromisoformat(value) if value else None


def newest(times: Iterable[datetime | str | None]) -> datetime | None:
    """The latest of some times (datetimes or ISO strings), None when there are none."""
    parsed = [parse_time(t) if isinstance(t, str) else t for t in times]
    return max((t for t in parsed if t is not None), default=None)


@dataclass
class Snapshot:
    """What a response is made from: the page's data and when it last changed."""

    data: Any
    last_modified: datetime | None = None


def etag_for(request: HttpRequest, kind: str, data: Any) -> str:
    """A strong ETag over everything the response is made from: the representation, the
    data, the code version and the settings that show on the page."""
    basis = json.dumps(
        [kind, newsdesk.__version__, base_url(request), site_name(), data],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return '"' + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32] + '"'


# Headers a cached copy can do without: nginx and ``_cached`` send the same ones.
PLAIN_HEADERS = {"content-type", "etag", "last-modified", "cache-control", "content-length"}


def _cache_host(request: HttpRequest) -> str | None:
    """The page cache's host folder for this request, None when it is not cacheable."""
    if not page_cache.enabled() or request.method not in {"GET", "HEAD"}:
        return None
    if request.META.get("QUERY_STRING"):
        return None
    return urlsplit(base_url(request)).netloc or None


def _cached(request: HttpRequest, host: str) -> HttpResponse | None:
    """The page from the page cache, with the validators nginx gives the same file, so
    that either server answers a reader's If-None-Match with 304."""
    found = page_cache.fetch(host, request.path)
    if found is None:
        return None
    body, stat, content_type = found
    etag, modified = _file_validators(stat)
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        response = HttpResponse(body, content_type=content_type)
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(modified)
    response.headers["X-Page-Cache"] = "hit"
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _file_validators(stat: os.stat_result) -> tuple[str, int]:
    """nginx's ETag ("mtime-size" in hex) and Last-Modified for a cached file."""
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"', int(stat.st_mtime)


def _shareable(request: HttpRequest, response: HttpResponse, host: str) -> bool:
    """Whether every reader may get this very response from the page cache: a plain 200
    to a GET, that set no cookie, read no session and needs no header a file cannot keep."""
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False
    if any(name.lower() not in PLAIN_HEADERS for name in response.headers):
        return False
    name = page_cache.relative(host, request.path)
    return name is not None and response.get("Content-Type") == page_cache.content_type(name)


def conditional(
    kind: str, load: Callable[..., Snapshot]
) -> Callable[[Callable[[HttpRequest, Any], HttpResponse]], Callable[..., HttpResponse]]:
    """Serve a response with ETag, Last-Modified and ``Cache-Control: public, max-age=60``,
    answering 304 Not Modified to a matching If-None-Match or If-Modified-Since before
    anything is rendered. ``load(request, **url_kwargs)`` gives the snapshot (or raises
    Http404); the decorated function renders it: ``render(request, data)``.

    With the page cache on (site/cache.py), a cached copy is sent without calling ``load``,
    and a page rendered for everyone is written there for the next reader (and nginx)."""

    def decorate(render: Callable[[HttpRequest, Any], HttpResponse]) -> Callable[..., HttpResponse]:
        @require_safe
        @wraps(render)
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            host = _cache_host(request)
            if host is not None:
                hit = _cached(request, host)
                if hit is not None:
                    return hit
            # Read before the data: a purge from now on makes ``store`` drop this render.
            token = page_cache.generation() if host is not None else ""
            snapshot = load(request, **kwargs)
            etag = etag_for(request, kind, snapshot.data)
            stamp = int(snapshot.last_modified.timestamp()) if snapshot.last_modified else None
            response = get_conditional_response(request, etag=etag, last_modified=stamp)
            rendered = response is None
            if response is None:
                response = render(request, snapshot.data)
            response.headers["ETag"] = etag
            if stamp is not None:
                response.headers["Last-Modified"] = http_date(stamp)
            patch_cache_control(response, public=True, max_age=MAX_AGE)
            if rendered and host is not None and _shareable(request, response, host):
                stored = page_cache.store(host, request.path, response.content, token)
                if stored is not None:  # readers' next requests are answered from the file
                    etag, modified = _file_validators(stored)
                    response.headers["ETag"] = etag
                    response.headers["Last-Modified"] = http_date(modified)
            return response

        return view

    return decorate
