"""E-mail: moderators hear of comments waiting, readers get their "delete my data" link.
Links are signed (tokens.py) and absolute, built on the site's own origin."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from newsdesk.comments import tokens
from newsdesk.comments.markup import plain
from newsdesk.comments.models import Comment


def moderators() -> list[str]:
    listed = str(settings.NEWSDESK["NEWSDESK_COMMENTS_MODERATORS"]).split(",")
    found = [a.strip() for a in listed if a.strip()]
    admin = str(settings.NEWSDESK["NEWSDESK_ADMIN_EMAIL"]).strip()
    return found or ([admin] if admin else [])


def moderation_links(comment: Comment, base: str) -> dict[str, str]:
    """action -> absolute signed URL of its confirmation page."""
    return {
        action: base
        + reverse(
            "comments:moderate", args=[tokens.moderation(comment.pk, comment.created_at, action)]
        )
        for action in tokens.ACTIONS
    }


def notify_moderators(comment: Comment, base: str) -> int:
    """Tell the moderators a comment waits; how many messages were sent."""
    recipients = moderators()
    if not recipients:
        return 0
    context = {
        "comment": comment,
        "text": plain(comment.text),
        "page": base + comment.target_url(),
        "links": moderation_links(comment, base),
        "queue": base + reverse("admin:comments_pendingcomment_changelist"),
    }
    body = render_to_string("comments/email/moderate.txt", context)
    subject = f"Comment awaiting moderation from {comment.name}"
    return send_mail(subject, body, None, recipients)


def send_forget_link(email: str, base: str) -> int:
    link = base + reverse("comments:forget-confirm", args=[tokens.forget(email)])
    body = render_to_string("comments/email/forget.txt", {"link": link, "days": tokens.FORGET_DAYS})
    return send_mail("Delete your comments", body, None, [email])
