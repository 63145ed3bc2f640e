"""Page caches on several machines kept in step through the database.

Each machine's web server keeps its own cache folder (DATA_DIR/pages, served by its nginx
too). A change anywhere (a worker storing an article on another machine, an editor in the
admin) is written to the purge log in the same transaction as the change; the process that
made it purges its own folder after the commit (site/cache.py). In every web process a
keeper thread reads the log rows it has not seen, every ``FOLLOW_SECONDS``, and purges the
same pages from its folder; rows from its own folder were purged already and are skipped.
The keeper also deletes pages past their lifetime, which nginx cannot tell, so a web
machine needs no job worker of its own. Old rows are pruned by a periodic job; a keeper
that fell further behind than the log reaches back empties its whole folder.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.db import close_old_connections, connections
from django.utils import timezone

from newsdesk.site import cache
from newsdesk.site.models import PagePurge

log = logging.getLogger(__name__)

ORIGIN = ".origin"
FOLLOW_SECONDS = 1.0  # how soon another machine's change reaches this machine's pages
KEEP_LOG = timedelta(minutes=30)  # purge rows older than this are pruned


def origin() -> str:
    """This cache folder's name in the purge log, made once and kept in the folder."""
    base = cache.root()
    try:
        return (base / ORIGIN).read_text(encoding="ascii").strip()
    except OSError:
        base.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        temp = base / f".origin-{name}"
        temp.write_text(name, encoding="ascii")
        try:
            os.link(temp, base / ORIGIN)  # first writer wins; a racing one reads its name
        except FileExistsError:
            pass
        finally:
            temp.unlink(missing_ok=True)
        return (base / ORIGIN).read_text(encoding="ascii").strip()


def record(story_ids: Iterable[int], article_ids: Iterable[int]) -> None:
    """Log a purge for the other machines (in the caller's transaction, if any)."""
    PagePurge.objects.create(
        origin=origin(), story_ids=sorted(story_ids), article_ids=sorted(article_ids)
    )


class Follower:
    """One cache folder's position in the purge log."""

    def __init__(self) -> None:
        self.last: int | None = None
        self.checked = 0.0

    def follow(self) -> int:
        """Purge what other machines logged since the last call; how many rows were read."""
        now = time.monotonic()
        behind = self.checked and now - self.checked > KEEP_LOG.total_seconds() / 2
        self.checked = now
        if self.last is None or behind:
            # The first look takes its place at the end (the server emptied the folder when
            # it started); a keeper away too long may have missed pruned rows: start afresh.
            self.last = PagePurge.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            if behind:
                cache.purge_all()
            return 0
        rows = list(
            PagePurge.objects.filter(pk__gt=self.last).values_list(
                "pk", "origin", "story_ids", "article_ids"
            )[:1000]
        )
        if not rows:
            return 0
        self.last = rows[-1][0]
        mine = origin()
        foreign = [row for row in rows if row[1] != mine]
        if foreign:  # one purge for the lot (every purge also empties the listings)
            stories = {pk for row in foreign for pk in row[2]}
            articles = {pk for row in foreign for pk in row[3]}
            cache.purge(stories, articles)
        return len(rows)


def prune(now: Any = None) -> int:
    """Delete purge rows every keeper has had time to read; how many."""
    cutoff = (now or timezone.now()) - KEEP_LOG
    deleted, _ = PagePurge.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def keep(
    stop: threading.Event, interval: float = FOLLOW_SECONDS, expire_every: float = 60.0
) -> None:
    """Follow the purge log and expire old pages until ``stop`` is set."""
    follower, expired = Follower(), time.monotonic()
    while True:
        try:
            follower.follow()
            if time.monotonic() - expired >= expire_every:
                expired = time.monotonic()
                cache.expire()
        except Exception:  # the database away: pages still expire by age; try again
            log.warning("page cache keeper: cannot read the purge log", exc_info=True)
        finally:
            close_old_connections()
        if stop.wait(interval):
            connections.close_all()  # this thread's own connections
            return


def keep_in_thread(**options: float) -> Callable[[], None]:
    """Run :func:`keep` in a daemon thread; returns the function that stops it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=keep, args=(stop,), kwargs=options, name="page-cache-keeper", daemon=True
    )
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=10)

    return halt


_KEEPER: dict[str, Any] = {"pid": 0}
_KEEPER_LOCK = threading.Lock()


def start_keeper() -> bool:
    """Start this process's keeper thread unless it runs already; True when started."""
    pid = os.getpid()
    with _KEEPER_LOCK:
        if _KEEPER["pid"] == pid:
            return False
        _KEEPER["pid"] = pid
        keep_in_thread()
    return True
