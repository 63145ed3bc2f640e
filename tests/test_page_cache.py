"""The published page cache: pages kept as files, sent from there, deleted when stories change."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from newsdesk.site import cache
from newsdesk.site.publish import Snapshot, conditional
from newsdesk.stories.clustering import merge_stories
from newsdesk.stories.models import Article, Image, Story
from newsroom import FLOOD, Newsroom, build, outlet, store

pytestmark = pytest.mark.django_db

HOST = "testserver"  # the test client's Host


@pytest.fixture
def pages(settings, tmp_path: Path) -> Path:
    """The page cache on, in a folder of this test's own; the host's folder in it."""
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_PAGE_CACHE": True}
    settings.PAGE_CACHE_DIR = tmp_path / "pages"
    return tmp_path / "pages" / HOST


@pytest.fixture
def newsroom(pages: Path) -> Newsroom:
    return build()


# Purges wait for the commit: these tests commit for real, as the site and the workers do.
committing = pytest.mark.django_db(transaction=True)


def test_paths_map_like_a_static_site() -> None:
    assert cache.relative(HOST, "/") == Path(HOST, "index.html")
    assert cache.relative(HOST, "/story/12") == Path(HOST, "story/12/index.html")
    assert cache.relative(HOST, "/story/12.json") == Path(HOST, "story/12.json")
    assert cache.relative(HOST, "/story/12/feed.rss") == Path(HOST, "story/12/feed.rss")
    assert cache.relative("127.0.0.1:8080", "/feed.atom") == Path("127.0.0.1:8080/feed.atom")
    for path in ("/story/12/", "//x", "/a/../b", "/.generation", "/x.exe", "relative", "/a\\b"):
        assert cache.relative(HOST, path) is None, path
    for host in ("", ".", "..", ".hidden", "a/b"):
        assert cache.relative(host, "/") is None, host


def test_first_get_writes_the_page(client: Client, newsroom: Newsroom, pages: Path) -> None:
    story = f"/story/{newsroom.flood.pk}"
    assert not pages.exists()
    for path, file in [
        ("/", "index.html"),
        ("/index.json", "index.json"),
        (story, f"story/{newsroom.flood.pk}/index.html"),
        (f"{story}.json", f"story/{newsroom.flood.pk}.json"),
        (f"{story}/feed.rss", f"story/{newsroom.flood.pk}/feed.rss"),
        (f"/article/{newsroom.alpha.pk}", f"article/{newsroom.alpha.pk}/index.html"),
    ]:
        response = client.get(path)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
        assert (pages / file).read_bytes() == response.content, path


def test_second_get_is_served_from_the_file(
    client: Client, newsroom: Newsroom, pages: Path, django_assert_num_queries
) -> None:
    path = f"/story/{newsroom.flood.pk}"
    first = client.get(path)
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "text/html; charset=utf-8"
    assert second["Cache-Control"] == "public, max-age=60"
    # It really is the file that is sent.
    (pages / f"story/{newsroom.flood.pk}/index.html").write_bytes(b"<p>from the file</p>")
    assert client.get(path).content == b"<p>from the file</p>"
    assert client.get(f"/story/{newsroom.rates.pk}").content != b"<p>from the file</p>"


def test_json_is_sent_as_json(client: Client, newsroom: Newsroom) -> None:
    client.get(f"/story/{newsroom.flood.pk}.json")
    hit = client.get(f"/story/{newsroom.flood.pk}.json")
    assert hit["X-Page-Cache"] == "hit"
    assert hit["Content-Type"] == "application/json"
    assert hit.json()["title"] == newsroom.flood.title


def test_304_from_the_cache_and_from_a_render(client: Client, newsroom: Newsroom) -> None:
    path = f"/story/{newsroom.flood.pk}"
    first = client.get(path)
    etag, modified = first["ETag"], first["Last-Modified"]
    # The validators a render sends are the file's: nginx and the cache answer to them.
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["X-Page-Cache"] == "hit"
    assert again.content == b""
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_304_without_the_cache(client: Client, settings, newsroom: Newsroom) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_PAGE_CACHE": False}
    path = f"/story/{newsroom.flood.pk}"
    etag = client.get(path)["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_off_means_no_files(client: Client, settings, newsroom: Newsroom, pages: Path) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_PAGE_CACHE": False}
    client.get("/")
    client.get("/")
    assert not pages.exists()


def test_query_strings_are_neither_cached_nor_answered_from_cache(
    client: Client, newsroom: Newsroom, pages: Path
) -> None:
    client.get("/?page=1")
    assert not (pages / "index.html").exists()
    client.get("/")
    (pages / "index.html").write_bytes(b"cached")
    response = client.get("/?utm_source=x")
    assert response.content != b"cached"
    assert "X-Page-Cache" not in response


def test_errors_and_non_get_are_not_cached(client: Client, newsroom: Newsroom, pages: Path) -> None:
    assert client.get("/story/999999").status_code == 404
    assert client.head(f"/story/{newsroom.flood.pk}").status_code == 200
    assert client.post("/").status_code == 405
    assert not (pages / "story").exists()
    assert not (pages / "index.html").exists()
    client.get("/")
    assert client.post("/").status_code == 405  # a cached page does not answer a POST
    head = client.head("/")
    assert head["X-Page-Cache"] == "hit"


def test_pages_with_their_own_headers_or_cookies_are_not_cached(pages: Path) -> None:
    """Sitemaps say X-Robots-Tag, a page may set a cookie or read the session: a file
    cannot say so, so these are rendered every time."""

    def load(request: HttpRequest) -> Snapshot:
        return Snapshot({"n": 1})

    @conditional("cookie", load)
    def with_cookie(request: HttpRequest, data: dict) -> HttpResponse:
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    @conditional("header", load)
    def with_header(request: HttpRequest, data: dict) -> HttpResponse:
        response = HttpResponse("hello")
        response["X-Robots-Tag"] = "noindex"
        return response

    @conditional("plain", load)
    def plain(request: HttpRequest, data: dict) -> HttpResponse:
        return HttpResponse("hello")

    factory = RequestFactory()
    with_cookie(factory.get("/cookie"))
    with_header(factory.get("/header"))
    assert not pages.exists()
    plain(factory.get("/plain"))
    assert (pages / "plain/index.html").read_text() == "hello"


def test_host_header_keeps_its_own_pages(
    client: Client, settings, newsroom: Newsroom, pages: Path
) -> None:
    """Links follow the Host header when NEWSDESK_SITE_URL is empty: a page rendered for one
    host is never sent to another."""
    evil = client.get(f"/story/{newsroom.flood.pk}", HTTP_HOST="evil.example")
    assert b"http://evil.example/" in evil.content
    assert (pages.parent / "evil.example" / f"story/{newsroom.flood.pk}/index.html").exists()
    mine = client.get(f"/story/{newsroom.flood.pk}")
    assert "X-Page-Cache" not in mine
    assert b"evil.example" not in mine.content
    # With the site's URL set, every host gets (and fills) that origin's pages.
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_SITE_URL": "https://news.example"}
    client.get("/", HTTP_HOST="other.example")
    assert (pages.parent / "news.example" / "index.html").exists()
    assert client.get("/", HTTP_HOST="elsewhere.example")["X-Page-Cache"] == "hit"


def _cached(pages: Path, newsroom: Newsroom) -> dict[str, Path]:
    flood, rates = newsroom.flood.pk, newsroom.rates.pk
    return {
        "front": pages / "index.html",
        "front json": pages / "index.json",
        "feed": pages / "feed.rss",
        "flood": pages / f"story/{flood}/index.html",
        "flood json": pages / f"story/{flood}.json",
        "flood feed": pages / f"story/{flood}/feed.rss",
        "alpha": pages / f"article/{newsroom.alpha.pk}/index.html",
        "beta": pages / f"article/{newsroom.beta.pk}/index.html",
        "rates": pages / f"story/{rates}/index.html",
        "gamma": pages / f"article/{newsroom.gamma.pk}/index.html",
    }


def _warm(client: Client, newsroom: Newsroom, pages: Path) -> dict[str, Path]:
    files = _cached(pages, newsroom)
    for file in files.values():
        path = "/" + str(file.relative_to(pages)).removesuffix("index.html").rstrip("/")
        assert client.get(path if path != "/." else "/").status_code == 200
    assert all(f.exists() for f in files.values()), [k for k, f in files.items() if not f.exists()]
    return files


def _gone(files: dict[str, Path]) -> set[str]:
    return {name for name, file in files.items() if not file.exists()}


FLOOD_PAGES = {"front", "front json", "feed", "flood", "flood json", "flood feed", "alpha", "beta"}


@committing
def test_saving_an_article_purges_its_story_and_the_listings(
    client: Client, newsroom: Newsroom, pages: Path
) -> None:
    files = _warm(client, newsroom, pages)
    newsroom.beta.title = "Port Calloway floods: a thousand homes under water"
    newsroom.beta.save()
    assert _gone(files) == FLOOD_PAGES
    assert b"a thousand homes" in client.get(f"/story/{newsroom.flood.pk}").content
    assert b"a thousand homes" in client.get(f"/article/{newsroom.alpha.pk}").content


@committing
def test_a_new_article_purges_its_story_and_the_listings(
    client: Client, newsroom: Newsroom, pages: Path
) -> None:
    files = _warm(client, newsroom, pages)
    late = store(
        outlet("epsilon"),
        "Floods in Port Calloway: 300 homes hit, state of emergency declared",
        FLOOD,
        "late-flood",
        newsroom.now,
    )
    assert late.story_id == newsroom.flood.pk
    assert _gone(files) == FLOOD_PAGES
    assert b"Epsilon" in client.get(f"/story/{newsroom.flood.pk}").content


def test_purge_waits_for_the_commit(
    client: Client, newsroom: Newsroom, pages: Path, django_capture_on_commit_callbacks
) -> None:
    """Until the change is committed, other readers still see the old data: the page stays."""
    files = _warm(client, newsroom, pages)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        Story.objects.get(pk=newsroom.rates.pk).save()
    assert _gone(files) == set()
    for callback in pending:
        callback()
    assert _gone(files) == {"front", "front json", "feed", "rates", "gamma"}


@committing
def test_moving_and_deleting_articles_purges_both_stories(
    client: Client, newsroom: Newsroom, pages: Path
) -> None:
    """An editor moves an article in the admin: the story it left changes too."""
    files = _warm(client, newsroom, pages)
    beta = Article.objects.get(pk=newsroom.beta.pk)
    beta.story_id = newsroom.rates.pk
    beta.save()
    assert _gone(files) == FLOOD_PAGES | {"rates", "gamma"}
    files = _warm(client, newsroom, pages)
    Article.objects.get(pk=newsroom.gamma.pk).delete()
    assert _gone(files) == {"front", "front json", "feed", "rates", "gamma", "beta"}
    assert client.get(f"/article/{newsroom.gamma.pk}").status_code == 404


@committing
def test_merging_stories_purges_the_merged_ones(
    client: Client, newsroom: Newsroom, pages: Path
) -> None:
    """merge_stories moves rows with .update(), which sends no model signal."""
    files = _warm(client, newsroom, pages)
    merge_stories(newsroom.flood.pk, [newsroom.rates.pk])
    assert _gone(files) == set(files)


@committing
def test_a_ready_image_purges_its_pages(client: Client, newsroom: Newsroom, pages: Path) -> None:
    image = Image.objects.create(url="https://alpha.example/img/x.jpg")
    Article.objects.filter(pk=newsroom.gamma.pk).update(image=image)
    files = _warm(client, newsroom, pages)
    image.status = Image.Status.READY
    image.save()
    assert _gone(files) == {"front", "front json", "feed", "rates", "gamma"}


def test_a_purge_during_a_render_drops_the_stale_file(pages: Path) -> None:
    token = cache.generation()
    pages.mkdir(parents=True)
    cache.purge([1])  # the data changed after the render read it
    assert cache.store(HOST, "/story/1", b"old", token) is None
    assert not (pages / "story/1/index.html").exists()
    assert cache.store(HOST, "/story/1", b"new", cache.generation()) is not None
    assert (pages / "story/1/index.html").read_bytes() == b"new"


def test_purging_missing_files_and_racing_purges_are_fine(pages: Path) -> None:
    cache.purge([1, 2], [3])  # no cache folder at all
    cache.purge_all()
    errors: list[BaseException] = []

    def churn(seed: int) -> None:
        try:
            for i in range(40):
                cache.store(HOST, f"/story/{i % 3}", b"x", cache.generation())
                cache.store(HOST, "/", b"x", cache.generation())
                cache.purge([i % 3, seed], [i])
        except BaseException as err:  # pragma: no cover - the failure being tested for
            errors.append(err)

    threads = [threading.Thread(target=churn, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cache.purge([0, 1, 2])
    assert not any(pages.glob("story/*/index.html"))
    assert not (pages / "index.html").exists()
    assert not list(pages.parent.glob(".trash-*"))


def test_old_pages_expire(client: Client, newsroom: Newsroom, pages: Path) -> None:
    """Pages also show what is not tracked (related stories, ranking by age): they last
    cache.LIFETIME at most, whoever sends them."""
    client.get("/")
    front = pages / "index.html"
    past = time.time() - cache.LIFETIME - 5
    os.utime(front, (past, past))
    assert "X-Page-Cache" not in client.get("/")  # too old: rendered again
    assert client.get("/")["X-Page-Cache"] == "hit"
    os.utime(front, (past, past))
    assert cache.expire() == 1
    assert not front.exists()


def test_start_up_forgets_every_page(client: Client, newsroom: Newsroom, pages: Path) -> None:
    client.get("/")
    client.get(f"/story/{newsroom.flood.pk}")
    cache.purge_all()
    assert list(pages.parent.iterdir()) == [pages.parent / cache.GENERATION]


@committing
def test_a_story_saved_in_the_past_is_not_served_from_an_older_file(
    client: Client, newsroom: Newsroom, pages: Path
) -> None:
    client.get(f"/story/{newsroom.bridge.pk}")
    story = Story.objects.get(pk=newsroom.bridge.pk)
    story.title = "Harbour bridge finally opens"
    story.updated_at -= timedelta(days=1)  # no newer time to tell a validator it changed
    story.save()
    assert b"Harbour bridge finally opens" in client.get(f"/story/{newsroom.bridge.pk}").content
