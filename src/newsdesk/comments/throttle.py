"""Per-address limits on submissions, counted in the database so that every web process and
machine shares them: at most NEWSDESK_COMMENTS_RATE_LIMIT per window, and never two within
NEWSDESK_COMMENTS_FLOOD_SECONDS of each other."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from newsdesk.comments.models import Throttle


def _conf(name: str) -> int:
    return int(settings.NEWSDESK[f"NEWSDESK_COMMENTS_{name}"])


def hit(key: str, now: datetime) -> int:
    """Count one submission under ``key`` (an action and a network); 0 when it may go on,
    else the seconds to wait. The row is locked while it is read and written, so
    concurrent submissions from one address are counted one after the other."""
    limit, window, flood = _conf("RATE_LIMIT"), _conf("RATE_WINDOW"), _conf("FLOOD_SECONDS")
    with transaction.atomic():
        row = Throttle.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    Throttle.objects.create(key=key, window_start=now, count=1, last_at=now)
                return 0
            except IntegrityError:  # another process made it first: count on its row
                row = Throttle.objects.select_for_update().get(key=key)
        if now - row.window_start >= timedelta(seconds=window):
            row.window_start, row.count = now, 0
        wait = 0.0
        if row.count >= limit:
            wait = (row.window_start + timedelta(seconds=window) - now).total_seconds()
        elif flood and now - row.last_at < timedelta(seconds=flood):
            wait = (row.last_at + timedelta(seconds=flood) - now).total_seconds()
        if wait > 0:
            return max(1, math.ceil(wait))
        row.count += 1
        row.last_at = now
        row.save(update_fields=["window_start", "count", "last_at"])
        return 0


def forget(before: datetime) -> int:
    """Drop counters idle since ``before`` (they name networks); how many."""
    return Throttle.objects.filter(last_at__lt=before).delete()[0]
