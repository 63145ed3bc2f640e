"""A small newsroom for the publishing tests: three stories stored the way ingest stores them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw

from newsdesk.ingest.models import Source
from newsdesk.pipeline.extract import Extracted
from newsdesk.stories import clustering, images
from newsdesk.stories.models import Article, Story
from newsdesk.stories.service import store_article

FLOOD = (
    "The river burst its banks in Port Calloway on Monday night, flooding about 300 homes "
    "in the low-lying Harbour district. Emergency crews evacuated residents by boat and the "
    "mayor declared a state of emergency as water levels kept rising through the morning."
)
FLOOD_2 = (
    "Hundreds of homes in Port Calloway's Harbour district were flooded after the river "
    "burst its banks overnight. Rescue teams used boats to evacuate residents, and the mayor "
    "declared a state of emergency while the water was still rising."
)
RATES = (
    "The central bank raised its main interest rate by half a percentage point on Monday, "
    "its third increase this year, saying inflation remained far above its target. Markets "
    "had expected a smaller move and the currency rose after the announcement."
)
BRIDGE = (
    "Port Calloway opened its long-delayed harbour bridge to traffic on Saturday, six years "
    "after construction began. The city council said the crossing would cut journey times "
    "between the old town and the container terminal by half."
)
# A headline that would break out of a <script> element if it were not escaped.
TRICKY_TITLE = 'Central bank raises rates: "</script><script>alert(1)</script>" & more'
FLOOD_IMAGE = "https://alpha.example/img/flood.jpg?w=1200&h=675"


@dataclass
class Newsroom:
    now: datetime
    flood: Story
    rates: Story
    bridge: Story  # ten days old: not in the news sitemap
    alpha: Article  # the flood story's lead, with byline and image
    image: str  # site path of the largest stored size of alpha's image
    beta: Article
    gamma: Article


def store(
    source: Source,
    title: str,
    text: str,
    path: str,
    at: datetime,
    section: str = "",
    **extra: object,
) -> Article:
    host = source.title.lower()
    page = Extracted(
        url=f"https://{host}.example/{path}",
        canonical_url=f"https://{host}.example/{path}",
        title=title,
        text=text,
        site_name=source.title,
        word_count=len(text.split()),
        **extra,  # type: ignore[arg-type]
    )
    article = store_article(page, source_id=source.pk, now=at, feed_time=at, section=section)
    assert article is not None
    article.refresh_from_db()
    return article


def outlet(name: str) -> Source:
    return Source.objects.create(url=f"https://{name}.example/feed", title=name.title())


def sample_jpeg(width: int = 1600, height: int = 900) -> bytes:
    """A photo-like JPEG (a gradient with a shape), made here rather than shipped."""
    picture = PILImage.linear_gradient("L").resize((width, height)).convert("RGB")
    ImageDraw.Draw(picture).ellipse((width // 4, height // 4, width // 2, height // 2), "#c33")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return out.getvalue()


def build() -> Newsroom:
    clustering._ASSIGNERS.clear()
    now = timezone.now().replace(microsecond=0)
    old = store(
        outlet("delta"),
        "Harbour bridge opens after six years",
        BRIDGE,
        "bridge",
        now - timedelta(days=10),
    )
    alpha = store(
        outlet("alpha"),
        "River bursts banks in Port Calloway, 300 homes flooded",
        FLOOD,
        "news/flood.html",
        now - timedelta(hours=2),
        authors=("Ana Reyes", "Bo Lind"),
        image=FLOOD_IMAGE,
        image_alt="Boats in a flooded street",
        description="About 300 homes were flooded in the Harbour district.",
        language="en",
        section="World",
    )
    images.store(alpha.image, sample_jpeg())
    alpha.refresh_from_db()
    beta = store(
        outlet("beta"),
        "Port Calloway floods: hundreds of homes under water",
        FLOOD_2,
        "floods",
        now - timedelta(hours=1),
    )
    gamma = store(outlet("gamma"), TRICKY_TITLE, RATES, "rates", now - timedelta(minutes=30))
    assert alpha.story_id == beta.story_id != gamma.story_id != old.story_id
    clustering._ASSIGNERS.clear()
    return Newsroom(
        now=now,
        flood=Story.objects.get(pk=alpha.story_id),
        rates=Story.objects.get(pk=gamma.story_id),
        bridge=Story.objects.get(pk=old.story_id),
        alpha=alpha,
        image=images.thumbnail_urls(alpha.image)[max(alpha.image.widths)],
        beta=beta,
        gamma=gamma,
    )
