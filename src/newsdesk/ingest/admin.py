"""Editors' admin for sources and their fetch log."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from newsdesk.ingest.models import FetchLog, Host, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "section",
        "active",
        "last_status",
        "last_fetched_at",
        "next_fetch_at",
        "article_count",
        "short_error",
    )
    list_filter = ("active", "last_status", "section")
    search_fields = ("url", "title")
    readonly_fields = (
        "created_at",
        "etag",
        "last_modified",
        "last_fetched_at",
        "last_success_at",
        "last_status",
        "last_error",
        "error_count",
    )
    actions = ("poll_now",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description="articles", ordering="article_total")
    def article_count(self, obj: Source) -> int:
        return getattr(obj, "article_total", 0)

    @admin.display(description="last error")
    def short_error(self, obj: Source) -> str:
        return obj.last_error[:120]

    @admin.action(description="Poll at the next scheduler tick")
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        updated = queryset.update(next_fetch_at=None)
        self.message_user(request, f"{updated} sources will be polled within a minute.")


@admin.register(FetchLog)
class FetchLogAdmin(admin.ModelAdmin):
    list_display = ("started_at", "source", "stage", "outcome", "http_status", "duration_ms", "url")
    list_filter = ("stage", "outcome")
    search_fields = ("url", "message")
    readonly_fields = [f.name for f in FetchLog._meta.fields]


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    """Per-host politeness state: robots.txt, crawl delay, pauses from 429/503."""

    list_display = (
        "name",
        "robots_status",
        "crawl_delay",
        "paused_until",
        "pause_reason",
        "next_request_at",
    )
    list_filter = ("robots_status",)
    search_fields = ("name",)
    readonly_fields = ("robots_txt", "robots_fetched_at", "next_request_at")
    actions = ("unpause",)

    @admin.action(description="Lift the pause")
    def unpause(self, request: HttpRequest, queryset: QuerySet[Host]) -> None:
        queryset.update(paused_until=None, pause_reason="")
