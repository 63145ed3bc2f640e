"""Shared test fixtures: a real HTTP server serving the project's own pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixture_server import FIXTURES, fixture_server


@pytest.fixture
def site_server() -> Iterator[tuple[str, list[str]]]:
    """(base URL, requested paths) of a live server over tests/fixtures/site."""
    with fixture_server() as served:
        yield served


def fixture_html(name: str, base: str = "http://news.example") -> str:
    """A fixture page as the server would send it, decoded."""
    from newsdesk.pipeline.decode import decode_text

    return decode_text((FIXTURES / name).read_bytes().replace(b"__BASE__", base.encode()))


@pytest.fixture(autouse=True)
def forget_process_memos() -> Iterator[None]:
    """Per-process caches (robots verdicts, story clusterers) must not outlive a test's data."""
    from newsdesk.ingest import politeness
    from newsdesk.site import data as site_data
    from newsdesk.stories import clustering, related

    politeness._ROBOTS_MEMO.clear()
    clustering._ASSIGNERS.clear()
    site_data._SECTIONS_MEMO.clear()
    related._DF.clear()
    related._PG_SHARES["at"] = float("-inf")
    yield
    politeness._ROBOTS_MEMO.clear()
    clustering._ASSIGNERS.clear()
    site_data._SECTIONS_MEMO.clear()
    related._DF.clear()
    related._PG_SHARES["at"] = float("-inf")
