"""A fault-injection HTTP server on loopback: each path misbehaves in its own way."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLE_TEXT = (
    "The regional council approved a plan on Tuesday to rebuild the old river embankment "
    "after two winters of flooding damaged more than four hundred homes along the water. "
    "Engineers said the work would take three years and cost about 80 million euros, "
    "paid for by the region and a national fund for climate adaptation projects. "
)


def article_html(title: str, paragraphs: int = 4, extra_head: str = "", body: str = "") -> str:
    """An article page of the project's own invented text."""
    text = "".join(f"<p>{ARTICLE_TEXT} Paragraph {i}.</p>" for i in range(paragraphs))
    return (
        f"<html lang='en'><head><title>{title}</title>{extra_head}</head><body>"
        f"<article><h1>{title}</h1>{body}{text}</article></body></html>"
    )


def rss(items: list[dict], base: str) -> str:
    """An RSS 2.0 document of ``items`` ({title, path, guid, date})."""
    parts = []
    for item in items:
        date = f"<pubDate>{format_datetime(item['date'])}</pubDate>" if item.get("date") else ""
        parts.append(
            f"<item><title>{item['title']}</title><link>{base}{item['path']}</link>"
            f"<guid isPermaLink='false'>{item['guid']}</guid>{date}</item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Fault feed</title><link>{base}/</link>{''.join(parts)}</channel></rss>"
    )


@dataclass
class Reply:
    """What to answer: status, headers, body, or a custom writer for slow or broken replies."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    writer: Callable[[BaseHTTPRequestHandler], None] | None = None


Route = Callable[[BaseHTTPRequestHandler], Reply]


class FaultServer:
    """Routes plus a log of (time, path, headers) for every request received."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[float, str, dict[str, str]]] = []
        self.base = ""

    def route(self, path: str, reply: Reply | Route) -> None:
        """Answer ``path`` with a fixed reply or a function of the request."""
        self.routes[path] = reply if callable(reply) else (lambda _h, r=reply: r)

    def paths(self) -> list[str]:
        """Requested paths, in order."""
        return [p for _, p, _ in self.log]


def _handler(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            server.log.append((time.monotonic(), self.path, dict(self.headers)))
            route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
            reply = route(self) if route else Reply(404, b"not here")
            if reply.writer:
                reply.writer(self)
                return
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            self.send_response(reply.status)
            headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def fault_server(host: str = "127.0.0.1") -> Iterator[FaultServer]:
    """Run a FaultServer on ``host`` and a free port until the block ends."""
    state = FaultServer(host)
    httpd = ThreadingHTTPServer((host, 0), _handler(state))
    httpd.daemon_threads = True
    httpd.handle_error = lambda request, address: None  # clients hang up on purpose here
    state.base = f"http://{host}:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def drip(handler: BaseHTTPRequestHandler, seconds: float = 8.0) -> None:
    """Send headers, then one byte every 0.2 s (a slow-loris reply)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:
        return


def hang(handler: BaseHTTPRequestHandler, seconds: float = 8.0) -> None:
    """Accept the request and say nothing."""
    time.sleep(seconds)


def gzip_bomb(handler: BaseHTTPRequestHandler) -> None:
    """A small gzip body that inflates to 64 MB."""
    body = gzip.compress(b"\0" * 64_000_000, compresslevel=9)
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    try:
        handler.wfile.write(body)
    except OSError:
        return


def chunked_big(handler: BaseHTTPRequestHandler, size: int = 12_000_000) -> None:
    """A body with no Content-Length, larger than the cap."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"a" * 65536
    try:
        for _ in range(size // len(chunk)):
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")
    except OSError:
        return


def http_date(delta: timedelta) -> str:
    """An HTTP date ``delta`` from now."""
    return format_datetime(datetime.now(UTC) + delta, usegmt=True)
