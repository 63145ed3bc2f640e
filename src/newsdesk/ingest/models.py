"""Sources newsdesk follows, and the record of every fetch."""

from __future__ import annotations

from django.db import models


class Source(models.Model):
    """A feed (or page) newsdesk follows; its row records how the last fetch went."""

    class Kind(models.TextChoices):
        FEED = "feed", "Feed (RSS, Atom, JSON Feed)"
        SITEMAP = "sitemap", "Sitemap"
        PAGE = "page", "Single article"
        SITE = "site", "Site home page (feeds discovered)"

    url = models.URLField(max_length=2000, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FEED)
    title = models.CharField(max_length=300, blank=True)
    section = models.CharField(max_length=100, blank=True, help_text="Folder in the OPML list.")
    site_url = models.URLField(max_length=2000, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_fetch_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status = models.CharField(max_length=20, blank=True)
    last_error = models.TextField(blank=True)
    error_count = models.PositiveIntegerField(default=0)
    poll_minutes = models.FloatField(
        null=True, blank=True, help_text="Current adaptive polling interval."
    )
    retired_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["section", "title", "url"]

    def __str__(self) -> str:
        return self.title or self.url


class FetchLog(models.Model):
    """One fetch of a feed or an article page, and its outcome."""

    class Stage(models.TextChoices):
        FEED = "feed", "Feed"
        PAGE = "page", "Article page"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetch_logs")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    url = models.URLField(max_length=2000)
    started_at = models.DateTimeField(db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    items = models.PositiveIntegerField(default=0)
    new_articles = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.stage} {self.url}: {self.outcome}"


class Host(models.Model):
    """A web host newsdesk requests from; politeness is kept per host, for every source on it."""

    name = models.CharField(max_length=300, unique=True, help_text="host[:port]")
    robots_txt = models.TextField(blank=True)
    robots_status = models.CharField(max_length=20, blank=True)
    robots_fetched_at = models.DateTimeField(null=True, blank=True)
    crawl_delay = models.FloatField(null=True, blank=True)
    next_request_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HostLease(models.Model):
    """One of a host's concurrent request slots; a lease expires, so a crash frees it."""

    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="leases")
    slot = models.PositiveSmallIntegerField()
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "slot"], name="one_lease_per_slot")]
