"""Per-host politeness shared by every source, thread and process: gaps, slots, pauses, robots.

State lives in the database (Host rows, and HostLease rows when a host may take
several requests at once) and changes only through conditional UPDATEs, which are
atomic on SQLite and PostgreSQL alike, so the rules hold across every worker that
shares the database. With one request at a time (the default) Host.next_request_at
alone does it: while a request runs it lies a lease ahead, and the request's end sets
it to that end plus the gap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import httpx
from django.db.models import Q
from django.utils import timezone
from protego import Protego

from newsdesk import dbwrite
from newsdesk.ingest.models import Host, HostLease
from newsdesk.pipeline.fetch import FetchError, HTTPStatusError, fetch
from newsdesk.pipeline.urls import host_key

log = logging.getLogger(__name__)

ROBOTS_MAX_AGE = timedelta(hours=24)
ROBOTS_RETRY = timedelta(hours=1)
MAX_PAUSE = timedelta(days=7)


class HostBusyError(Exception):
    """The host may not be asked now; ``wait`` seconds until it may."""

    def __init__(self, host: str, wait: float, reason: str = "") -> None:
        super().__init__(f"{host} busy for {wait:.0f}s{': ' + reason if reason else ''}")
        self.host, self.wait, self.reason = host, wait, reason


class RobotsDisallowedError(FetchError):
    """robots.txt forbids the URL, or cannot be read yet (a 5xx means "wait")."""


@dataclass(frozen=True)
class Rules:
    """How politely to treat hosts."""

    min_gap: float = 2.0
    concurrency: int = 1
    agent: str = "newsdesk"
    max_wait: float = 30.0
    # How long a claim keeps a host busy should its process die mid-request. Longer than
    # any live request may take (Options derives it from the fetch timeouts), so a live
    # request keeps its host; short, so a killed worker's hosts are free again soon.
    lease: float = 90.0

    @property
    def lease_span(self) -> timedelta:
        return timedelta(seconds=self.lease)


def host_row(url: str) -> Host:
    """The Host row for a URL's host, created on first sight."""
    name = host_key(url)
    host = Host.objects.filter(name=name).first()
    if host is None:
        host, _ = Host.objects.get_or_create(name=name)
    return host


def _known_host(url: str) -> Host:
    """The Host row, from the robots memo when fresh (its id and crawl delay suffice)."""
    memo = _ROBOTS_MEMO.get(host_key(url))
    if memo and time.monotonic() - memo[0] < _ROBOTS_MEMO_SECONDS:
        return memo[1]
    return host_row(url)


# robots.txt verdicts change at most daily; keep them in memory for a minute per host so
# a busy poll cycle reads the Host row once a minute, not once a request.
_ROBOTS_MEMO: dict[str, tuple[float, Host]] = {}
_ROBOTS_MEMO_SECONDS = 60.0


def _gap(host: Host, rules: Rules) -> timedelta:
    return timedelta(seconds=max(rules.min_gap, host.crawl_delay or 0.0))


_HOST, _LEASE = Host._meta.db_table, HostLease._meta.db_table
_CLAIM = (
    f"UPDATE {_HOST} SET next_request_at = %s WHERE id = %s"
    " AND (next_request_at IS NULL OR next_request_at <= %s)"
    " AND (paused_until IS NULL OR paused_until <= %s)"
)
_END = f"UPDATE {_HOST} SET next_request_at = %s WHERE id = %s AND next_request_at = %s"
_TAKE_LEASE = (
    f"UPDATE {_LEASE} SET until = %s WHERE host_id = %s AND slot = %s"
    " AND (until IS NULL OR until <= %s)"
)
_FREE_LEASE = f"UPDATE {_LEASE} SET until = NULL WHERE host_id = %s AND slot = %s"
_PUSH_GAP = (
    f"UPDATE {_HOST} SET next_request_at = %s WHERE id = %s"
    " AND (next_request_at IS NULL OR next_request_at < %s)"
)

# When this process's last request to a host (by name) allows the next one. A lane sleeps
# until then instead of claiming in vain and reading the row to learn why; the database
# still decides once the wait is over.
_GAP_ENDS: dict[str, datetime] = {}


def _take_lease(host_id: int, slot: int, now: datetime, lease: timedelta) -> bool:
    return bool(dbwrite.execute(_TAKE_LEASE, (now + lease, host_id, slot, now)))


def _try_claim(host: Host, rules: Rules, now: datetime) -> int | None:
    """Claim a request: its slot number, or None when the host is not free.

    Every step is one atomic UPDATE that commits on its own (plain SQL: the hot path).
    With one request at a time per host (the default) a single UPDATE does it all: the
    host's next start moves a lease ahead (so nobody else starts while this request runs,
    and should this process die the host is free again after the lease), and only if its
    gap is over and it is not paused. The request's end then sets the real gap.
    """
    if rules.concurrency <= 1:
        return 0 if dbwrite.execute(_CLAIM, (now + rules.lease_span, host.pk, now, now)) else None
    # Several slots: the gap first, so no two requests start closer than the gap (a gap
    # claimed when every slot is leased only delays the host, erring on the safe side).
    if not dbwrite.execute(_CLAIM, (now + _gap(host, rules), host.pk, now, now)):
        return None
    for slot in range(rules.concurrency):
        if _take_lease(host.pk, slot, now, rules.lease_span):
            return slot
        with dbwrite.write():
            _, created = HostLease.objects.get_or_create(host_id=host.pk, slot=slot)
        if created and _take_lease(host.pk, slot, now, rules.lease_span):
            return slot
    return None


def _release(host: Host, slot: int, rules: Rules, claimed_at: datetime) -> None:
    # The gap counts from the end of a request, so slow answers slow us down too.
    gap_end = timezone.now() + _gap(host, rules)
    if rules.concurrency <= 1:
        # Only if the mark is still ours: had the lease run out, another worker holds it.
        dbwrite.execute(_END, (gap_end, host.pk, claimed_at + rules.lease_span))
    else:  # the gap is pushed before the slot is freed, so the slot's next user sees it
        dbwrite.execute(_PUSH_GAP, (gap_end, host.pk, gap_end))
        dbwrite.execute(_FREE_LEASE, (host.pk, slot))
    _GAP_ENDS[host.name] = gap_end


def _wait_seconds(host: Host, rules: Rules, now: datetime) -> tuple[float, str]:
    fresh = (
        Host.objects.filter(pk=host.pk)
        .values("next_request_at", "paused_until", "pause_reason")
        .first()
    )
    if fresh is None:  # the row went away (deleted in the admin): start again
        _ROBOTS_MEMO.pop(host.name, None)
        return 0.0, ""
    host.next_request_at, host.paused_until = fresh["next_request_at"], fresh["paused_until"]
    host.pause_reason = fresh["pause_reason"]
    if host.paused_until and host.paused_until > now:
        return (host.paused_until - now).total_seconds(), host.pause_reason
    left = (host.next_request_at - now).total_seconds() if host.next_request_at else 0.0
    if 0.0 < left <= _gap(host, rules).total_seconds():
        return left, ""
    return 0.05, ""  # a request is in flight (or every slot is leased): ask again shortly


@contextmanager
def request_slot(
    url: str, rules: Rules, sleep: Callable[[float], None] = time.sleep
) -> Iterator[Host]:
    """Hold one of the URL host's request slots; wait up to rules.max_wait, else HostBusyError."""
    host = _known_host(url)
    waited = 0.0
    while True:
        now = timezone.now()
        gap_end = _GAP_ENDS.get(host.name)
        if gap_end and gap_end > now:  # known here: no need to ask the database yet
            wait, reason = (gap_end - now).total_seconds(), ""
        else:
            slot = _try_claim(host, rules, now)
            if slot is not None:
                break
            wait, reason = _wait_seconds(host, rules, now)
            if wait == 0.0:
                host = host_row(url)
                continue
            wait = max(wait, 0.01)
        if waited + wait > rules.max_wait:
            raise HostBusyError(host.name, wait, reason)
        sleep(wait)
        waited += wait
    try:
        yield host
    finally:
        _release(host, slot, rules, now)


def pause_host(url: str, seconds: float, reason: str) -> datetime:
    """Pause every request to the URL's host (429/503 Retry-After); return the pause's end."""
    until = timezone.now() + min(timedelta(seconds=seconds), MAX_PAUSE)
    host = host_row(url)
    Host.objects.filter(
        Q(paused_until__isnull=True) | Q(paused_until__lt=until), pk=host.pk
    ).update(paused_until=until, pause_reason=reason[:300])
    log.warning("host %s paused until %s: %s", host.name, until.isoformat(), reason)
    return until


@lru_cache(maxsize=4096)
def _parsed(name: str, fetched_at: datetime | None, text: str) -> Protego:
    return Protego.parse(text)


def _refresh_robots(host: Host, client: httpx.Client, rules: Rules, scheme: str) -> None:
    url = f"{scheme}://{host.name}/robots.txt"
    status, text, delay = "ok", "", None
    try:
        with request_slot(url, rules):
            fetched = fetch(client, url, max_bytes=500_000, total_timeout=30)
        text = fetched.body.decode("utf-8", errors="replace")
        delay = Protego.parse(text).crawl_delay(rules.agent)
    except HTTPStatusError as err:
        # RFC 9309: 4xx means no rules; 5xx means the whole site is off limits for now.
        status = "missing" if err.status and err.status < 500 else "unavailable"
    except FetchError as err:
        # The host is down or refuses us: that is the fetch's error, not a robots.txt answer.
        log.warning("robots.txt of %s unreachable: %s", host.name, err)
        raise
    Host.objects.filter(pk=host.pk).update(
        robots_txt=text,
        robots_status=status,
        robots_fetched_at=timezone.now(),
        crawl_delay=delay,
    )
    host.refresh_from_db()


def check_robots(url: str, client: httpx.Client, rules: Rules) -> None:
    """Raise RobotsDisallowedError unless robots.txt (re-read daily) lets us fetch ``url``."""
    name = host_key(url)
    memo = _ROBOTS_MEMO.get(name)
    if memo and time.monotonic() - memo[0] < _ROBOTS_MEMO_SECONDS and memo[1].robots_status:
        _apply_robots(memo[1], url, rules)
        return
    host = host_row(url)
    now = timezone.now()
    age = now - host.robots_fetched_at if host.robots_fetched_at else None
    stale = age is None or age > ROBOTS_MAX_AGE
    if stale or (host.robots_status == "unavailable" and age is not None and age > ROBOTS_RETRY):
        _refresh_robots(host, client, rules, httpx.URL(url).scheme)
    if host.robots_status in {"ok", "missing"}:
        _ROBOTS_MEMO[name] = (time.monotonic(), host)
    _apply_robots(host, url, rules)


def _apply_robots(host: Host, url: str, rules: Rules) -> None:
    if host.robots_status == "unavailable":
        raise RobotsDisallowedError(url, "robots.txt answers with a server error: waiting")
    if host.robots_status == "ok":
        robots = _parsed(host.name, host.robots_fetched_at, host.robots_txt)
        if not robots.can_fetch(url, rules.agent):
            raise RobotsDisallowedError(url, "robots.txt disallows this URL")
