"""Cached pages show approved comments: when one appears, changes or goes, the pages of its
story or article (and the listings, with their comment counts) are purged. Saves and
deletes of any kind (the site, the admin, the moderation links) pass through here."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from newsdesk.comments import service
from newsdesk.comments.models import Comment, PendingComment, Status
from newsdesk.site import cache

SHOWN = {Status.APPROVED, Status.REMOVED}


@receiver(pre_save, sender=Comment)
@receiver(pre_save, sender=PendingComment)
def _remember_status(sender: type[Comment], instance: Comment, **kwargs: Any) -> None:
    if not cache.enabled() or instance._state.adding:
        return
    old = Comment.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    instance._old_status = old  # type: ignore[attr-defined]


@receiver(post_save, sender=Comment)
@receiver(post_save, sender=PendingComment)
def _saved(sender: type[Comment], instance: Comment, **kwargs: Any) -> None:
    old = instance.__dict__.pop("_old_status", None)
    if instance.status in SHOWN or old in SHOWN:
        service.pages_changed([instance])


@receiver(post_delete, sender=Comment)
@receiver(post_delete, sender=PendingComment)
def _deleted(sender: type[Comment], instance: Comment, **kwargs: Any) -> None:
    if instance.status in SHOWN:
        service.pages_changed([instance])
