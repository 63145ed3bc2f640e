"""Feeds of article pages served a little slowly over loopback, and a polling helper, for the
tests that run real worker processes (test_restarts.py, test_sqlite_contention.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from fault_server import FaultServer, Reply, article_html, fault_server, rss


def until(check: Callable[[], object], seconds: float, step: float = 0.2) -> bool:
    """Poll ``check`` until it is true or ``seconds`` have passed; its last verdict."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return bool(check())
        time.sleep(step)
    return True


def _serve_feed(server: FaultServer, name: str, articles: int, delay: float) -> None:
    items = []
    for i in range(articles):
        path, title = f"/news/{name}-{i}.html", f"Council vote {name}-{i} on the river embankment"
        items.append({"title": title, "path": path, "guid": f"{name}-{i}"})

        def page(_handler: object, html: str = article_html(title)) -> Reply:
            time.sleep(delay)
            return Reply(200, html)

        server.route(path, page)
    feed = rss(items, server.base)
    server.route("/feed.xml", Reply(200, feed, {"Content-Type": "application/rss+xml"}))


@contextmanager
def slow_feeds(feeds: int, articles: int, delay: float, name: str = "") -> Iterator[list[str]]:
    """``feeds`` feed URLs of ``articles`` pages each, every page answered after ``delay``
    seconds. Each feed has a loopback server (a host) of its own, so that the per-host
    politeness rules do not make the feeds wait for one another."""
    with ExitStack() as stack:
        urls = []
        for n in range(feeds):
            server = stack.enter_context(fault_server())
            _serve_feed(server, f"{name}{n}", articles, delay)
            urls.append(f"{server.base}/feed.xml")
        yield urls
