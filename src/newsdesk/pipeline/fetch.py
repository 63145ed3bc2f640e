"""The only stage that talks to the network: GET a URL with caps and clear errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx

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


class HTTPStatusError(FetchError):
    """The server answered with a status other than 2xx or 304."""


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

    @property
    def not_modified(self) -> bool:
        """True when a conditional request found the resource unchanged."""
        return self.status == 304


def user_agent(product: str, contact_url: str = "") -> str:
    """An identifiable User-Agent, with the operator's contact URL when one is set."""
    return f"{product} (+{contact_url})" if contact_url else product


def make_client(agent: str, timeout: float = 20.0, max_redirects: int = 5) -> httpx.Client:
    """An HTTP client with newsdesk's User-Agent, timeouts and redirect cap."""
    return httpx.Client(
        headers={"User-Agent": agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        max_redirects=max_redirects,
    )


def _conditional_headers(etag: str, last_modified: str) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _read_capped(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLargeError(url, f"body of {declared} bytes exceeds the {max_bytes}-byte cap")
    chunks, size = [], 0
    # iter_bytes yields decompressed bytes, so the cap also stops compression bombs.
    for chunk in response.iter_bytes():
        size += len(chunk)
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
) -> Fetched:
    """GET ``url``; raise a FetchError subclass with a clear reason when that fails."""
    try:
        with client.stream("GET", url, headers=_conditional_headers(etag, last_modified)) as resp:
            if resp.status_code == 304:
                return Fetched(
                    url=str(resp.url), status=304, etag=etag, last_modified=last_modified
                )
            if not 200 <= resp.status_code < 300:
                raise HTTPStatusError(url, f"HTTP {resp.status_code}", resp.status_code)
            body = _read_capped(resp, url, max_bytes)
            return Fetched(
                url=str(resp.url),
                status=resp.status_code,
                body=body,
                content_type=resp.headers.get("Content-Type", "").split(";")[0].strip().lower(),
                charset=resp.charset_encoding,
                etag=resp.headers.get("ETag", ""),
                last_modified=resp.headers.get("Last-Modified", ""),
                headers=dict(resp.headers),
            )
    except httpx.TooManyRedirects as err:
        raise FetchError(url, "too many redirects") from err
    except httpx.TimeoutException as err:
        raise UnreachableError(url, "timed out") from err
    except (httpx.ConnectError, httpx.NetworkError) as err:
        raise UnreachableError(url, f"cannot connect: {err}") from err
    except httpx.DecodingError as err:
        raise FetchError(url, f"undecodable response: {err}") from err
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as err:
        raise FetchError(url, f"invalid URL: {err}") from err
    except httpx.HTTPError as err:
        raise FetchError(url, f"HTTP error: {err}") from err
