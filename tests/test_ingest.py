"""End to end through a real HTTP server: follow a feed, fetch once, store clean articles."""

from __future__ import annotations

import pytest

from newsdesk.cli import main
from newsdesk.ingest.models import FetchLog, Source
from newsdesk.stories.models import Article, Story

pytestmark = pytest.mark.django_db

CLUTTER = [
    "Share on Facebook",
    "Leave a Reply",
    "facebookJumbo",
    "We use cookies",
    "Related stories",
]


def _add_and_fetch(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    assert main(["sources", "add", url]) == 0
    code = main(["fetch", "--once"])
    return code, capsys.readouterr().err


def test_feed_to_clean_articles(site_server: tuple[str, list[str]], capsys) -> None:
    base, _ = site_server
    code, err = _add_and_fetch(f"{base}/feed.xml", capsys)
    assert code == 0
    assert "3 new articles" in err
    articles = {a.canonical_url: a for a in Article.objects.all()}
    assert set(articles) == {
        f"{base}/news/kursk-offensive.html",
        f"{base}/news/harbour-bridge.html",
        f"{base}/news/paris-greve.html",
    }
    kursk = articles[f"{base}/news/kursk-offensive.html"]
    assert "About 12,000 soldiers" in kursk.text
    for clutter in CLUTTER:
        assert clutter not in kursk.text
    assert kursk.contributors == ["Maria Pell", "Tomas Reed"]
    assert kursk.published_at.isoformat().startswith("2026-11-20")
    assert kursk.story is not None and kursk.story.title == kursk.title
    assert Story.objects.count() == 3


def test_non_utf8_page_is_stored_as_proper_text(site_server, capsys) -> None:
    base, _ = site_server
    _add_and_fetch(f"{base}/feed.xml", capsys)
    paris = Article.objects.get(canonical_url=f"{base}/news/paris-greve.html")
    assert "Grève" in paris.title
    assert "\ufffd" not in paris.text and "Ã" not in paris.text
    assert paris.language == "fr"


def test_a_page_that_is_not_an_article_is_reported_and_skipped(site_server, capsys) -> None:
    base, _ = site_server
    code, err = _add_and_fetch(f"{base}/feed.xml", capsys)
    assert "gallery.html: not an article" in err
    source = Source.objects.get()
    assert "gallery.html" in source.last_error and "not an article" in source.last_error
    assert source.last_status == "ok"
    assert FetchLog.objects.filter(outcome="not_article").count() == 1
    assert not Article.objects.filter(url__contains="gallery").exists()
    assert code == 0


def test_polling_again_stores_no_duplicate(site_server, capsys) -> None:
    base, requests = site_server
    _add_and_fetch(f"{base}/feed.xml", capsys)
    Source.objects.update(next_fetch_at=None)
    assert main(["sources", "add", f"{base}/atom.xml"]) == 0
    assert main(["fetch", "--once"]) == 0
    assert Article.objects.count() == 3
    # Known entries are recognised from the feed alone: their pages are not fetched again.
    assert requests.count("/news/kursk-offensive.html") == 1


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("malformed.xml", "malformed feed"),
        ("missing.xml", "HTTP 404"),
    ],
)
def test_bad_sources_are_reported_on_the_cli_and_the_row(
    site_server, capsys, path, message
) -> None:
    base, _ = site_server
    main(["sources", "add", f"{base}/feed.xml"])
    code, err = _add_and_fetch(f"{base}/{path}", capsys)
    assert code == 1
    assert message in err
    bad = Source.objects.get(url=f"{base}/{path}")
    assert bad.last_status == "error" and message in bad.last_error
    assert bad.error_count == 1 and bad.next_fetch_at is not None
    # The good feed was polled all the same.
    assert Article.objects.count() == 3


def test_unreachable_host(capsys) -> None:
    code, err = _add_and_fetch("http://127.0.0.1:9/feed.xml", capsys)
    assert code == 1
    assert "cannot connect" in err
    source = Source.objects.get()
    assert "cannot connect" in source.last_error
    assert FetchLog.objects.get().outcome == "error"


def test_errors_back_off_and_success_resets(site_server, capsys) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from newsdesk.ingest.service import Options, poll_feed

    base, _ = site_server
    source = Source.objects.create(url=f"{base}/missing.xml")
    opts = Options.from_settings(poll_minutes=10, poll_min_minutes=10)
    now = timezone.now()
    with opts.client() as client:
        poll_feed(source, client, now, opts)
        first = source.next_fetch_at - now
        poll_feed(source, client, now, opts)
        assert source.next_fetch_at - now > first
        source.url = f"{base}/feed.xml"
        poll_feed(source, client, now, opts)
    assert source.error_count == 0 and source.last_error == ""
    # The fixture feed publishes about daily: the adaptive interval is half that.
    assert source.next_fetch_at - now == timedelta(minutes=source.poll_minutes)
    assert timedelta(hours=6) < source.next_fetch_at - now < timedelta(hours=24)


def test_opml_import_and_export_keep_sections(tmp_path, capsys) -> None:
    opml = tmp_path / "list.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Europe">'
        '<outline text="A" xmlUrl="https://a.example/rss"/></outline>'
        '<outline text="B" xmlUrl="https://b.example/rss"/></body></opml>'
    )
    assert main(["sources", "import", str(opml)]) == 0
    assert "2 added" in capsys.readouterr().out
    assert Source.objects.get(url="https://a.example/rss").section == "Europe"
    assert main(["sources", "export"]) == 0
    out = capsys.readouterr().out
    assert 'text="Europe"' in out and "https://b.example/rss" in out
    assert main(["sources", "import", str(tmp_path / "nope.opml")]) == 1


def test_adding_a_non_http_url_is_refused(capsys) -> None:
    assert main(["sources", "add", "ftp://x.example/feed"]) == 2
    assert "not an http(s) URL" in capsys.readouterr().err
    assert not Source.objects.exists()


def test_same_guid_under_a_new_url_is_not_stored_twice(site_server, capsys) -> None:
    from django.utils import timezone

    from newsdesk.ingest.service import Options, ingest_entry
    from newsdesk.pipeline.feeds import FeedEntry

    base, _ = site_server
    source = Source.objects.create(url=f"{base}/feed.xml")
    opts = Options.from_settings()
    with opts.client() as client:
        first = ingest_entry(
            source,
            FeedEntry(f"{base}/news/kursk-offensive.html", "g-1"),
            client,
            timezone.now(),
            opts,
        )
        moved = ingest_entry(
            source,
            FeedEntry(f"{base}/news/harbour-bridge.html", "g-1"),
            client,
            timezone.now(),
            opts,
        )
    assert (first.outcome, moved.outcome) == ("new", "duplicate")
    assert Article.objects.count() == 1


def test_admin_shows_each_sources_fetch_state(site_server, capsys, admin_client) -> None:
    base, _ = site_server
    _add_and_fetch(f"{base}/feed.xml", capsys)
    main(["sources", "add", f"{base}/malformed.xml"])
    Source.objects.update(next_fetch_at=None)
    main(["fetch", "--once"])
    html = admin_client.get("/admin/ingest/source/").content.decode()
    assert "malformed feed" in html
    assert "Fixture World News" in html
    assert ">3<" in html  # the article count column
    assert admin_client.get("/admin/ingest/fetchlog/").status_code == 200
    assert admin_client.get("/admin/stories/article/").status_code == 200
