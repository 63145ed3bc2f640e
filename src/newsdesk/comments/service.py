"""What happens to comments: classified when sent, edited, approved, erased; shown as a thread.

Functions take ``now`` so that time windows (closing, editing, duplicates) can be tested
without a clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from newsdesk.comments import avatars, spam
from newsdesk.comments.markup import count_links, render
from newsdesk.comments.models import Comment, Status
from newsdesk.site import cache
from newsdesk.stories.models import Article, Story

DUPLICATE_DAYS = 7
KINDS = ("story", "article")
Target = Story | Article


def conf(name: str) -> Any:
    return settings.NEWSDESK[f"NEWSDESK_COMMENTS_{name}"]


def enabled() -> bool:
    return bool(settings.NEWSDESK["NEWSDESK_COMMENTS"])


def kind_of(target: Target) -> str:
    return "story" if isinstance(target, Story) else "article"


def target_of(comment: Comment) -> Target:
    return comment.story if comment.story_id else comment.article  # type: ignore[return-value]


def closes_at(target: Target) -> datetime | None:
    """When a story or article stops taking comments: some days after it was first
    published (a story's first report); None when they never close."""
    days = int(conf("CLOSE_DAYS"))
    return target.published_at + timedelta(days=days) if days > 0 else None


def is_open(target: Target, now: datetime) -> bool:
    end = closes_at(target)
    return enabled() and (end is None or now < end)


def edit_window() -> timedelta:
    return timedelta(minutes=int(conf("EDIT_MINUTES")))


# --- sending --------------------------------------------------------------------------------


def _trusted(email: str) -> bool:
    """A returning commenter: one of their comments (by e-mail address) was approved."""
    return bool(email) and Comment.objects.filter(email=email, status=Status.APPROVED).exists()


def classify(
    text: str, name: str, email: str, now: datetime, exclude: int | None = None
) -> tuple[Status, float, list[str]]:
    """(status, spam score, reasons) for a comment as written."""
    recent = Comment.objects.filter(
        fingerprint=spam.fingerprint(text), created_at__gte=now - timedelta(days=DUPLICATE_DAYS)
    ).exclude(status=Status.REMOVED)
    if exclude is not None:
        recent = recent.exclude(pk=exclude)
    verdict = spam.score(
        text,
        name,
        duplicate=recent.exists(),
        blocked=spam.blocked_words(str(conf("BLOCKED_WORDS"))),
    )
    reasons = list(verdict.reasons)
    if verdict.score >= float(conf("SPAM_SCORE")):
        return Status.SPAM, verdict.score, reasons
    held = verdict.score >= float(conf("HOLD_SCORE"))
    links = count_links(text)
    if links > int(conf("MAX_LINKS")):
        held = True
        reasons.append(f"{links} links")
    mode = str(conf("MODERATION")).lower()
    if mode == "all":
        held = True
        reasons.append("every comment is moderated")
    elif mode != "none" and not _trusted(email):
        held = True
        reasons.append("first comment from this address" if email else "no e-mail address")
    return (Status.PENDING if held else Status.APPROVED), verdict.score, reasons


def submit(
    target: Target,
    *,
    name: str,
    email: str,
    website: str,
    text: str,
    ip: str,
    now: datetime,
    parent: Comment | None = None,
) -> Comment:
    """Store a new comment, approved, held or marked as spam."""
    email = email.strip().lower()
    status, score, reasons = classify(text, name, email, now)
    return Comment.objects.create(
        story=target if isinstance(target, Story) else None,
        article=target if isinstance(target, Article) else None,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        name=name,
        email=email,
        website=website,
        text=text,
        fingerprint=spam.fingerprint(text),
        status=status,
        spam_score=score,
        reasons="; ".join(reasons)[:300],
        ip=ip,
        created_at=now,
    )


def can_reply(parent: Comment) -> bool:
    return parent.status == Status.APPROVED and parent.depth < int(conf("MAX_DEPTH"))


def can_edit(comment: Comment, own_ids: set[int], now: datetime) -> bool:
    """The browser that sent a comment (its signed cookie names it) may change it for a
    while after sending, whatever a moderator has done with it since, unless it was spam."""
    return (
        comment.pk in own_ids
        and comment.status in (Status.PENDING, Status.APPROVED)
        and now - comment.created_at <= edit_window()
    )


def edit(comment: Comment, text: str, now: datetime) -> Comment:
    """New text for a comment; an approved one goes back to the queue if the new text
    would be held (a commenter cannot slip links past moderation by editing)."""
    status, score, reasons = classify(text, comment.name, comment.email, now, exclude=comment.pk)
    comment.text = text
    comment.fingerprint = spam.fingerprint(text)
    comment.edited_at = now
    comment.spam_score = score
    if status != Status.APPROVED or comment.status != Status.APPROVED:
        comment.status = Status.PENDING if status == Status.APPROVED else status
        comment.reasons = "; ".join(["edited", *reasons])[:300]
    comment.save()
    return comment


def approve(comment: Comment) -> None:
    comment.status = Status.APPROVED
    comment.save(update_fields=["status"])


def mark_spam(comment: Comment) -> None:
    comment.status = Status.SPAM
    comment.save(update_fields=["status"])


def erase(comment: Comment) -> None:
    """Remove a comment and everything it says of its author. One with replies stays as an
    empty "removed" row so the replies keep their place; removed rows left without replies
    go too."""
    parent_id = comment.parent_id
    if comment.replies.exists():
        comment.status = Status.REMOVED
        comment.name = comment.email = comment.website = comment.text = comment.ip = ""
        comment.fingerprint = ""
        comment.save()
        return
    comment.delete()
    while parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, status=Status.REMOVED).first()
        if parent is None or parent.replies.exists():
            return
        parent_id = parent.parent_id
        parent.delete()


def forget(email: str) -> int:
    """Erase every comment sent with an e-mail address ("delete my data"); how many."""
    rows = list(Comment.objects.filter(email=email.strip().lower()).order_by("-depth", "-pk"))
    for comment in rows:
        comment.refresh_from_db()
        erase(comment)
    return len(rows)


def purge_addresses(now: datetime) -> int:
    """Forget stored networks older than NEWSDESK_COMMENTS_IP_DAYS; how many comments."""
    before = now - timedelta(days=int(conf("IP_DAYS")))
    from newsdesk.comments import throttle

    # Counters matter for a rate window (minutes): a day idle is long enough, sooner if
    # addresses are to go sooner.
    throttle.forget(max(before, now - timedelta(days=1)))
    return Comment.objects.filter(created_at__lt=before).exclude(ip="").update(ip="")


def pages_changed(comments: list[Comment]) -> None:
    """Delete the cached pages that show these comments, once the change is committed."""
    if not cache.enabled() or not comments:
        return
    stories = [c.story_id for c in comments if c.story_id]
    articles = [c.article_id for c in comments if c.article_id]
    transaction.on_commit(lambda: cache.purge(story_ids=stories, article_ids=articles))


# --- showing --------------------------------------------------------------------------------


def with_counts(stories: QuerySet[Story]) -> QuerySet[Story]:
    """Stories annotated with their approved comments (``comment_total``), in one query."""
    approved = (
        Comment.objects.filter(story=OuterRef("pk"), status=Status.APPROVED)
        .order_by()
        .values("story")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return stories.annotate(
        comment_total=Coalesce(Subquery(approved, output_field=IntegerField()), 0)
    )


def count(story: Story) -> int:
    """A story's approved comments (annotated by ``with_counts``, else counted)."""
    total = getattr(story, "comment_total", None)
    if total is None:
        total = Comment.objects.filter(story=story, status=Status.APPROVED).count()
    return int(total)


def comment_data(comment: Comment) -> dict[str, Any]:
    from newsdesk.site.data import when

    removed = comment.status == Status.REMOVED
    return {
        "id": comment.pk,
        "parent": comment.parent_id,
        "depth": comment.depth,
        "removed": removed,
        "name": "" if removed else comment.name,
        "website": "" if removed else comment.website,
        "avatar": ""
        if removed
        else reverse("comments:avatar", args=[avatars.key(comment.email, comment.name)]),
        "html": "" if removed else render(comment.text),
        "created_at": comment.created_at.isoformat(),
        "created_label": when(comment.created_at),
        "edited": comment.edited_at is not None,
        "replies": [],
    }


def _prune(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop removed comments that no longer hold up any reply."""
    kept = []
    for node in nodes:
        node["replies"] = _prune(node["replies"])
        if not node["removed"] or node["replies"]:
            kept.append(node)
    return kept


def discussion(target: Target, now: datetime | None = None) -> dict[str, Any]:
    """A story's or article's comments as plain data for its page and JSON twin: the
    approved ones as a tree, whether the form is open, and where the comment feed is."""
    now = now or timezone.now()
    kind = kind_of(target)
    rows = list(
        Comment.objects.filter(
            **{kind: target}, status__in=[Status.APPROVED, Status.REMOVED]
        ).order_by("created_at", "pk")
    )
    nodes = {c.pk: comment_data(c) for c in rows}
    roots: list[dict[str, Any]] = []
    for node in nodes.values():
        parent = nodes.get(node["parent"])
        (parent["replies"] if parent else roots).append(node)
    end = closes_at(target)
    times = [c.edited_at or c.created_at for c in rows if c.status == Status.APPROVED]
    return {
        "enabled": enabled(),
        "kind": kind,
        "target": target.pk,
        "count": sum(1 for n in nodes.values() if not n["removed"]),
        "open": is_open(target, now),
        "closes_at": end.isoformat() if end else None,
        "max_depth": int(conf("MAX_DEPTH")),
        "updated_at": max(times).isoformat() if times else None,
        "feed_rss": reverse("comments:feed-rss", args=[kind, target.pk]),
        "feed_atom": reverse("comments:feed-atom", args=[kind, target.pk]),
        "thread": _prune(roots),
    }
