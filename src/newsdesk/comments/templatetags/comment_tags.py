"""Template tags of the comment block: the form's signed time stamp, and the notice a
commenter sees on the page they are sent back to."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from newsdesk.comments import service, tokens
from newsdesk.comments.models import Comment, Status

register = template.Library()


@register.simple_tag
def comment_stamp() -> str:
    """The time the page is rendered, signed (a cached page keeps its first one)."""
    return tokens.stamp(timezone.now())


@register.inclusion_tag("comments/_notice.html", takes_context=True)
def comment_notice(context: template.Context, discussion: dict[str, Any]) -> dict[str, Any]:
    """ "Awaiting moderation" (with the comment as sent) or "published", for the browser that
    sent the comment only: the ``posted`` query value is signed, and the comment must be in
    this browser's signed edit cookie. Pages with a query string are never cached."""
    request = context.get("request")
    value = request.GET.get("posted") if request is not None else None
    if request is None or not value:
        return {}
    window = int(service.edit_window().total_seconds())
    pk = tokens.posted_id(value, window)
    own = tokens.edit_ids(request.COOKIES.get(tokens.EDIT_COOKIE), window)
    comment = Comment.objects.filter(pk=pk).first() if pk in own else None
    if comment is None or getattr(comment, f"{discussion['kind']}_id") != discussion["target"]:
        return {}
    now = timezone.now()
    return {
        "comment": service.comment_data(comment),
        "pending": comment.status in (Status.PENDING, Status.SPAM),
        "editable": service.can_edit(comment, own, now),
        "until": comment.created_at + service.edit_window(),
    }
