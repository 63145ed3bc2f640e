"""Turn response bytes into text: declared charset, BOM, in-document declaration, detection."""

from __future__ import annotations

import codecs
import re

import charset_normalizer
import ftfy

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
    for candidate in candidates:
        # A declaration that the bytes contradict is a lie; detection does better.
        if candidate and _fits(body, candidate):
            return candidate
    if _fits(body, "utf-8"):
        return "utf-8"
    return _detect(body[:200_000])


def _detect(body: bytes) -> str:
    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        return "cp1252"
    best = matches[0]
    # Short Western texts fit several code pages equally well; windows-1252 is by far
    # the most common legacy encoding on the web, so it wins a tie.
    tied = [m for m in matches if m.chaos <= best.chaos and m.coherence >= best.coherence]
    if any("cp1252" in m.could_be_from_charset for m in tied):
        return "cp1252"
    return str(best.encoding)


def decode_text(body: bytes, declared: str | None = None) -> str:
    """``body`` as text, never raising: undecodable bytes become U+FFFD."""
    encoding = sniff_encoding(body, declared)
    text = body.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")


# Byte pairs that UTF-8 text shows when it was decoded as windows-1252 or latin-1.
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\u00c5[\u0080-\u00bf]")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-windows-1252 damage ("CafÃ©" -> "Café"), leaving good text alone."""
    if not text or not _MOJIBAKE.search(text):
        return text
    return str(ftfy.fix_encoding(text))
