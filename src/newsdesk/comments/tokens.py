"""Signed values (django.core.signing, keyed by the site's secret key): the form's time
stamp, the commenter's edit cookie, the "posted" notice, and the links sent by e-mail.
Each kind has its own salt, so no value can stand in for another."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core import signing

EDIT_COOKIE = "newsdesk_comments"  # the browser's own recent comments, signed
STAMP = "newsdesk.comments.stamp"
EDIT = "newsdesk.comments.edit"
POSTED = "newsdesk.comments.posted"
MODERATE = "newsdesk.comments.moderate"
FORGET = "newsdesk.comments.forget"

LINK_DAYS = 7  # moderation links
FORGET_DAYS = 2  # "delete my data" links
ACTIONS = ("approve", "delete", "spam")


def stamp(now: datetime) -> str:
    """The time a form was rendered, signed, for its hidden field."""
    return signing.Signer(salt=STAMP).sign(str(int(now.timestamp())))


def stamp_age(value: str, now: datetime) -> float | None:
    """Seconds since a form was rendered; None when the stamp is missing or forged. A page
    from the page cache carries the time it was rendered, so the age is only ever longer."""
    try:
        issued = int(signing.Signer(salt=STAMP).unsign(value))
    except (signing.BadSignature, ValueError):
        return None
    return now.timestamp() - issued


def edit_cookie(ids: list[int]) -> str:
    return signing.dumps(ids, salt=EDIT)


def edit_ids(value: str | None, max_age: int) -> set[int]:
    """The comments this browser sent, from its cookie (empty when absent or forged)."""
    if not value:
        return set()
    try:
        ids = signing.loads(value, salt=EDIT, max_age=max_age)
    except signing.BadSignature:
        return set()
    return {i for i in ids if isinstance(i, int)} if isinstance(ids, list) else set()


def posted(comment_id: int) -> str:
    return signing.dumps(comment_id, salt=POSTED)


def posted_id(value: str, max_age: int) -> int | None:
    try:
        found = signing.loads(value, salt=POSTED, max_age=max_age)
    except signing.BadSignature:
        return None
    return found if isinstance(found, int) else None


def moderation(comment_id: int, created: datetime, action: str) -> str:
    """A moderator's link token: one comment (the row created then), one action."""
    return signing.dumps([comment_id, int(created.timestamp()), action], salt=MODERATE)


def moderation_of(token: str) -> tuple[int, int, str] | None:
    try:
        found: Any = signing.loads(token, salt=MODERATE, max_age=LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not (isinstance(found, list) and len(found) == 3 and found[2] in ACTIONS):
        return None
    return int(found[0]), int(found[1]), str(found[2])


def forget(email: str) -> str:
    return signing.dumps(email.lower(), salt=FORGET)


def forget_of(token: str) -> str | None:
    try:
        found = signing.loads(token, salt=FORGET, max_age=FORGET_DAYS * 86400)
    except signing.BadSignature:
        return None
    return found if isinstance(found, str) else None
