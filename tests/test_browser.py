"""The site in a real browser (Playwright driving Debian's Chromium): the front page, a story
page and search load without a console error and without any request leaving the machine;
keyboard, dark mode and phone width work. Screenshots land in test-artifacts/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from newsdesk.stories.summaries import summarize_due
from newsroom import Newsroom, build

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM = os.environ.get("NEWSDESK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(
    os.environ.get("NEWSDESK_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts")
)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the data is built before it
    # starts and the ORM is not used while it runs.
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Watch:
    """Console errors, page errors, and requests to anywhere but this machine (refused)."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.route("**/*", self._route)

    def _route(self, route, request) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.outside.append(request.url)
            route.abort()

    def clean(self) -> None:
        assert self.errors == []
        assert self.outside == []


def _open(browser: Browser, url: str, viewport: dict, dark: bool = False) -> tuple[Page, Watch]:
    context = browser.new_context(viewport=viewport, color_scheme="dark" if dark else "light")
    page = context.new_page()
    watch = Watch(page)
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200
    return page, watch


def _shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def site(live_server) -> tuple[str, Newsroom]:
    return live_server.url, build()


def test_front_page(site: tuple[str, Newsroom], browser: Browser) -> None:
    base, newsroom = site
    for name, viewport in (("front-desktop", DESKTOP), ("front-phone", PHONE)):
        page, watch = _open(browser, base + "/", viewport)
        assert page.get_by_role("heading", name=newsroom.flood.title).first.is_visible()
        assert page.locator("main").count() == 1 and page.locator("nav").count() >= 1
        # Every image has loaded from this site and has alt text.
        for img in page.locator("img").all():
            assert img.get_attribute("alt")
            assert img.evaluate("i => i.complete && i.naturalWidth > 0")
        # Nothing is wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        _shoot(page, name)
        watch.clean()


def test_story_page_keyboard_and_dark_mode(site: tuple[str, Newsroom], browser: Browser) -> None:
    base, newsroom = site
    url = f"{base}/story/{newsroom.flood.pk}"
    page, watch = _open(browser, url, DESKTOP)
    assert page.locator("h1").inner_text() == newsroom.alpha.title
    lead = page.locator("figure.lead img")
    assert lead.evaluate("i => i.complete && i.naturalWidth > 0")
    assert lead.get_attribute("alt") == "Boats in a flooded street"
    assert page.get_by_text("Source:").count() >= 1
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    _shoot(page, "story-desktop")
    watch.clean()
    page, watch = _open(browser, url, PHONE, dark=True)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light
    _shoot(page, "story-phone-dark")
    watch.clean()


@pytest.fixture
def summarised(site: tuple[str, Newsroom]) -> tuple[str, Newsroom]:
    summarize_due()  # before the browser starts: the ORM is not used while it runs
    return site


def test_story_summary_cites_every_sentence(
    summarised: tuple[str, Newsroom], browser: Browser
) -> None:
    base, newsroom = summarised
    for name, viewport in (("story-summary-desktop", DESKTOP), ("story-summary-phone", PHONE)):
        page, watch = _open(browser, f"{base}/story/{newsroom.flood.pk}", viewport)
        sentences = page.locator(".story-summary .sentence")
        assert sentences.count() >= 1
        for sentence in sentences.all():
            cite = sentence.locator("a.cite")
            assert cite.is_visible() and cite.inner_text() in {"Alpha", "Beta"}
        assert page.locator(".story-summary .source a").count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        _shoot(page, name)
        watch.clean()
    page.locator(".story-summary a.cite").first.click()
    page.wait_for_load_state("networkidle")
    assert "/article/" in page.url


@pytest.fixture
def landslide(site: tuple[str, Newsroom]) -> tuple[str, int]:
    from django.utils import timezone

    from newsdesk.stories import clustering
    from newsroom import outlet, store

    clustering._ASSIGNERS.clear()
    now = timezone.now()
    texts = (
        "A landslide buried part of a village near Cusco, Peru, on Sunday, and at least 14 "
        "people were killed, said Governor Rosa Quispe. About 200 homes were destroyed, and "
        "the Red Cross sent teams from Lima to help the survivors.",
        "At least 16 people were killed when a landslide struck a village outside Cusco in "
        "Peru on Sunday, Governor Rosa Quispe told reporters. The Red Cross said 200 homes "
        "were destroyed and that rescuers from Lima had reached the area.",
    )
    a = store(outlet("andes"), "Landslide near Cusco kills 14", texts[0], "a", now)
    store(outlet("pacific"), "Peru landslide: 16 dead near Cusco", texts[1], "b", now)
    clustering._ASSIGNERS.clear()
    summarize_due()  # before the browser starts
    assert a.story_id is not None
    return site[0], a.story_id


def test_key_figures_and_names_on_a_phone(landslide: tuple[str, int], browser: Browser) -> None:
    base, story_id = landslide
    for name, viewport in (("story-figures-desktop", DESKTOP), ("story-figures-phone", PHONE)):
        page, watch = _open(browser, f"{base}/story/{story_id}", viewport)
        table = page.locator(".figures table")
        assert table.is_visible()
        assert page.locator(".figures tr.disagree").count() >= 1
        assert page.get_by_role("link", name="Cusco", exact=True).is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        _shoot(page, name)
        watch.clean()
    page.get_by_role("link", name="Cusco", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "/place/" in page.url and page.locator("h1").inner_text() == "Cusco"


def test_search_from_the_masthead(site: tuple[str, Newsroom], browser: Browser) -> None:
    base, newsroom = site
    page, watch = _open(browser, base + "/", DESKTOP)
    page.fill("#site-q", "harbour")
    page.press("#site-q", "Enter")
    page.wait_for_load_state("networkidle")
    assert "/search?q=harbour" in page.url
    results = page.locator("ol.results li")
    titles = results.locator("h2").all_inner_texts()
    assert newsroom.bridge.title in titles and newsroom.alpha.title in titles
    assert newsroom.gamma.title not in titles
    assert page.locator("ol.results mark").first.inner_text().lower() == "harbour"
    _shoot(page, "search-desktop")
    watch.clean()
