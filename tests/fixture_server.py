"""A real HTTP server on 127.0.0.1 serving the project's fixtures, for tests."""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "site"
CONTENT_TYPES = {
    ".xml": "application/rss+xml",
    ".html": "text/html",
    ".opml": "text/x-opml",
    ".jpg": "image/jpeg",
}


class FixtureHandler(BaseHTTPRequestHandler):
    """Serve files from FIXTURES with __BASE__ replaced by the server's own URL."""

    root: Path = FIXTURES
    base: str = ""
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        path = (self.root / self.path.split("?", 1)[0].lstrip("/")).resolve()
        if not path.is_file() or self.root.resolve() not in path.parents:
            self.send_error(404)
            return
        body = path.read_bytes().replace(b"__BASE__", self.base.encode())
        ctype = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        self.send_response(200)
        self.send_header("Content-Type", ctype or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def fixture_server(root: Path = FIXTURES) -> Iterator[tuple[str, list[str]]]:
    """Serve ``root`` on a free port; yield (base URL, list of requested paths)."""
    requests: list[str] = []
    handler = type("Handler", (FixtureHandler,), {"root": root, "requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler.base, requests
    finally:
        server.shutdown()
        server.server_close()
