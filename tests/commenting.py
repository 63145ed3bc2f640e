"""Helpers for the comment tests: settings that let one test client post many comments, and a
post that looks like it came from the site's own form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from newsdesk.comments import tokens

ORIGIN = "http://testserver"  # the test client's own origin
MODERATOR = "desk@news.example"


def configure(settings: Any, **overrides: Any) -> None:
    """Comment settings for tests: no flood gap, a generous rate limit, one moderator."""
    values = {
        "NEWSDESK_COMMENTS_FLOOD_SECONDS": 0,
        "NEWSDESK_COMMENTS_RATE_LIMIT": 10_000,
        "NEWSDESK_COMMENTS_MODERATORS": MODERATOR,
    }
    values.update(
        {
            f"NEWSDESK_COMMENTS_{k}" if not k.startswith("NEWSDESK") else k: v
            for k, v in overrides.items()
        }
    )
    settings.NEWSDESK = {**settings.NEWSDESK, **values}


def form(on: Any, kind: str = "story", age: float = 60, **fields: Any) -> dict[str, Any]:
    """The fields the page's form sends, rendered ``age`` seconds ago."""
    data = {
        "kind": kind,
        "target": on.pk,
        "stamp": tokens.stamp(timezone.now() - timedelta(seconds=age)),
        "name": "Reader",
        "email": "",
        "website": "",
        "text": "A thoughtful remark.",
        "homepage": "",
    }
    data.update(fields)
    return data


def send(
    client: Client, on: Any, addr: str = "192.0.2.10", headers: dict | None = None, **fields: Any
) -> Any:
    """POST a comment from the site's own page (same Origin)."""
    extra = {"HTTP_ORIGIN": ORIGIN} if headers is None else headers
    return client.post("/comments/post", form(on, **fields), REMOTE_ADDR=addr, **extra)
