"""Readers' comments on stories and articles, and the per-address counters that throttle them."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    # Erased by its author or a "delete my data" link while it had replies: the row keeps
    # the thread's shape, with nothing of its author or text left.
    REMOVED = "removed", "Removed"


class Comment(models.Model):
    """One comment, on a story or on an article (exactly one of the two)."""

    story = models.ForeignKey(
        "stories.Story", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    article = models.ForeignKey(
        "stories.Article",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=1, help_text="1 for a top-level comment.")
    name = models.CharField(max_length=80)
    email = models.EmailField(blank=True, db_index=True, help_text="Never shown on the site.")
    website = models.URLField(max_length=200, blank=True)
    text = models.TextField(help_text="Markdown, as written; rendered through markup.py.")
    fingerprint = models.CharField(
        max_length=40, db_index=True, help_text="Hash of the normalised text: finds duplicates."
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    spam_score = models.FloatField(default=0.0)
    reasons = models.CharField(max_length=300, blank=True, help_text="Why it was held.")
    ip = models.CharField(
        max_length=50, blank=True, help_text="The sender's network (/24 or /48), purged later."
    )
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(story__isnull=False, article__isnull=True)
                | models.Q(story__isnull=True, article__isnull=False),
                name="comment_on_story_or_article",
            )
        ]
        indexes = [
            models.Index(fields=["story", "status"]),
            models.Index(fields=["article", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.text[:60]}"

    def target_url(self) -> str:
        target = self.story or self.article
        return target.get_absolute_url() if target else "/"


class PendingComment(Comment):
    """The moderation queue: the same rows, listed apart in the admin."""

    class Meta:
        proxy = True
        verbose_name = "comment awaiting moderation"
        verbose_name_plural = "moderation queue"


class Throttle(models.Model):
    """Submissions from one network for one action, in the database so that every web
    process shares the count."""

    key = models.CharField(max_length=80, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key
