"""Comments in a real browser (Playwright driving Debian's Chromium): known XSS payloads,
posted and approved, render without running anything; and a reader posts through the
page's own form (cross-origin protection sees a real browser's headers), sees the
"awaiting moderation" notice and edits the comment within its window."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, sync_playwright

from commenting import configure, send
from newsdesk.comments import service
from newsdesk.comments.models import Comment, Status
from newsroom import build
from test_browser import ARTIFACTS, CHROMIUM, DESKTOP, Watch
from xss_payloads import PAYLOADS

pytestmark = pytest.mark.django_db(transaction=True)

# Every way a payload could announce itself: the dialogs are replaced by a counter (and a
# dialog that still opens, from a frame with its own window, is caught by the page).
XSS_HOOK = """
window.__xss = 0;
const hit = () => { window.__xss += 1; };
window.alert = hit; window.confirm = hit; window.prompt = hit;
"""

# Anything in the thread that could run: handlers, script-like URLs, active elements.
FIND_ACTIVE = """
root => {
  const found = [];
  const bad = /^\\s*(javascript|data|vbscript):/i;
  for (const el of root.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['script','iframe','object','embed','svg','math','form','input','style','meta',
         'details','img'].includes(tag) && !el.classList.contains('avatar')) found.push(tag);
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on') || a.name === 'style') found.push(tag + '[' + a.name + ']');
      if (bad.test(a.value)) found.push(tag + '[' + a.name + '=' + a.value + ']');
    }
  }
  return found;
}
"""


# Hover over and focus everything in the comments section.
POKE = """
() => document.querySelectorAll('#comments *').forEach(el => {
  for (const type of ['mouseover', 'mouseenter', 'focus', 'focusin'])
    el.dispatchEvent(new Event(type, {bubbles: true}));
})
"""


@contextmanager
def chromium() -> Iterator[Browser]:
    """The browser, for one block: the ORM is used only before and after it (Playwright's
    sync API runs an event loop in this thread)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def _page(browser: Browser) -> tuple[Page, Watch, list[str]]:
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(XSS_HOOK)
    page = context.new_page()
    dialogs: list[str] = []

    def dialog(d) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    return page, Watch(page), dialogs


def test_xss_payloads_do_not_run(live_server, settings) -> None:
    configure(settings, MODERATION="none", HOLD_SCORE=100, SPAM_SCORE=100, MAX_LINKS=100)
    newsroom = build()
    client = Client()
    for payload in PAYLOADS:
        response = send(client, newsroom.flood, name=payload[:80], text=payload)
        assert response.status_code == 303, payload
    for comment in Comment.objects.exclude(status=Status.APPROVED):
        service.approve(comment)
    url = f"{live_server.url}/story/{newsroom.flood.pk}"
    with chromium() as browser:
        page, watch, dialogs = _page(browser)
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.status == 200
        page.evaluate(POKE)  # a surviving onmouseover or onfocus would fire now
        assert page.evaluate("window.__xss") == 0
        assert dialogs == []
        assert page.locator("li.comment").count() == len(PAYLOADS)
        thread = page.locator("#comments > ol.comment-list")
        assert thread.evaluate(FIND_ACTIVE) == []
        hrefs = thread.evaluate("r => [...r.querySelectorAll('a[href]')].map(a => a.href)")
        assert all(h.startswith(("http://", "https://", "mailto:")) for h in hrefs), hrefs
        rels = thread.evaluate(
            "r => [...r.querySelectorAll('.comment-text a[href]')].map(a => a.rel)"
        )
        assert rels and set(rels) == {"nofollow ugc noopener"}
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "comments-xss.png"), full_page=True)
        watch.clean()


def test_reader_posts_through_the_page_and_edits(live_server, settings) -> None:
    configure(settings, MIN_SECONDS=0)
    newsroom = build()
    url = f"{live_server.url}/story/{newsroom.flood.pk}"
    with chromium() as browser:
        page, watch, dialogs = _page(browser)
        page.goto(url, wait_until="networkidle")
        assert page.get_by_role("heading", name="Leave a Reply").is_visible()
        box = page.locator("#comment-homepage").bounding_box()  # the honeypot: off-screen
        assert box is not None and box["x"] + box["width"] <= 0
        page.fill("#comment-name", "Ann Reader")
        page.fill("#comment-email", "ann@example.org")
        page.fill("#comment-text", "The *harbour* wall held last time.")
        with page.expect_navigation(wait_until="networkidle"):
            page.get_by_role("button", name="Post Comment").click()
        assert "?posted=" in page.url
        notice = page.locator(".comment-notice")
        assert "Your comment is awaiting moderation." in notice.inner_text()
        assert notice.locator("em").inner_text() == "harbour"
        page.screenshot(path=str(ARTIFACTS / "comments-pending.png"), full_page=True)
        with page.expect_navigation(wait_until="networkidle"):
            page.get_by_role("link", name="Edit or delete it").click()
        page.fill("#comment-text", "The **harbour** wall held last time, just.")
        with page.expect_navigation(wait_until="networkidle"):
            page.get_by_role("button", name="Save").click()
        assert page.locator(".comment-notice strong", has_text="harbour").count() == 1
        # Another browser sees nothing of it while it waits.
        other, other_watch, _ = _page(browser)
        other.goto(url, wait_until="networkidle")
        assert other.locator(".comment-notice").count() == 0
        assert "harbour wall" not in other.locator("#comments").inner_text()
        assert page.evaluate("window.__xss") == 0 and dialogs == []
        watch.clean()
        other_watch.clean()
    comment = Comment.objects.get()
    assert comment.name == "Ann Reader" and comment.status == Status.PENDING
    assert comment.text == "The **harbour** wall held last time, just."
    assert comment.edited_at is not None and comment.ip == "127.0.0.0/24"
