"""When to poll a source next: adaptive to how often it publishes, bounded, cache-aware."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import median

MAX_ERROR_STEPS = 10


def publishing_gap(times: Sequence[datetime | None], now: datetime) -> timedelta | None:
    """The median gap between a feed's recent item times (future times ignored)."""
    recent = sorted((t for t in times if t is not None and t <= now), reverse=True)[:20]
    if len(recent) < 2:
        return None
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(recent)]
    return timedelta(seconds=median(gaps))


def next_interval(
    previous: timedelta,
    new_items: int,
    item_times: Sequence[datetime | None],
    now: datetime,
    shortest: timedelta,
    longest: timedelta,
    fresh_for: timedelta | None = None,
) -> timedelta:
    """The next polling interval: half the publishing gap when items are dated, else
    shorter after news and longer after silence; never below what the server's cache
    headers ask for; always within [shortest, longest]."""
    gap = publishing_gap(item_times, now)
    if gap is not None:
        interval = gap / 2
    elif new_items:
        interval = previous * 0.75
    else:
        interval = previous * 1.5
    if fresh_for is not None:
        interval = max(interval, fresh_for)
    return min(max(interval, shortest), longest)


def error_backoff(errors: int, base: timedelta, longest: timedelta) -> timedelta:
    """Exponential back-off after ``errors`` consecutive failures, capped at ``longest``."""
    return min(base * (2 ** min(max(errors - 1, 0), MAX_ERROR_STEPS)), longest)
