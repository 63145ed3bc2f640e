"""Charset handling: header, BOM, declaration, detection."""

from __future__ import annotations

from newsdesk.pipeline.decode import decode_text, sniff_encoding

FRENCH = "<html><head><title>Grève</title></head><body><p>Dès l’aube, « les usagers » ont attendu à la gare ; c’était très long.</p></body></html>"


def test_undeclared_windows_1252_is_detected() -> None:
    assert decode_text(FRENCH.encode("cp1252")) == FRENCH


def test_a_lying_utf8_header_is_overruled_by_the_bytes() -> None:
    assert decode_text(FRENCH.encode("cp1252"), declared="utf-8") == FRENCH


def test_meta_declaration_is_used() -> None:
    page = FRENCH.replace("<head>", '<head><meta charset="windows-1252">')
    assert sniff_encoding(page.encode("cp1252")) == "cp1252"


def test_latin1_label_means_windows_1252() -> None:
    assert sniff_encoding("l’été".encode("cp1252"), declared="iso-8859-1") == "cp1252"


def test_bom_wins_and_is_removed() -> None:
    assert decode_text("héllo".encode("utf-8-sig"), declared="cp1252") == "héllo"


def test_undecodable_bytes_never_raise() -> None:
    assert isinstance(decode_text(b"\xff\xfe\x00\xd8garbage"), str)
