"""Background jobs for comments: e-mail off the request path, and forgetting addresses."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from newsdesk.comments import emails, service
from newsdesk.comments.models import Comment, Status


@db_task()
def notify_moderators(comment_id: int, base: str) -> int:
    """Mail the moderators about a held comment (if it is still held)."""
    comment = Comment.objects.filter(pk=comment_id, status=Status.PENDING).first()
    return emails.notify_moderators(comment, base) if comment else 0


@db_task()
def send_forget_link(email: str, base: str) -> int:
    return emails.send_forget_link(email, base)


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_addresses() -> int:
    """Blank stored networks past NEWSDESK_COMMENTS_IP_DAYS, daily."""
    return service.purge_addresses(timezone.now())
