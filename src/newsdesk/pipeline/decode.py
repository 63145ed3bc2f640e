"""Turn response bytes into text: declared charset, BOM, in-document declaration, detection."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _known(name: str | bytes | None) -> str | None:
    if not name:
        return None
    text = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        codec = codecs.lookup(text.strip().lower())
    except LookupError:
        return None
    # Pages labelled latin-1 are nearly always windows-1252 (the WHATWG rule).
    return "cp1252" if codec.name in {"latin-1", "iso8859-1", "ascii"} else codec.name


def _fits(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def sniff_encoding(body: bytes, declared: str | None = None) -> str:
    """The encoding of ``body``: BOM, HTTP header, in-document declaration, then detection."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    head = body[:4096]
    candidates = [_known(declared)]
    xml = _XML_ENCODING.search(head)
    meta = _META_CHARSET.search(head)
    candidates += [_known(xml.group(1) if xml else None), _known(meta.group(1) if meta else None)]
    for name in candidates:
        # A declaration that the bytes contradict is a lie; detection does better.
        if name and _fits(body, name):
            return name
    if _fits(body, "utf-8"):
        return "utf-8"
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    return best.encoding if best else "cp1252"


def decode_text(body: bytes, declared: str | None = None) -> str:
    """``body`` as text, never raising: undecodable bytes become U+FFFD."""
    encoding = sniff_encoding(body, declared)
    text = body.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")
