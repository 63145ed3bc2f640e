"""Lead images: decode a fetched image safely and make WebP thumbnails in a few widths.

Pages show images from our own server, never hot-linked from the outlet: readers make no
request to a third party and the page does not break when the outlet moves its files.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

WIDTHS = (320, 640, 1280)
FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "AVIF", "BMP"}
MAX_PIXELS = 40_000_000  # a 8000x5000 photo; larger headers are decompression bombs
MIN_SIDE = 80  # icons, tracking pixels and spacers are not lead images
QUALITY = 78


class ImageError(ValueError):
    """The bytes are not an image we can show (not an image, too large, too small)."""


@dataclass(frozen=True)
class Thumbnail:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class Prepared:
    width: int  # of the original
    height: int
    thumbnails: tuple[Thumbnail, ...]


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise ImageError(f"image too large: {err}") from err
    except (UnidentifiedImageError, OSError) as err:
        raise ImageError("not an image this site can read") from err
    if image.format not in FORMATS:
        raise ImageError(f"unsupported image format {image.format}")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageError(f"image too large ({width}x{height} pixels)")
    if min(width, height) < MIN_SIDE:
        raise ImageError(f"image too small ({width}x{height} pixels)")
    return image


def prepare(data: bytes, widths: tuple[int, ...] = WIDTHS) -> Prepared:
    """WebP thumbnails no wider than the original (the smallest requested width is always
    made, so a narrow original still gets one); EXIF rotation applied, metadata dropped."""
    image = _open(data)
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, Image.DecompressionBombError) as err:
        raise ImageError(f"broken image data: {err}") from err
    if image.mode not in {"RGB", "RGBA"}:
        image = image.convert(
            "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        )
    width, height = image.size
    wanted = sorted({w for w in widths if w <= width} or {min(*widths, width)})
    thumbnails = []
    for target in wanted:
        scaled_height = max(1, round(height * target / width))
        resized = (
            image
            if target == width
            else image.resize((target, scaled_height), Image.Resampling.LANCZOS)
        )
        out = io.BytesIO()
        resized.save(out, "WEBP", quality=QUALITY, method=4)
        thumbnails.append(Thumbnail(target, scaled_height, out.getvalue()))
    return Prepared(width, height, tuple(thumbnails))
