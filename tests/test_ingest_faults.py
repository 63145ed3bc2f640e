"""Polite, robust ingestion against the fault-injection server, through the database."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from fault_server import Reply, article_html, fault_server, hang, rss
from newsdesk.cli import main
from newsdesk.ingest.models import FetchLog, Host, Source
from newsdesk.ingest.service import Options, poll_source
from newsdesk.stories.models import Article, Tombstone

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC)


@pytest.fixture
def server():
    with fault_server() as srv:
        yield srv


def feed_with(server, items: list[dict], path: str = "/feed.xml", **headers: str) -> str:
    server.route(
        path,
        Reply(200, rss(items, server.base), {"Content-Type": "application/rss+xml", **headers}),
    )
    for item in items:
        server.route(item["path"], Reply(200, article_html(item["title"])))
    return server.base + path


def item(n: int, **kw) -> dict:
    return {
        "title": f"Embankment plan {n} approved",
        "path": f"/a/{n}.html",
        "guid": f"g{n}",
        "date": NOW - timedelta(hours=n),
        **kw,
    }


def poll(url: str, **opts) -> tuple[Source, object]:
    source, _ = Source.objects.get_or_create(url=url)
    options = Options.from_settings(**opts)
    with options.client() as client:
        report = poll_source(source, client, timezone.now(), options)
    source.refresh_from_db()
    return source, report


def test_429_pauses_the_whole_host_and_not_others(server) -> None:
    server.route("/busy.xml", Reply(429, headers={"Retry-After": "300"}))
    good = feed_with(server, [item(1)])
    with fault_server("127.0.0.2") as other:
        elsewhere = feed_with(other, [item(2)])
        busy, report = poll(server.base + "/busy.xml")
        assert report.outcome == "error" and "host paused until" in busy.last_error
        assert busy.next_fetch_at >= timezone.now() + timedelta(seconds=290)
        # Another feed on the paused host waits without a request being sent...
        source, report = poll(good)
        assert report.outcome == "waiting" and source.last_status == "waiting"
        assert "/feed.xml" not in server.paths()
        # ...while a feed on another host goes ahead.
        _, report = poll(elsewhere)
        assert report.new_articles == 1


def test_503_without_retry_after_pauses_by_default(server) -> None:
    server.route("/x.xml", Reply(503))
    poll(server.base + "/x.xml")
    host = Host.objects.get(name=server.base.removeprefix("http://"))
    assert host.paused_until > timezone.now() + timedelta(minutes=5)


def test_force_keeps_politeness(server, capsys) -> None:
    url = feed_with(server, [item(1)])
    Source.objects.create(url=url, next_fetch_at=timezone.now() + timedelta(hours=5))
    Host.objects.create(
        name=server.base.removeprefix("http://"),
        paused_until=timezone.now() + timedelta(hours=1),
        pause_reason="HTTP 429",
    )
    assert main(["fetch", "--once"]) == 0
    assert "polled 0 sources" in capsys.readouterr().err
    main(["fetch", "--once", "--force"])
    assert "waiting" in capsys.readouterr().err
    assert server.paths() == []


def test_robots_disallow_is_obeyed(server) -> None:
    server.route(
        "/robots.txt",
        Reply(200, "User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}),
    )
    url = feed_with(server, [item(1)], path="/private/feed.xml")
    source, report = poll(url)
    assert report.outcome == "robots" and "robots.txt disallows" in source.last_error
    assert "/private/feed.xml" not in server.paths()
    assert source.error_count == 0  # not the feed's fault: no back-off growth


def test_robots_disallow_for_article_pages(server) -> None:
    server.route("/robots.txt", Reply(200, "User-agent: newsdesk\nDisallow: /a/1.html\n"))
    url = feed_with(server, [item(1), item(2)])
    _, report = poll(url)
    assert report.new_articles == 1
    assert "/a/1.html" not in server.paths()
    assert FetchLog.objects.filter(outcome="robots").count() == 1


def test_robots_server_error_means_wait(server) -> None:
    server.route("/robots.txt", Reply(500))
    url = feed_with(server, [item(1)])
    source, report = poll(url)
    assert report.outcome == "robots" and "server error" in source.last_error
    assert server.paths() == ["/robots.txt"]


def test_robots_is_cached(server) -> None:
    url = feed_with(server, [item(1)])
    poll(url)
    Source.objects.update(next_fetch_at=None)
    poll(url)
    assert server.paths().count("/robots.txt") == 1


def test_min_gap_between_requests_to_one_host(server) -> None:
    url = feed_with(server, [item(n) for n in range(1, 4)])
    poll(url, rules=Options.from_settings().rules.__class__(min_gap=0.3, max_wait=10))
    times = [t for t, p, _ in server.log if p != "/robots.txt"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 4 and min(gaps) >= 0.29


def test_crawl_delay_raises_the_gap(server) -> None:
    server.route("/robots.txt", Reply(200, "User-agent: *\nCrawl-delay: 0.4\n"))
    url = feed_with(server, [item(1)])
    poll(url)
    assert Host.objects.get(name=server.base.removeprefix("http://")).crawl_delay == 0.4
    times = [t for t, p, _ in server.log]
    assert times[-1] - times[-2] >= 0.39


def test_permanent_redirect_updates_the_source(server) -> None:
    url = feed_with(server, [item(1)], path="/new.xml")
    server.route("/old.xml", Reply(301, headers={"Location": "/new.xml"}))
    source, _ = poll(server.base + "/old.xml")
    assert source.url == url


def test_410_retires_the_source(server) -> None:
    server.route("/gone.xml", Reply(410))
    source, report = poll(server.base + "/gone.xml")
    assert not source.active and "410" in source.retired_reason
    assert report.outcome == "gone"


def test_feed_served_as_html_is_still_read(server) -> None:
    url = feed_with(server, [item(1)], **{"Content-Type": "text/html"})
    _, report = poll(url)
    assert report.new_articles == 1


def test_duplicate_and_changing_guids_give_one_article(server) -> None:
    dup = [item(1), {**item(1), "path": "/a/1-copy.html"}]
    url = feed_with(server, dup)
    server.route("/a/1-copy.html", Reply(200, article_html("Embankment plan 1 approved")))
    _, report = poll(url)
    assert report.new_articles == 1
    # The same link under a new GUID on the next poll is the same article.
    feed_with(server, [{**item(1), "guid": "g1-changed"}])
    Source.objects.update(next_fetch_at=None)
    poll(url)
    assert Article.objects.count() == 1


def test_undated_and_future_items(server) -> None:
    future = item(1, date=NOW + timedelta(days=400))
    undated = item(2, date=None)
    _, report = poll(feed_with(server, [future, undated]))
    assert report.new_articles == 2
    assert all(a.published_at <= timezone.now() for a in Article.objects.all())


def test_a_ten_thousand_item_feed(server) -> None:
    items = [item(n) for n in range(10_000)]
    _, report = poll(feed_with(server, items), max_items=5)
    assert report.entries == 10_000 and report.new_articles == 5
    assert len([p for p in server.paths() if p.startswith("/a/")]) == 5


def test_conditional_poll_and_cache_control(server) -> None:
    body = rss([item(1)], server.base)
    server.route(
        "/c.xml",
        lambda h: (
            Reply(304)
            if h.headers.get("If-None-Match") == '"x"'
            else Reply(200, body, {"ETag": '"x"', "Cache-Control": "max-age=10800"})
        ),
    )
    server.route("/a/1.html", Reply(200, article_html("Embankment plan 1 approved")))
    source, _ = poll(server.base + "/c.xml")
    assert source.etag == '"x"'
    assert source.next_fetch_at >= timezone.now() + timedelta(hours=2, minutes=59)
    source, report = poll(server.base + "/c.xml")
    assert report.outcome == "not_modified" and source.last_status == "not_modified"


@pytest.mark.parametrize(
    ("head", "body", "kind"),
    [
        ("", "<div class='cf-browser-verification'>Just a moment...</div>", "challenge"),
        ("<title>Before you continue to News</title>", "", "consent"),
        ("", "<p>Subscribe to continue reading. Already a subscriber? Log in.</p>", "paywall"),
        ("", "<p>Sign in to continue reading this article.</p>", "login_wall"),
    ],
)
def test_walls_and_challenges_are_not_articles(server, head, body, kind) -> None:
    feed_with(server, [item(1)])
    server.route(
        "/a/1.html", Reply(200, article_html("Wall", paragraphs=1, extra_head=head, body=body))
    )
    _, report = poll(server.base + "/feed.xml")
    assert report.results[0].outcome == kind
    assert not Article.objects.exists()
    assert FetchLog.objects.filter(outcome=kind).exists()


def test_error_page_served_as_200(server) -> None:
    feed_with(server, [item(1)])
    server.route(
        "/a/1.html",
        Reply(
            200,
            "<html><head><title>Page not found</title></head>"
            "<body><p>Sorry, we could not find that page.</p></body></html>",
        ),
    )
    _, report = poll(server.base + "/feed.xml")
    assert report.results[0].outcome in {"error_page", "not_article"}
    assert not Article.objects.exists()


def test_mojibake_is_repaired(server) -> None:
    feed_with(server, [item(1)])
    broken = article_html("CafÃ© owners welcome the plan")
    server.route("/a/1.html", Reply(200, broken.encode("utf-8")))
    poll(server.base + "/feed.xml")
    assert Article.objects.get().title == "Café owners welcome the plan"


def test_deleted_articles_do_not_come_back(server) -> None:
    url = feed_with(server, [item(1)])
    poll(url)
    Article.objects.get().delete()
    assert Tombstone.objects.count() == 1
    Source.objects.update(next_fetch_at=None, etag="")
    _, report = poll(url)
    assert report.new_entries == [] and not Article.objects.exists()


def test_a_changed_title_or_url_for_a_known_guid_updates_the_article(server) -> None:
    url = feed_with(server, [item(1)])
    poll(url)
    feed_with(server, [item(1, title="Embankment plan 1 approved after vote", path="/a/1b.html")])
    Source.objects.update(next_fetch_at=None)
    poll(url)
    article = Article.objects.get()
    assert article.title == "Embankment plan 1 approved after vote"
    assert article.canonical_url == server.base + "/a/1b.html"


def test_redirector_links_are_unwrapped(server) -> None:
    target = server.base + "/a/1.html"
    wrapped = {**item(1), "path": f"/l.php?u={target}"}
    feed_with(server, [wrapped])
    server.route("/a/1.html", Reply(200, article_html("Embankment plan 1 approved")))
    poll(server.base + "/feed.xml")
    assert Article.objects.get().canonical_url == target
    assert not any(p.startswith("/l.php") for p in server.paths())


@pytest.mark.django_db(transaction=True)
def test_a_hanging_host_does_not_hold_up_other_hosts(capsys, settings) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_FETCH_TIMEOUT": 6.0}
    with fault_server() as slow, fault_server("127.0.0.2") as fast:
        slow.route("/feed.xml", Reply(writer=lambda h: hang(h, 10)))
        Source.objects.create(url=slow.base + "/feed.xml")
        Source.objects.create(url=feed_with(fast, [item(1)]))
        assert main(["fetch", "--once"]) == 1
        err = capsys.readouterr().err
    assert "timed out" in err and "1 new articles" in err
    served = next(t for t, p, _ in fast.log if p == "/a/1.html")
    hung = next(t for t, p, _ in slow.log if p == "/feed.xml")
    # Served before the slow host's 6 s timeout ran out: the lanes ran side by side.
    assert served - hung < 6


# --- sources that are not plain feeds ---------------------------------------------------


def test_html_page_that_names_no_feed_is_a_clear_error(server) -> None:
    server.route("/", Reply(200, "<html><body><a href='/x'>Home</a> <p>Welcome</p></body></html>"))
    source, report = poll(server.base + "/")
    assert report.outcome == "error"
    assert "not a feed: the URL returns an HTML page that names no feed" in source.last_error


def test_home_page_announcing_its_feed(server) -> None:
    feed = feed_with(server, [item(1)], path="/news/rss")
    server.route(
        "/",
        Reply(
            200,
            "<html><head><link rel='alternate' type='application/rss+xml' "
            "href='/news/rss'></head><body><p>Home</p></body></html>",
        ),
    )
    source, report = poll(server.base + "/")
    assert source.url == feed and source.site_url == server.base + "/"
    assert report.new_articles == 1


def test_home_page_with_a_feed_at_a_usual_path(server) -> None:
    feed = feed_with(server, [item(1)], path="/rss.xml")
    server.route("/", Reply(200, "<html><body><p>Home</p></body></html>"))
    source, report = poll(server.base + "/")
    assert source.url == feed and report.new_articles == 1


def test_a_single_article_url(server) -> None:
    server.route("/2026/11/plan.html", Reply(200, article_html("Embankment plan approved")))
    source, report = poll(server.base + "/2026/11/plan.html")
    assert report.new_articles == 1
    assert source.kind == "page" and not source.active and source.last_status == "done"


def _urlset(server, paths: list[str], news: bool = False) -> str:
    rows = "".join(
        f"<url><loc>{server.base}{p}</loc><lastmod>2026-11-2{i}T10:00:00Z</lastmod>"
        + ("<news:news><news:title>T</news:title></news:news>" if news else "")
        + "</url>"
        for i, p in enumerate(paths)
    )
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    return (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        f"{ns}>{rows}</urlset>"
    )


def test_news_sitemap(server) -> None:
    for n in (1, 2):
        server.route(f"/a/{n}.html", Reply(200, article_html(f"Embankment plan {n} approved")))
    server.route(
        "/news-sitemap.xml",
        Reply(
            200,
            _urlset(server, ["/a/1.html", "/a/2.html"], True),
            {"Content-Type": "application/xml"},
        ),
    )
    source, report = poll(server.base + "/news-sitemap.xml")
    assert source.kind == "sitemap" and report.new_articles == 2


def test_gzipped_sitemap_index(server) -> None:
    import gzip

    server.route("/a/1.html", Reply(200, article_html("Embankment plan 1 approved")))
    child = gzip.compress(_urlset(server, ["/a/1.html"]).encode())
    server.route("/s1.xml.gz", Reply(200, child, {"Content-Type": "application/x-gzip"}))
    index = (
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
        f'sitemap/0.9"><sitemap><loc>{server.base}/s1.xml.gz</loc></sitemap></sitemapindex>'
    )
    server.route("/sitemap.xml", Reply(200, index, {"Content-Type": "application/xml"}))
    _, report = poll(server.base + "/sitemap.xml")
    assert report.new_articles == 1


def test_json_feed(server) -> None:
    import json

    server.route("/a/1.html", Reply(200, article_html("Embankment plan 1 approved")))
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "J",
            "items": [
                {
                    "id": "j1",
                    "url": server.base + "/a/1.html",
                    "title": "Embankment plan 1 approved",
                    "date_published": "2026-11-20T10:00:00Z",
                }
            ],
        }
    )
    server.route("/feed.json", Reply(200, body, {"Content-Type": "application/feed+json"}))
    _, report = poll(server.base + "/feed.json")
    assert report.new_articles == 1


@pytest.mark.django_db(transaction=True)
def test_lanes_spread_over_processes(capsys, settings) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_FETCH_PROCESSES": 2}
    with fault_server() as one, fault_server("127.0.0.2") as two:
        Source.objects.create(url=feed_with(one, [item(1)]))
        Source.objects.create(url=feed_with(two, [item(2)]))
        assert main(["fetch", "--once"]) == 0
    assert Article.objects.count() == 2
    assert "polled 2 sources, 0 failed" in capsys.readouterr().err


def test_requests_identify_newsdesk_with_its_contact_url(server, settings) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_CONTACT_URL": "https://news.example/bot"}
    poll(feed_with(server, [item(1)]))
    agents = {headers.get("User-Agent") for _, _, headers in server.log}
    assert agents == {"newsdesk/0.1 (+https://news.example/bot)"}


@pytest.mark.django_db(transaction=True)
def test_one_request_at_a_time_per_host_across_threads(server) -> None:
    import threading

    from django.db import connection as conn

    from newsdesk.ingest.service import polite_fetch

    def slow(handler):
        time.sleep(0.3)
        return Reply(200, b"ok")

    server.route("/slow", slow)
    opts = Options.from_settings()

    def worker() -> None:
        try:
            with opts.client() as client:
                polite_fetch(client, server.base + "/slow", opts)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts = sorted(t for t, p, _ in server.log if p == "/slow")
    assert len(starts) == 3
    # Each request began only after the previous one (0.3 s long) had finished.
    assert all(b - a >= 0.29 for a, b in itertools.pairwise(starts))


def test_a_host_row_deleted_under_a_running_process_is_recreated(server) -> None:
    url = feed_with(server, [item(1)])
    poll(url)
    Host.objects.all().delete()  # an editor clears the host list; the robots memo still has it
    Source.objects.update(next_fetch_at=None)
    feed_with(server, [item(1), item(2)])
    _, report = poll(url)
    assert report.outcome == "ok" and report.new_articles == 1
