"""The CLI's file-based commands: extract and config."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from fixture_server import FIXTURES
from newsdesk.cli import main

FIELDS = {
    "input",
    "url",
    "canonical_url",
    "title",
    "text",
    "authors",
    "contributors",
    "date",
    "image",
    "language",
}


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_extract_many_files_in_input_order(tmp_path: Path, capsys) -> None:
    gz = tmp_path / "bridge.html.gz"
    gz.write_bytes(gzip.compress((FIXTURES / "news/harbour-bridge.html").read_bytes()))
    inputs = [
        str(FIXTURES / "news/kursk-offensive.html"),
        str(gz),
        str(FIXTURES / "news/paris-greve.html"),
    ]
    assert main(["extract", *inputs]) == 0
    records = _lines(capsys.readouterr().out)
    assert [r["input"] for r in records] == inputs
    assert all(set(r) >= FIELDS for r in records)
    assert records[0]["contributors"] == ["Maria Pell", "Tomas Reed"]
    assert records[1]["title"] == "Port Calloway Opens Its Long-Delayed Harbour Bridge"
    assert records[2]["language"] == "fr"


def test_extract_with_url_resolves_links(capsys) -> None:
    url = "https://daily.example/news/kursk-offensive.html"
    assert main(["extract", "--url", url, str(FIXTURES / "news/kursk-offensive.html")]) == 0
    record = _lines(capsys.readouterr().out)[0]
    assert record["url"] == url
    assert record["image"].endswith("/img/kursk-lead.jpg")


def test_extract_reports_a_bad_input_and_goes_on(tmp_path: Path, capsys) -> None:
    good = str(FIXTURES / "news/kursk-offensive.html")
    missing = str(tmp_path / "missing.html")
    assert main(["extract", missing, good]) == 1
    records = _lines(capsys.readouterr().out)
    assert "error" in records[0] and records[0]["input"] == missing
    assert records[1]["title"].startswith("Army Opens")


def test_extract_from_a_url(site_server, capsys, monkeypatch) -> None:
    base, _ = site_server
    monkeypatch.setenv("NEWSDESK_ALLOW_PRIVATE_NETWORKS", "true")
    assert main(["extract", f"{base}/news/harbour-bridge.html?utm_source=x"]) == 0
    record = _lines(capsys.readouterr().out)[0]
    assert record["canonical_url"] == f"{base}/news/harbour-bridge.html"


def test_config_masks_secrets(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://news:s3cr3tpw@db.example/news")
    monkeypatch.setenv("NEWSDESK_PORT", "8123")
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "s3cr3tpw" not in out
    assert "8123" in out and "NEWSDESK_DATA_DIR" in out


def test_bad_config_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("NEWSDESK_PORT", "eighty")
    assert main(["config"]) == 2
    assert "NEWSDESK_PORT" in capsys.readouterr().err


def test_fetch_without_once_explains(capsys) -> None:
    assert main(["fetch"]) == 2
    assert "--once" in capsys.readouterr().err


def test_extract_refuses_private_addresses_by_default(site_server, capsys) -> None:
    base, requests = site_server
    assert main(["extract", f"{base}/news/harbour-bridge.html"]) == 1
    assert "blocked private address" in _lines(capsys.readouterr().out)[0]["error"]
    assert requests == []
