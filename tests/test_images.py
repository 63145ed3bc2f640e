"""Lead images: decoded safely, stored as WebP thumbnails, fetched politely, served here."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image as PILImage

from fixture_server import fixture_server
from newsdesk.pipeline import images
from newsdesk.stories.images import process_pending, thumbnail_urls
from newsdesk.stories.models import Article, Image
from newsroom import outlet, sample_jpeg, store

pytestmark = pytest.mark.django_db


def test_thumbnails_are_webp_in_three_widths_never_upscaled() -> None:
    prepared = images.prepare(sample_jpeg(1600, 900))
    assert (prepared.width, prepared.height) == (1600, 900)
    assert [(t.width, t.height) for t in prepared.thumbnails] == [
        (320, 180),
        (640, 360),
        (1280, 720),
    ]
    for thumb in prepared.thumbnails:
        decoded = PILImage.open(io.BytesIO(thumb.data))
        assert decoded.format == "WEBP"
        assert decoded.size == (thumb.width, thumb.height)
    small = images.prepare(sample_jpeg(500, 300))
    assert [t.width for t in small.thumbnails] == [320]


def test_narrow_original_keeps_its_own_width() -> None:
    assert [t.width for t in images.prepare(sample_jpeg(200, 150)).thumbnails] == [200]


def test_png_with_transparency_is_kept() -> None:
    out = io.BytesIO()
    PILImage.new("RGBA", (400, 300), (255, 0, 0, 128)).save(out, "PNG")
    thumb = images.prepare(out.getvalue()).thumbnails[0]
    assert PILImage.open(io.BytesIO(thumb.data)).mode == "RGBA"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not an image"),
        (b"<html><body>Not found</body></html>", "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not an image"),
    ],
)
def test_bad_bytes_are_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(images.ImageError, match=message):
        images.prepare(data)


def test_tracking_pixel_is_refused() -> None:
    out = io.BytesIO()
    PILImage.new("RGB", (1, 1)).save(out, "GIF")
    with pytest.raises(images.ImageError, match="too small"):
        images.prepare(out.getvalue())


def test_decompression_bomb_header_is_refused_before_decoding() -> None:
    # A PNG whose header claims 30000 x 30000 pixels, with hardly any data behind it.
    out = io.BytesIO()
    PILImage.new("1", (30000, 30000)).save(out, "PNG")
    assert len(out.getvalue()) < 500_000
    with pytest.raises(images.ImageError, match="too large"):
        images.prepare(out.getvalue())


@pytest.fixture
def image_host(tmp_path) -> Iterator[str]:
    (tmp_path / "photo.jpg").write_bytes(sample_jpeg(1400, 800))
    (tmp_path / "page.html").write_text("<html>not an image</html>")
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "photo.jpg").write_bytes(sample_jpeg())
    with fixture_server(tmp_path) as (base, _):
        yield base


def _article_with_image(url: str, name: str = "alpha") -> Article:
    text = f"The {name} harbour report says the ferry timetable changes next week. " * 8
    return store(
        outlet(name),
        f"Harbour report from {name}",
        text,
        name,
        timezone.now(),
        image=url,
        image_alt="A harbour at dawn",
    )


def test_pending_image_is_fetched_and_shown_from_this_site(image_host: str, client: Client) -> None:
    article = _article_with_image(f"{image_host}/photo.jpg")
    assert article.image.status == Image.Status.PENDING
    page = client.get(f"/article/{article.pk}").content.decode()
    assert image_host not in page  # never hot-linked while pending
    assert process_pending() == (1, 1)
    image = Image.objects.get(pk=article.image_id)
    assert (image.status, image.width, image.height, image.widths) == (
        "ready",
        1400,
        800,
        [320, 640, 1280],
    )
    page = client.get(f"/article/{article.pk}").content.decode()
    urls = thumbnail_urls(image)
    assert f'src="{urls[640]}"' in page
    assert f"{urls[320]} 320w, {urls[640]} 640w, {urls[1280]} 1280w" in page
    assert 'width="640" height="366"' in page
    assert 'alt="A harbour at dawn"' in page
    assert image_host not in page
    served = client.get(urls[320])
    assert served.status_code == 200
    assert "immutable" in served["Cache-Control"]
    assert PILImage.open(io.BytesIO(b"".join(served.streaming_content))).size == (320, 183)


@pytest.mark.parametrize("path", ["/page.html", "/missing.jpg", "/private/photo.jpg"])
def test_failing_image_is_retried_then_given_up(image_host: str, path: str) -> None:
    article = _article_with_image(f"{image_host}{path}")
    for attempt in range(1, 4):
        assert process_pending() == (0, 1)
        image = Image.objects.get(pk=article.image_id)
        assert image.attempts == attempt
        assert image.error
    assert image.status == Image.Status.FAILED
    assert process_pending() == (0, 0)


def test_two_articles_with_one_image_share_it(image_host: str) -> None:
    first = _article_with_image(f"{image_host}/photo.jpg", "alpha")
    second = _article_with_image(f"{image_host}/photo.jpg", "beta")
    assert first.image_id == second.image_id
    assert process_pending() == (1, 1)


def test_media_view_refuses_paths_outside_the_media_directory(client: Client) -> None:
    assert client.get("/media/../newsdesk.sqlite3").status_code == 400  # SuspiciousFileOperation
    assert client.get("/media/img/none.webp").status_code == 404
