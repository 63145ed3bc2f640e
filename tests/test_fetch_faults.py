"""The fetcher against a misbehaving server: every fault ends in a clear error, quickly."""

from __future__ import annotations

import ipaddress
import time
from datetime import UTC, datetime, timedelta

import pytest

from fault_server import Reply, chunked_big, drip, fault_server, gzip_bomb, hang, http_date
from newsdesk.pipeline import fetch as f
from newsdesk.pipeline.decode import decode_text
from newsdesk.pipeline.netguard import is_public


@pytest.fixture
def server():
    with fault_server() as srv:
        yield srv


def client(**kw):
    return f.make_client("newsdesk-test", timeout=kw.pop("timeout", 2.0), allow_private=True, **kw)


def test_slow_drip_hits_the_total_timeout(server) -> None:
    server.route("/drip", Reply(writer=drip))
    started = time.monotonic()
    with client() as c, pytest.raises(f.UnreachableError, match="too slow"):
        f.fetch(c, server.base + "/drip", total_timeout=1.0)
    assert time.monotonic() - started < 4


def test_hang_hits_the_read_timeout(server) -> None:
    server.route("/hang", Reply(writer=hang))
    with client(timeout=0.5) as c, pytest.raises(f.UnreachableError, match="timed out"):
        f.fetch(c, server.base + "/hang")


@pytest.mark.parametrize("status", [500, 502, 503, 404, 410])
def test_error_statuses(server, status: int) -> None:
    server.route("/s", Reply(status, b"oops"))
    with client() as c, pytest.raises(f.HTTPStatusError) as err:
        f.fetch(c, server.base + "/s")
    assert err.value.status == status and f"HTTP {status}" in str(err.value)


def test_retry_after_in_both_forms(server) -> None:
    server.route("/a", Reply(429, headers={"Retry-After": "120"}))
    server.route("/b", Reply(429, headers={"Retry-After": http_date(timedelta(hours=1))}))
    now = datetime.now(UTC)
    with client() as c:
        for path, expected in (("/a", 120), ("/b", 3600)):
            with pytest.raises(f.HTTPStatusError) as err:
                f.fetch(c, server.base + path)
            seconds = f.retry_after_seconds(err.value.retry_after, now)
            assert seconds is not None and abs(seconds - expected) < 5
    assert f.retry_after_seconds("soon", now) is None


def test_redirect_loop(server) -> None:
    server.route("/loop", Reply(302, headers={"Location": "/loop2"}))
    server.route("/loop2", Reply(302, headers={"Location": "/loop"}))
    with client() as c, pytest.raises(f.FetchError, match="too many redirects"):
        f.fetch(c, server.base + "/loop")


def test_redirect_to_a_forbidden_address_is_refused_before_connecting(server) -> None:
    with fault_server("127.0.0.2") as other:
        other.route("/feed.xml", Reply(200, b"<rss/>"))
        server.route("/go", Reply(302, headers={"Location": other.base + "/feed.xml"}))
        only_first = (ipaddress.ip_network("127.0.0.1/32"),)
        with (
            f.make_client("t", allowed_networks=only_first) as c,
            pytest.raises(f.BlockedError, match=r"127\.0\.0\.2"),
        ):
            f.fetch(c, server.base + "/go")
        assert server.paths() == ["/go"]
        assert other.paths() == []


def test_guard_on_by_default(server) -> None:
    with f.make_client("t") as c, pytest.raises(f.BlockedError):
        f.fetch(c, server.base + "/")
    assert server.paths() == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.100.100.200", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00:ec2::254", False),
        ("::ffff:10.0.0.1", False),
        ("0.0.0.0", False),
        ("100.64.0.1", False),
        ("93.184.216.34", True),
        ("2606:4700::1", True),
    ],
)
def test_address_classes(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_gzip_bomb_is_capped(server) -> None:
    server.route("/bomb", Reply(writer=gzip_bomb))
    with client() as c, pytest.raises(f.TooLargeError):
        f.fetch(c, server.base + "/bomb", max_bytes=2_000_000)


def test_oversized_bodies_are_capped(server) -> None:
    server.route("/declared", Reply(200, b"a" * 3_000_000))
    server.route("/chunked", Reply(writer=chunked_big))
    with client() as c:
        for path in ("/declared", "/chunked"):
            with pytest.raises(f.TooLargeError, match="cap"):
                f.fetch(c, server.base + path, max_bytes=2_000_000)


def test_permanent_moves_are_reported(server) -> None:
    server.route("/old", Reply(301, headers={"Location": "/new"}))
    server.route("/tmp", Reply(302, headers={"Location": "/new"}))
    server.route("/new", Reply(200, b"<rss/>"))
    with client() as c:
        assert f.fetch(c, server.base + "/old").moved_to == server.base + "/new"
        assert f.fetch(c, server.base + "/tmp").moved_to == ""


def test_cache_headers() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert f.freshness_lifetime({"Cache-Control": "public, max-age=7200"}, now) == timedelta(
        hours=2
    )
    expires = "Wed, 25 Nov 2026 03:00:00 GMT"
    assert f.freshness_lifetime({"Expires": expires}, now) == timedelta(hours=3)
    assert f.freshness_lifetime({"Expires": "0"}, now) == timedelta(0)
    assert f.freshness_lifetime({}, now) is None


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Правительство объявило о новых мерах поддержки экономики страны.", "cp1251"),
        ("L'été à Zürich: café, crème brûlée et œuvres d'art.", "iso-8859-1"),
        ("東京都は新しい防災計画を発表しました。市民の安全を守るための対策です。", "shift_jis"),
    ],
)
def test_undeclared_charsets_are_detected(server, text: str, encoding: str) -> None:
    page = f"<html><body><p>{text}</p><p>{text}</p></body></html>"
    server.route(
        "/p",
        Reply(200, page.encode(encoding, errors="ignore"), headers={"Content-Type": "text/html"}),
    )
    with client() as c:
        fetched = f.fetch(c, server.base + "/p")
    assert text.encode(encoding, errors="ignore").decode(encoding) in decode_text(
        fetched.body, fetched.charset
    )


def test_bom_overrides_a_wrong_header(server) -> None:
    server.route(
        "/bom",
        Reply(
            200,
            "\ufeff<p>Grüße</p>".encode("utf-8"),
            headers={"Content-Type": "text/html; charset=iso-8859-1"},
        ),
    )
    with client() as c:
        fetched = f.fetch(c, server.base + "/bom")
    assert decode_text(fetched.body, fetched.charset) == "<p>Grüße</p>"


def test_conditional_get_sends_validators(server) -> None:
    server.route(
        "/feed",
        lambda h: (
            Reply(304)
            if h.headers.get("If-None-Match") == '"v1"'
            else Reply(200, b"<rss/>", {"ETag": '"v1"', "Last-Modified": http_date(timedelta(0))})
        ),
    )
    with client() as c:
        first = f.fetch(c, server.base + "/feed")
        second = f.fetch(
            c, server.base + "/feed", etag=first.etag, last_modified=first.last_modified
        )
    assert first.etag == '"v1"' and second.not_modified
    assert server.log[1][2].get("If-Modified-Since") == first.last_modified
