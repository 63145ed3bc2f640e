"""The README documents every setting and every command, and CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsdesk import config
from newsdesk.cli import COMMANDS

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", config.SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme_table(setting: config.Setting) -> None:
    assert f"| `{setting.name}` |" in README


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented(command: str) -> None:
    assert f"`newsdesk {command}" in README


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"## Test it\s+```sh\n(.+?)\n```", README, re.S)
    assert blocks, "README has no test command"
    assert blocks[0].strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_settings_table_is_current() -> None:
    from newsdesk.cli import settings_markdown

    assert settings_markdown() in README
