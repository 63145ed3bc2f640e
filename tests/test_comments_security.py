"""Comments under attack: cross-site posts refused by origin (the form lives on cached pages
and carries no CSRF token), other forms still needing Django's token, SQL-looking and
script-laden input stored verbatim and shown inert, and a flood from one address throttled
while other readers are served."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from lxml import html as lxml_html

from commenting import ORIGIN, configure, form, send
from newsdesk.comments import service
from newsdesk.comments.models import Comment, Status
from newsroom import Newsroom, build
from xss_payloads import PAYLOADS

pytestmark = pytest.mark.django_db

URL = "/comments/post"
DANGEROUS_URL = ("javascript:", "data:", "vbscript:")


@pytest.fixture(autouse=True)
def comment_settings(settings) -> None:
    configure(settings)


@pytest.fixture
def newsroom() -> Newsroom:
    return build()


# --- cross-site requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_ORIGIN": "http://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "http://testserver.evil.example"},
        {"HTTP_ORIGIN": "https://testserver"},  # another scheme is another origin
        {"HTTP_ORIGIN": "http://testserver:8080"},
        {"HTTP_REFERER": "http://evil.example/story/1"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": ORIGIN},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": ORIGIN},
    ],
    ids=[
        "no-headers",
        "foreign-origin",
        "null-origin",
        "suffix-origin",
        "other-scheme",
        "other-port",
        "foreign-referer",
        "fetch-cross-site",
        "fetch-same-site",
    ],
)
def test_cross_site_posts_are_refused(client: Client, newsroom: Newsroom, headers: dict) -> None:
    response = send(client, newsroom.flood, headers=headers)
    assert response.status_code == 403
    assert not Comment.objects.exists()
    assert "newsdesk_comments" not in response.cookies


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": ORIGIN},
        {"HTTP_REFERER": f"{ORIGIN}/story/1"},
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": ORIGIN},
        {"HTTP_ORIGIN": "http://TESTSERVER:80"},
    ],
    ids=["origin", "referer", "fetch-same-origin", "fetch-and-origin", "default-port"],
)
def test_same_origin_posts_are_accepted(client: Client, newsroom: Newsroom, headers: dict) -> None:
    assert send(client, newsroom.flood, headers=headers).status_code == 303
    assert Comment.objects.count() == 1


def test_the_configured_site_url_is_the_origin(
    client: Client, newsroom: Newsroom, settings
) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_SITE_URL": "https://news.example"}
    assert send(client, newsroom.flood).status_code == 403  # Origin: http://testserver
    ok = send(client, newsroom.flood, headers={"HTTP_ORIGIN": "https://news.example"})
    assert ok.status_code == 303


def test_every_other_form_still_needs_djangos_token(newsroom: Newsroom) -> None:
    User.objects.create_superuser("admin", "admin@news.example", "pw-for-tests")
    strict = Client(enforce_csrf_checks=True)
    login = {"username": "admin", "password": "pw-for-tests"}
    same = {"HTTP_ORIGIN": ORIGIN}
    assert strict.post("/admin/login/", login, **same).status_code == 403
    assert strict.post("/comments/forget", {"email": "a@b.example"}, **same).status_code == 403
    # The comment post itself needs no token, only its origin.
    assert strict.post(URL, form(newsroom.flood), **same).status_code == 303
    comment = Comment.objects.get()
    assert strict.post(f"/comments/{comment.pk}/edit", {"text": "x"}, **same).status_code == 403
    assert strict.post(f"/comments/{comment.pk}/delete", **same).status_code == 403
    # With the token from the page, the same forms work.
    page = strict.get(f"/comments/{comment.pk}/edit")
    token = page.context["csrf_token"]
    edited = strict.post(
        f"/comments/{comment.pk}/edit", {"text": "x", "csrfmiddlewaretoken": str(token)}
    )
    assert edited.status_code == 303


def test_the_page_form_carries_no_token_and_the_page_sets_no_cookie(
    client: Client, newsroom: Newsroom
) -> None:
    response = client.get(f"/story/{newsroom.flood.pk}")
    body = response.content.decode()
    assert 'action="/comments/post"' in body and "csrfmiddlewaretoken" not in body
    assert not response.cookies


# --- SQL-looking and script-laden input -----------------------------------------------------


def test_sql_looking_input_is_stored_and_shown_verbatim(
    client: Client, newsroom: Newsroom, settings
) -> None:
    configure(settings, MODERATION="none")
    text = "'); DROP TABLE comments_comment;--"
    name = "Robert'); DROP TABLE stories_story;--"
    assert send(client, newsroom.flood, name=name, text=text).status_code == 303
    comment = Comment.objects.get()
    assert (comment.name, comment.text) == (name, text)
    page = client.get(f"/story/{newsroom.flood.pk}").content.decode()
    assert "<p>'); DROP TABLE comments_comment;--</p>" in page  # text: quotes need no escape
    assert "Robert&#x27;); DROP TABLE stories_story;--" in page
    twin = client.get(f"/story/{newsroom.flood.pk}.json").json()["discussion"]["thread"][0]
    assert twin["name"] == name and twin["html"] == f"<p>{text}</p>\n"
    assert Comment.objects.count() == 1  # the table is still there


def _inert(root) -> list[str]:
    """What in a rendered fragment could run: event handlers, script-like URLs, elements
    that should never come out of the sanitiser."""
    found = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in {
            "script",
            "iframe",
            "object",
            "embed",
            "style",
            "svg",
            "math",
            "form",
            "input",
            "meta",
            "details",
            "body",
            "noscript",
        }:
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name.lower() == "style":
                found.append(f"{tag}[{name}]")
            if value.strip().lower().startswith(DANGEROUS_URL):
                found.append(f"{tag}[{name}={value}]")
    return found


def test_payloads_are_inert_in_the_page(client: Client, newsroom: Newsroom, settings) -> None:
    configure(settings, MODERATION="none", HOLD_SCORE=100, SPAM_SCORE=100, MAX_LINKS=100)
    for payload in PAYLOADS:
        assert send(client, newsroom.flood, name=payload[:80], text=payload).status_code == 303
    for comment in Comment.objects.exclude(status=Status.APPROVED):
        service.approve(comment)
    page = client.get(f"/story/{newsroom.flood.pk}").content.decode()
    section = lxml_html.fromstring(page).get_element_by_id("comments")
    assert len(section.find_class("comment")) == len(PAYLOADS)
    [thread] = [e for e in section.find_class("comment-list") if e.getparent() is section]
    assert _inert(thread) == []
    for comment in Comment.objects.all():
        fragment = lxml_html.fragment_fromstring(
            service.comment_data(comment)["html"], create_parent="div"
        )
        assert _inert(fragment) == [], comment.text


# --- flood ------------------------------------------------------------------------------------


def test_a_flood_from_one_address_is_throttled_while_others_are_served(
    client: Client, newsroom: Newsroom, settings
) -> None:
    configure(settings, RATE_LIMIT=5, RATE_WINDOW=600)
    story = f"/story/{newsroom.flood.pk}"
    reader = Client()
    statuses: dict[int, int] = {}
    waits = set()
    for i in range(1000):
        response = send(client, newsroom.flood, addr="198.51.100.23", text=f"Flood {i}")
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code == 429:
            waits.add(int(response["Retry-After"]))
        if i % 50 == 0:
            assert reader.get(story, REMOTE_ADDR=f"192.0.2.{i // 50 + 1}").status_code == 200
    assert statuses == {303: 5, 429: 995}
    assert Comment.objects.count() == 5
    assert all(0 < w <= 600 for w in waits)
    # The same network (another host in its /24) shares the limit; another network does not.
    assert send(client, newsroom.flood, addr="198.51.100.99", text="Same net").status_code == 429
    assert send(client, newsroom.flood, addr="192.0.2.200", text="Other net").status_code == 303


def test_two_posts_too_close_together_are_refused(
    client: Client, newsroom: Newsroom, settings
) -> None:
    configure(settings, FLOOD_SECONDS=15)
    assert send(client, newsroom.flood, text="One").status_code == 303
    second = send(client, newsroom.flood, text="Two")
    assert second.status_code == 429 and 0 < int(second["Retry-After"]) <= 15
    assert Comment.objects.count() == 1


def test_forget_requests_are_throttled_too(client: Client, newsroom: Newsroom, settings) -> None:
    configure(settings, RATE_LIMIT=2)
    codes = [
        client.post("/comments/forget", {"email": "a@b.example"}).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 429, 429]
