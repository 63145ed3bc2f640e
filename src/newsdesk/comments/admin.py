"""Moderation in the admin: every comment, and the queue of those waiting, with bulk
approve, spam and delete actions (each purges the cached pages that show them)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from newsdesk.comments import service
from newsdesk.comments.models import Comment, PendingComment, Status


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("excerpt", "name", "email", "target", "status", "spam_score", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "email", "text")
    raw_id_fields = ("story", "article", "parent")
    readonly_fields = ("fingerprint", "ip", "spam_score", "reasons", "created_at", "edited_at")
    date_hierarchy = "created_at"
    actions = ("approve", "mark_spam", "erase")

    @admin.display(description="comment")
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.text).chars(80)

    @admin.display(description="on")
    def target(self, obj: Comment) -> str:
        return obj.target_url()

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "erase" keeps threads whole and purges pages
        return actions

    def _set(self, request: HttpRequest, queryset: QuerySet[Comment], status: str) -> None:
        rows = list(queryset)
        changed = [c for c in rows if c.status not in {status, Status.REMOVED}]
        Comment.objects.filter(pk__in=[c.pk for c in changed]).update(status=status)
        service.pages_changed(changed)
        self.message_user(request, f"{len(changed)} comment(s) changed.")

    @admin.action(description="Approve the selected comments")
    def approve(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._set(request, queryset, Status.APPROVED)

    @admin.action(description="Mark the selected comments as spam")
    def mark_spam(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._set(request, queryset, Status.SPAM)

    @admin.action(description="Delete the selected comments")
    def erase(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        rows = list(queryset.order_by("-depth", "-pk"))
        for comment in rows:
            fresh = Comment.objects.filter(pk=comment.pk).first()
            if fresh is not None:
                service.erase(fresh)
        self.message_user(request, f"{len(rows)} comment(s) deleted.")


@admin.register(PendingComment)
class PendingCommentAdmin(CommentAdmin):
    """Comments waiting for a moderator, oldest first."""

    ordering = ("created_at",)

    def get_list_filter(self, request: HttpRequest) -> tuple[str, ...]:
        return ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request).filter(status=Status.PENDING)
