"""Editors' admin for articles and stories."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from newsdesk.stories.clustering import merge_stories, split_articles
from newsdesk.stories.models import Article, Entity, Image, Story, Tombstone


class ArticleInline(admin.TabularInline):
    model = Article
    fields = ("title", "source", "published_at", "canonical_url")
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "outlet_count",
        "article_count",
        "developing",
        "published_at",
        "updated_at",
    )
    list_filter = ("developing",)
    search_fields = ("title",)
    readonly_fields = ("article_count", "outlet_count", "first_report", "merged_into")
    inlines = (ArticleInline,)
    actions = ("merge",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Story]:
        return super().get_queryset(request).filter(merged_into__isnull=True)

    def save_model(self, request: HttpRequest, obj: Story, form: Any, change: bool) -> None:
        if "title" in form.changed_data:
            obj.title_pinned = True  # the summary job no longer replaces it
        super().save_model(request, obj, form, change)

    @admin.action(description="Merge the selected stories into the oldest")
    def merge(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        ids = list(queryset.order_by("published_at", "pk").values_list("pk", flat=True))
        if len(ids) < 2:
            self.message_user(request, "Select two or more stories to merge.", messages.WARNING)
            return
        keep = merge_stories(ids[0], ids[1:])
        self.message_user(request, f"Merged {len(ids)} stories into “{keep.title}”.")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "source", "story", "copy_of", "pinned", "language", "published_at")
    list_filter = ("language", "pinned", "source")
    search_fields = ("title", "canonical_url")
    raw_id_fields = ("story", "source", "copy_of", "based_on")
    date_hierarchy = "published_at"
    actions = ("split",)

    @admin.action(description="Move the selected articles into a new story of their own")
    def split(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        split_articles(ids, timezone.now())
        self.message_user(request, f"Moved {len(ids)} articles to a new story.")


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    """Deleted articles; delete a tombstone to let its article be fetched again."""

    list_display = ("canonical_url", "title", "deleted_at")
    search_fields = ("canonical_url", "title")


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    """Lead images: which are waiting, stored, or given up on, and why."""

    list_display = ("url", "status", "width", "height", "attempts", "error", "fetched_at")
    list_filter = ("status",)
    search_fields = ("url",)
    readonly_fields = ("key", "widths", "width", "height", "fetched_at")
    actions = ("retry",)

    @admin.action(description="Fetch again")
    def retry(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        count = queryset.update(status=Image.Status.PENDING, attempts=0, error="")
        self.message_user(request, f"{count} image(s) will be fetched again.", messages.SUCCESS)


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    """Places, people and organisations found in stories (names can be corrected here)."""

    list_display = ("name", "kind", "detail", "country_code")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    readonly_fields = ("slug",)
