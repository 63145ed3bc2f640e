"""The settings table: precedence, types, masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk import config


def test_defaults_when_nothing_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    vals = config.values({})
    assert vals["NEWSDESK_PORT"] == 8000
    assert vals["NEWSDESK_DATA_DIR"] == "."


def test_env_beats_toml_beats_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsdesk.toml").write_text('port = 9000\nsite_name = "Daily"\ndebug = true\n')
    resolved = config.resolve({"NEWSDESK_PORT": "9100"})
    assert resolved["NEWSDESK_PORT"] == (9100, "env")
    assert resolved["NEWSDESK_SITE_NAME"][0] == "Daily"
    assert resolved["NEWSDESK_DEBUG"][0] is True
    assert resolved["NEWSDESK_HOST"] == ("127.0.0.1", "default")


def test_wrong_types_and_unknown_keys_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(config.ConfigError, match="NEWSDESK_PORT"):
        config.values({"NEWSDESK_PORT": "eighty"})
    with pytest.raises(config.ConfigError, match="NEWSDESK_DEBUG"):
        config.values({"NEWSDESK_DEBUG": "maybe"})
    (tmp_path / "newsdesk.toml").write_text("colour = 'red'\n")
    with pytest.raises(config.ConfigError, match="colour"):
        config.values({})


def test_secrets_are_masked() -> None:
    assert config.masked("NEWSDESK_SECRET_KEY", "abc") == "***"
    url = config.masked("DATABASE_URL", "postgresql://news:hunter2@db:5432/news")
    assert "hunter2" not in url and "news:***@db:5432" in url
    assert config.masked("NEWSDESK_SITE_NAME", "newsdesk") == "newsdesk"


def test_secret_key_is_generated_once(tmp_path: Path) -> None:
    vals = {"NEWSDESK_SECRET_KEY": "", "NEWSDESK_DATA_DIR": str(tmp_path)}
    first = config.secret_key(vals)
    assert len(first) > 40
    assert config.secret_key(vals) == first
