"""Articles taken from sources, and the stories that group them."""

from __future__ import annotations

from django.db import models
from django.urls import reverse


class Story(models.Model):
    """One event, told by one or more articles."""

    title = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(db_index=True)
    published_at = models.DateTimeField(db_index=True)
    article_count = models.PositiveIntegerField(default=0)
    outlet_count = models.PositiveIntegerField(
        default=0, db_index=True, help_text="Distinct outlets, copies collapsed."
    )
    developing = models.BooleanField(default=False, db_index=True)
    section = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="The section most articles carry."
    )
    first_report = models.ForeignKey(
        "Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The earliest original report of the event.",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
    )
    summary_text = models.TextField(
        blank=True, help_text="The latest summary's text, for cards and feeds."
    )
    title_pinned = models.BooleanField(
        default=False, help_text="An editor wrote the title: summaries keep it."
    )
    summary_due = models.BooleanField(
        default=True, db_index=True, help_text="Articles changed since the last summary."
    )

    class Meta:
        ordering = ["-published_at"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("story", args=[self.pk])


class Article(models.Model):
    """One outlet's article, as extracted from its page."""

    source = models.ForeignKey(
        "ingest.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    url = models.URLField(max_length=2000)
    canonical_url = models.URLField(max_length=2000, unique=True)
    guid = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=500)
    text = models.TextField()
    description = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True)
    contributors = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField(db_index=True)
    fetched_at = models.DateTimeField()
    language = models.CharField(max_length=8, blank=True)
    site_name = models.CharField(max_length=200, blank=True)
    section = models.CharField(max_length=100, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    image_alt = models.CharField(max_length=500, blank=True)
    image_caption = models.TextField(blank=True)
    image_credit = models.CharField(max_length=300, blank=True)
    image = models.ForeignKey(
        "Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="The lead image, fetched and resized (empty until the image job ran).",
    )
    word_count = models.PositiveIntegerField(default=0)
    # Nullable: stored before the flag existed means unknown, and on SQLite a NOT NULL
    # column would make Django rebuild the table, dropping the search index's triggers.
    paywalled = models.BooleanField(
        null=True, blank=True, help_text="The outlet marks the article as for subscribers."
    )
    text_hash = models.CharField(max_length=40, db_index=True)
    copy_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        help_text="The original this article copies (syndication, light edits).",
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rewrites",
        help_text="The report this article rewrites, when it names its source.",
    )
    pinned = models.BooleanField(
        default=False,
        help_text="An editor placed this article in its story; the clusterer keeps it there.",
    )

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "guid"],
                condition=~models.Q(guid=""),
                name="article_unique_guid_per_source",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("article", args=[self.pk])

    @property
    def outlet(self) -> str:
        """The outlet's name: the page's site name, else the source's title, else the host."""
        looks_like_host = " " not in self.site_name and (
            "." in self.site_name or ":" in self.site_name
        )
        if self.site_name and not looks_like_host:
            return self.site_name
        if self.source and self.source.title:
            return self.source.title
        return self.site_name

    @property
    def paragraphs(self) -> list[str]:
        """The text's paragraphs, without empty lines."""
        return [p for p in self.text.split("\n") if p.strip()]


class Image(models.Model):
    """A lead image fetched from its outlet and stored as WebP thumbnails in a few widths."""

    class Status(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        FAILED = "failed"

    url = models.URLField(max_length=2000, unique=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    width = models.PositiveIntegerField(default=0, help_text="Of the original.")
    height = models.PositiveIntegerField(default=0, help_text="Of the original.")
    widths = models.JSONField(default=list, blank=True, help_text="Thumbnail widths stored.")
    key = models.CharField(max_length=40, blank=True, help_text="File name stem in storage.")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.url


class Tombstone(models.Model):
    """An article an editor deleted: it is never stored again."""

    canonical_url = models.URLField(max_length=2000, unique=True)
    guid = models.CharField(max_length=500, blank=True, db_index=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=500, blank=True)
    deleted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.canonical_url


def _new_token() -> str:
    import uuid

    return uuid.uuid4().hex


class ClusterState(models.Model):
    """One row whose token changes whenever editors (or a rebuild) move articles, so every
    process's clusterer knows to reload its window from the database."""

    token = models.CharField(max_length=32, default=_new_token)


class SiteLine(models.Model):
    """How many of a site's articles held one short line (site_lines.py): lines that repeat
    across many of a site's articles are its template, not its reporting.

    ``key`` is the line's hash (pipeline/site_template.py); the row with key 0 of a host
    counts the host's articles.
    """

    host = models.CharField(max_length=255)
    key = models.BigIntegerField()
    articles = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host", "key"], name="siteline_unique_host_key")
        ]

    def __str__(self) -> str:
        return f"{self.host} {self.key}: {self.articles}"


class StorySummary(models.Model):
    """One version of a story's summary; the latest is shown, earlier ones are its history.

    ``sentences`` are ``{"text", "article_id", "outlet", "url"}``: every sentence cites the
    article it was taken from. ``figures`` are rows of what the outlets count
    (``{"key", "counted", "agree", "values": [{"outlet", "article_id", "value", "text",
    "qualifier"}]}``), most reported first.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="summaries")
    created_at = models.DateTimeField(db_index=True)
    headline = models.CharField(max_length=500)
    headline_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    headline_outlet = models.CharField(max_length=200, blank=True)
    sentences = models.JSONField(default=list)
    figures = models.JSONField(
        default=list, blank=True, help_text="Key figures aligned across the outlets."
    )
    article_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "story summaries"

    def __str__(self) -> str:
        return self.headline


class Entity(models.Model):
    """A place, person or organisation named in stories; its page lists those stories."""

    PLACE = "place"
    PERSON = "person"
    ORGANISATION = "organisation"
    KINDS = [(PLACE, "place"), (PERSON, "person"), (ORGANISATION, "organisation")]

    kind = models.CharField(max_length=20, choices=KINDS)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    name = models.CharField(max_length=200)
    detail = models.CharField(
        max_length=30, blank=True, help_text="For a place: country, state or city."
    )
    country_code = models.CharField(max_length=2, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    stories = models.ManyToManyField(Story, through="StoryEntity", related_name="entities")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="entity_unique_kind_slug")
        ]
        verbose_name_plural = "entities"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(self.kind, args=[self.slug])


class StoryEntity(models.Model):
    """A story names an entity this many times (over its articles' headlines and leads)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    mentions = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "entity"], name="storyentity_unique")
        ]
        indexes = [models.Index(fields=["entity", "story"])]
