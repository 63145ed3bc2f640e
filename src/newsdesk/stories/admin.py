"""Editors' admin for articles and stories."""

from __future__ import annotations

from django.contrib import admin

from newsdesk.stories.models import Article, Story, Tombstone


class ArticleInline(admin.TabularInline):
    model = Article
    fields = ("title", "source", "published_at", "canonical_url")
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("title", "published_at", "updated_at")
    search_fields = ("title",)
    inlines = (ArticleInline,)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "source", "language", "published_at", "word_count")
    list_filter = ("language", "source")
    search_fields = ("title", "canonical_url")
    raw_id_fields = ("story", "source")
    date_hierarchy = "published_at"


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    """Deleted articles; delete a tombstone to let its article be fetched again."""

    list_display = ("canonical_url", "title", "deleted_at")
    search_fields = ("canonical_url", "title")
