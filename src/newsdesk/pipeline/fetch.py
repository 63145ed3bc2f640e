"""The only stage that talks to the network: GET a URL with caps and clear errors."""

from __future__ import annotations

import email.utils
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from newsdesk.pipeline.netguard import GuardedTransport, Network

log = logging.getLogger(__name__)


class FetchError(Exception):
    """A URL could not be fetched; ``reason`` is a short message for people."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason
        self.status = status


class UnreachableError(FetchError):
    """DNS failure, refused connection, timeout, TLS error."""


class BlockedError(FetchError):
    """The URL (or a redirect hop) points to a private or internal address."""


class HTTPStatusError(FetchError):
    """The server answered with a status other than 2xx or 304."""

    def __init__(self, url: str, reason: str, status: int, retry_after: str = "") -> None:
        super().__init__(url, reason, status)
        self.retry_after = retry_after


class TooLargeError(FetchError):
    """The body is larger than the configured cap."""


@dataclass(frozen=True)
class Fetched:
    """A fetched response: final URL after redirects, status, headers and body."""

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    charset: str | None = None
    etag: str = ""
    last_modified: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    moved_to: str = ""  # the new address when every redirect hop was permanent (301/308)

    @property
    def not_modified(self) -> bool:
        """True when a conditional request found the resource unchanged."""
        return self.status == 304


def retry_after_seconds(value: str, now: datetime) -> float | None:
    """Retry-After as seconds from ``now``: delta-seconds or an HTTP date; None if unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def freshness_lifetime(headers: dict[str, str], now: datetime) -> timedelta | None:
    """How long the response stays fresh: Cache-Control max-age, else Expires; None if unsaid."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for directive in lowered.get("cache-control", "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.lower() in {"max-age", "s-maxage"} and value.strip('"').isdigit():
            return timedelta(seconds=int(value.strip('"')))
    expires = lowered.get("expires", "")
    if expires:
        try:
            when = email.utils.parsedate_to_datetime(expires)
        except (TypeError, ValueError):
            return timedelta(0)  # an invalid Expires means "already expired"
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(timedelta(0), when - now)
    return None


def user_agent(product: str, contact_url: str = "") -> str:
    """An identifiable User-Agent, with the operator's contact URL when one is set."""
    return f"{product} (+{contact_url})" if contact_url else product


def make_client(
    agent: str,
    timeout: float = 20.0,
    max_redirects: int = 5,
    allow_private: bool = False,
    allowed_networks: tuple[Network, ...] = (),
) -> httpx.Client:
    """An HTTP client with newsdesk's User-Agent, timeouts, redirect cap and SSRF guard.

    ``allow_private`` turns the guard off (intranets, tests); ``allowed_networks``
    lets chosen internal networks through while the guard stays on.
    """
    transport = httpx.HTTPTransport() if allow_private else GuardedTransport(allowed_networks)
    return httpx.Client(
        headers={"User-Agent": agent, "Accept-Encoding": "gzip, deflate, br"},
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        max_redirects=max_redirects,
        transport=transport,
        trust_env=False,
    )


def _conditional_headers(etag: str, last_modified: str) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _moved_to(response: httpx.Response) -> str:
    hops = response.history
    if hops and all(h.status_code in {301, 308} for h in hops):
        return str(response.url)
    return ""


def _read_capped(response: httpx.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLargeError(url, f"body of {declared} bytes exceeds the {max_bytes}-byte cap")
    chunks, size = [], 0
    # iter_bytes yields decompressed bytes, so the cap also stops compression bombs.
    for chunk in response.iter_bytes():
        size += len(chunk)
        if time.monotonic() > deadline:
            raise UnreachableError(url, "too slow: the whole response took longer than allowed")
        if size > max_bytes:
            raise TooLargeError(url, f"body exceeds the {max_bytes}-byte cap")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int = 5_000_000,
    total_timeout: float = 60.0,
) -> Fetched:
    """GET ``url``; raise a FetchError subclass with a clear reason when that fails."""
    deadline = time.monotonic() + total_timeout
    try:
        with client.stream("GET", url, headers=_conditional_headers(etag, last_modified)) as resp:
            if resp.status_code == 304:
                resp.read()  # drain the empty body so the connection can be reused
                return Fetched(
                    url=str(resp.url),
                    status=304,
                    etag=etag,
                    last_modified=last_modified,
                    headers=dict(resp.headers),
                    moved_to=_moved_to(resp),
                )
            if not 200 <= resp.status_code < 300:
                raise HTTPStatusError(
                    url,
                    f"HTTP {resp.status_code}",
                    resp.status_code,
                    resp.headers.get("Retry-After", ""),
                )
            body = _read_capped(resp, url, max_bytes, deadline)
            return Fetched(
                url=str(resp.url),
                status=resp.status_code,
                body=body,
                content_type=resp.headers.get("Content-Type", "").split(";")[0].strip().lower(),
                charset=resp.charset_encoding,
                etag=resp.headers.get("ETag", ""),
                last_modified=resp.headers.get("Last-Modified", ""),
                headers=dict(resp.headers),
                moved_to=_moved_to(resp),
            )
    except httpx.TooManyRedirects as err:
        raise FetchError(url, "too many redirects") from err
    except httpx.TimeoutException as err:
        raise UnreachableError(url, "timed out") from err
    except httpx.ConnectError as err:
        if "non-public address" in str(err):
            raise BlockedError(url, f"blocked private address: {err}") from err
        raise UnreachableError(url, f"cannot connect: {err}") from err
    except httpx.NetworkError as err:
        raise UnreachableError(url, f"cannot connect: {err}") from err
    except httpx.DecodingError as err:
        raise FetchError(url, f"undecodable response: {err}") from err
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as err:
        raise FetchError(url, f"invalid URL: {err}") from err
    except httpx.HTTPError as err:
        raise FetchError(url, f"HTTP error: {err}") from err
