"""Comments: markup, spam score, addresses, and the reader's and moderator's flows end to end
through the test client (moderation e-mail, approve links, edit window, "delete my data",
closing, reply depth, page cache purges)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone

from commenting import MODERATOR, configure, send
from newsdesk.comments import addresses, avatars, markup, service, spam, tasks, tokens
from newsdesk.comments.models import Comment, Status, Throttle
from newsroom import Newsroom, build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def comment_settings(settings) -> None:
    configure(settings)


@pytest.fixture
def newsroom() -> Newsroom:
    return build()


def _links(message: mail.EmailMessage) -> dict[str, str]:
    return {
        k.lower(): v
        for k, v in re.findall(r"^(Approve|Delete|Mark as spam): (\S+)$", message.body, re.M)
    }


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


# --- markup ---------------------------------------------------------------------------------


def test_markdown_subset_renders() -> None:
    html = markup.render(
        "Hello *there* and **you**, `code`.\n\n> quoted\n\n- one\n- two\n\n"
        "[site](https://news.example/a)"
    )
    for tag in (
        "<em>there</em>",
        "<strong>you</strong>",
        "<code>code</code>",
        "<blockquote>",
        "<ul>",
        "<li>one</li>",
    ):
        assert tag in html
    assert '<a href="https://news.example/a" rel="nofollow ugc noopener">site</a>' in html


def test_markdown_outside_the_subset_stays_text() -> None:
    html = markup.render("# Heading\n\n![pic](https://x.example/p.png)\n\n<b>bold</b>\n\n---")
    assert "<h1" not in html and "<img" not in html and "<b>" not in html and "<hr" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "[a](javascript:alert(1))",
        "[a](jav&#x61;script:alert(1))",
        "[a](/relative)",
        "[a](ftp://x.example/f)",
        "<javascript:alert(1)>",
        "[a](data:text/html,x)",
    ],
)
def test_only_http_https_and_mailto_links_survive(text: str) -> None:
    html = markup.render(text)
    assert "href" not in html, html


def test_links_are_counted_however_written() -> None:
    assert markup.count_links("see [a](https://a.example) <http://b.example> www.c.example") == 3
    assert markup.count_links("no links here") == 0


# --- spam score and addresses -----------------------------------------------------------------


def test_spam_signals() -> None:
    clean = spam.score("A fair point about the flood defences.", "Ann", duplicate=False, blocked=[])
    assert clean.score == 0 and clean.reasons == []
    assert spam.score("x", "Ann", duplicate=True, blocked=[]).score == spam.DUPLICATE
    blocked = spam.score("Buy cheap pills now", "Ann", duplicate=False, blocked=["cheap pills"])
    assert blocked.reasons == ["blocked word: cheap pills"]
    assert spam.score("pillsbury", "Ann", duplicate=False, blocked=["pills"]).score == 0
    shouting = spam.score(
        "THIS IS AN OUTRAGE AND EVERYONE KNOWS IT", "Ann", duplicate=False, blocked=[]
    )
    assert shouting.reasons == ["all capitals"]
    linky = spam.score("go https://a.example", "Ann", duplicate=False, blocked=[])
    assert linky.reasons == ["mostly links"]
    assert spam.fingerprint("Hello,  WORLD!") == spam.fingerprint("hello world")


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1234:5678:9abc::1", "2001:db8:1234::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("not an address", ""),
    ],
)
def test_addresses_are_truncated(ip: str, network: str) -> None:
    assert addresses.truncate(ip) == network


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    factory = RequestFactory()
    direct = factory.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert addresses.client_ip(direct) == "198.51.100.9"
    proxied = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert addresses.client_ip(proxied) == "203.0.113.5"  # the left entry is the client's word


def test_avatars_are_drawn_here_and_hide_the_address(client: Client) -> None:
    key = avatars.key("Ann@Example.org", "Ann")
    assert key == avatars.key("ann@example.org", "someone else")
    assert "ann" not in key and len(key) == avatars.KEY_LENGTH
    response = client.get(f"/comments/avatar/{key}.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.decode() == avatars.svg(key) and "<script" not in avatars.svg(key)
    assert client.get("/comments/avatar/zz.svg").status_code == 404


# --- moderation end to end --------------------------------------------------------------------


def test_first_comment_is_held_and_the_emailed_link_approves_it(
    client: Client, newsroom: Newsroom, settings, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_PAGE_CACHE": True}
    settings.PAGE_CACHE_DIR = tmp_path / "pages"
    story = f"/story/{newsroom.flood.pk}"
    cached = tmp_path / "pages" / "testserver" / "story" / str(newsroom.flood.pk) / "index.html"
    assert client.get(story).status_code == 200 and cached.exists()

    response = send(
        client, newsroom.flood, name="Ann", email="Ann@Example.org", text="First time *here*."
    )
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING and comment.email == "ann@example.org"
    assert response["Location"].startswith(f"{story}?posted=")
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert cached.exists()  # nothing visible changed

    # The author sees it as waiting; the page itself does not show it.
    notice = client.get(response["Location"]).content.decode()
    assert "awaiting moderation" in notice and "First time <em>here</em>." in notice
    assert "First time" not in Client().get(story).content.decode()

    [message] = mail.outbox
    assert message.to == [MODERATOR] and "Ann" in message.subject
    links = _links(message)
    assert set(links) == {"approve", "delete", "mark as spam"}
    approve = _path(links["approve"])
    page = client.get(approve)  # opening the link changes nothing (mail scanners open links)
    assert page.status_code == 200 and "First time" in page.content.decode()
    assert Comment.objects.get().status == Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(approve).status_code == 200
    assert Comment.objects.get().status == Status.APPROVED
    assert not cached.exists()  # purged
    html = client.get(story).content.decode()
    assert "First time <em>here</em>." in html and "1 comment" in html
    assert "ann@example.org" not in html.lower()


def test_tampered_or_crossed_moderation_links_are_refused(
    client: Client, newsroom: Newsroom
) -> None:
    send(client, newsroom.flood, name="Ann", email="ann@example.org", text="Held.")
    links = _links(mail.outbox[0])
    approve = _path(links["approve"])
    tampered = approve[:-3] + ("aaa" if not approve.endswith("aaa") else "bbb")
    for url in (tampered, "/comments/moderate/not-a-token", approve.replace(":", ";", 1)):
        assert client.post(url).status_code == 400, url
    # A token for another row with the same id (created at another time) is refused too.
    comment = Comment.objects.get()
    forged = tokens.moderation(comment.pk, comment.created_at - timedelta(seconds=5), "approve")
    assert client.post(f"/comments/moderate/{forged}").status_code == 400
    assert Comment.objects.get().status == Status.PENDING
    assert client.post(_path(links["delete"])).status_code == 200
    assert not Comment.objects.exists()


def test_returning_commenter_goes_straight_through_unless_links_or_spam(
    client: Client, newsroom: Newsroom
) -> None:
    send(client, newsroom.flood, name="Ann", email="ann@example.org", text="First.")
    service.approve(Comment.objects.get())
    mail.outbox.clear()
    send(client, newsroom.flood, name="Ann", email="ANN@example.org", text="Second thoughts.")
    assert Comment.objects.latest("pk").status == Status.APPROVED and mail.outbox == []
    many = "See https://a.example, https://b.example and https://c.example for more detail."
    send(client, newsroom.flood, name="Ann", email="ann@example.org", text=many)
    held = Comment.objects.latest("pk")
    assert held.status == Status.PENDING and "3 links" in held.reasons
    two = "Both https://a.example and https://b.example say the same thing about the flood."
    send(client, newsroom.flood, name="Ann", email="ann@example.org", text=two)
    assert Comment.objects.latest("pk").status == Status.APPROVED
    send(client, newsroom.flood, name="Bo", email="", text="No address given.")
    assert Comment.objects.latest("pk").status == Status.PENDING


def test_moderation_modes(client: Client, newsroom: Newsroom, settings) -> None:
    configure(settings, MODERATION="none")
    send(client, newsroom.flood, name="Cy", text="Straight through.")
    assert Comment.objects.latest("pk").status == Status.APPROVED
    configure(settings, MODERATION="all")
    send(client, newsroom.flood, name="Cy", text="Held again.")
    assert Comment.objects.latest("pk").status == Status.PENDING


def test_spam_score_sends_to_spam_or_holds(client: Client, newsroom: Newsroom, settings) -> None:
    configure(settings, MODERATION="none", BLOCKED_WORDS="casino, cheap pills")
    send(client, newsroom.flood, name="Spammer", text="Best online CASINO bonus today")
    spammed = Comment.objects.latest("pk")
    assert spammed.status == Status.SPAM and "blocked word: casino" in spammed.reasons
    assert mail.outbox == []  # spam is not worth a moderator's e-mail
    send(client, newsroom.flood, name="Loud", text="THE COUNCIL IGNORED EVERY WARNING ABOUT THIS")
    assert Comment.objects.latest("pk").status == Status.PENDING
    send(client, newsroom.flood, name="Ann", text="An original remark about the flood.")
    send(client, newsroom.rates, name="Copy", text="An original remark about the flood!")
    assert Comment.objects.latest("pk").status == Status.SPAM  # a duplicate
    html = Client().get(f"/story/{newsroom.flood.pk}").content.decode()
    assert "CASINO" not in html and "COUNCIL" not in html


def test_honeypot_is_silently_discarded(client: Client, newsroom: Newsroom) -> None:
    response = send(client, newsroom.flood, homepage="http://spam.example", text="Bot text.")
    assert response.status_code == 303
    assert response["Location"] == f"/story/{newsroom.flood.pk}#comments"
    assert not Comment.objects.exists() and mail.outbox == []
    assert "newsdesk_comments" not in response.cookies


def test_min_time_uses_the_signed_stamp(client: Client, newsroom: Newsroom) -> None:
    too_fast = send(client, newsroom.flood, age=0.5)
    assert too_fast.status_code == 400 and "That was quick" in too_fast.content.decode()
    # The form comes back filled in, with a fresh stamp.
    assert "A thoughtful remark." in too_fast.content.decode()
    for stamp in ("", "12345", tokens.stamp(timezone.now()).replace(":", ":x")):
        assert send(client, newsroom.flood, stamp=stamp).status_code == 400
    # A page from the cache carries an old stamp: only more lenient.
    assert send(client, newsroom.flood, age=86_400).status_code == 303
    assert Comment.objects.count() == 1


def test_invalid_form_comes_back_with_errors(client: Client, newsroom: Newsroom) -> None:
    response = send(client, newsroom.flood, name="  ", website="javascript:alert(1)", text="x")
    assert response.status_code == 400
    body = response.content.decode()
    assert "errorlist" in body and not Comment.objects.exists()
    assert send(client, newsroom.flood, website="ftp://x.example").status_code == 400
    assert send(client, newsroom.flood, kind="nothing").status_code == 400
    assert send(client, newsroom.flood, target=999_999).status_code == 404


def test_comments_close_after_the_configured_days(
    client: Client, newsroom: Newsroom, settings
) -> None:
    bridge = newsroom.bridge  # first published ten days ago
    assert service.is_open(bridge, newsroom.now)
    assert not service.is_open(bridge, bridge.published_at + timedelta(days=14, seconds=1))
    assert send(client, bridge).status_code == 303
    configure(settings, CLOSE_DAYS=5)
    closed = send(client, bridge)
    assert closed.status_code == 403 and "closed" in closed.content.decode()
    assert Comment.objects.count() == 1
    page = client.get(f"/story/{bridge.pk}").content.decode()
    assert "Comments are closed." in page and "Leave a Reply" not in page
    configure(settings, CLOSE_DAYS=0)
    assert service.closes_at(bridge) is None and send(client, bridge).status_code == 303


def test_replies_nest_to_the_configured_depth(client: Client, newsroom: Newsroom, settings) -> None:
    configure(settings, MODERATION="none", MAX_DEPTH=2)
    story = newsroom.flood
    send(client, story, name="Top", text="Top level.")
    top = Comment.objects.latest("pk")
    reply_page = client.get(f"/comments/reply/{top.pk}")
    assert reply_page.status_code == 200 and f'name="parent" value="{top.pk}"' in (
        reply_page.content.decode()
    )
    assert send(client, story, name="Second", text="A reply.", parent=top.pk).status_code == 303
    second = Comment.objects.latest("pk")
    assert second.parent_id == top.pk and second.depth == 2
    refused = send(client, story, name="Third", text="Too deep.", parent=second.pk)
    assert refused.status_code == 400 and Comment.objects.count() == 2
    assert client.get(f"/comments/reply/{second.pk}").status_code == 403
    # A parent on another story cannot be borrowed.
    assert send(client, newsroom.rates, text="Elsewhere.", parent=top.pk).status_code == 400
    html = client.get(f"/story/{story.pk}").content.decode()
    assert f"/comments/reply/{top.pk}" in html and f"/comments/reply/{second.pk}" not in html
    data = client.get(f"/story/{story.pk}.json").json()["discussion"]
    assert data["count"] == 2 and data["thread"][0]["replies"][0]["name"] == "Second"


def test_edit_and_delete_within_the_window_from_the_same_browser(
    client: Client, newsroom: Newsroom, settings
) -> None:
    configure(settings, MODERATION="none")
    send(client, newsroom.flood, name="Ann", text="Frist!")
    comment = Comment.objects.get()
    assert "newsdesk_comments" in client.cookies
    edit = f"/comments/{comment.pk}/edit"
    assert "Frist!" in client.get(edit).content.decode()
    response = client.post(edit, {"text": "First!"})
    assert response.status_code == 303 and "?posted=" in response["Location"]
    comment.refresh_from_db()
    assert comment.text == "First!" and comment.edited_at is not None
    assert comment.status == Status.APPROVED
    assert "(edited)" in client.get(f"/story/{newsroom.flood.pk}").content.decode()
    # Another browser has no cookie; a forged cookie is worthless.
    assert Client().get(edit).status_code == 403
    other = Client()
    other.cookies["newsdesk_comments"] = tokens.edit_cookie([comment.pk]) + "x"
    assert other.post(edit, {"text": "Hijacked"}).status_code == 403
    # Links added by an edit go back to the queue.
    links = "https://a.example https://b.example https://c.example"
    client.post(edit, {"text": f"Now with links: {links}"})
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    # After the window, nothing changes (the clock is moved by moving the comment back).
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    assert client.post(edit, {"text": "Late"}).status_code == 403
    assert client.post(f"/comments/{comment.pk}/delete").status_code == 403
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now())
    assert client.post(f"/comments/{comment.pk}/delete").status_code == 303
    assert not Comment.objects.exists()


def test_can_edit_takes_the_time_given(newsroom: Newsroom) -> None:
    now = newsroom.now
    comment = service.submit(
        newsroom.flood, name="A", email="", website="", text="t", ip="", now=now
    )
    assert service.can_edit(comment, {comment.pk}, now + timedelta(minutes=15))
    assert not service.can_edit(comment, {comment.pk}, now + timedelta(minutes=15, seconds=1))
    assert not service.can_edit(comment, set(), now)
    service.mark_spam(comment)
    assert not service.can_edit(comment, {comment.pk}, now)


def test_deleting_a_comment_with_replies_keeps_the_thread(newsroom: Newsroom) -> None:
    now = newsroom.now
    top = service.submit(
        newsroom.flood,
        name="Ann",
        email="ann@example.org",
        website="",
        text="Top",
        ip="192.0.2.0/24",
        now=now,
    )
    service.approve(top)
    reply = service.submit(
        newsroom.flood, name="Bo", email="", website="", text="Reply", ip="", now=now, parent=top
    )
    service.approve(reply)
    service.erase(top)
    top.refresh_from_db()
    assert top.status == Status.REMOVED and top.name == top.text == top.email == top.ip == ""
    thread = service.discussion(newsroom.flood)["thread"]
    assert thread[0]["removed"] and thread[0]["replies"][0]["name"] == "Bo"
    assert service.discussion(newsroom.flood)["count"] == 1
    service.erase(reply)  # the empty parent goes with its last reply
    assert not Comment.objects.exists()


def test_delete_my_data_by_emailed_link(client: Client, newsroom: Newsroom) -> None:
    send(client, newsroom.flood, name="Ann", email="ann@example.org", text="One.")
    send(client, newsroom.rates, kind="story", name="Ann", email="ann@example.org", text="Two.")
    send(client, newsroom.flood, name="Bo", email="bo@example.org", text="Three.")
    for comment in Comment.objects.all():
        service.approve(comment)
    mail.outbox.clear()
    page = client.get("/comments/forget")
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    unknown = client.post("/comments/forget", {"email": "nobody@example.org"})
    known = client.post("/comments/forget", {"email": "ANN@example.org"})
    assert unknown.content == known.content  # says nothing of who commented
    [message] = mail.outbox
    assert message.to == ["ann@example.org"]
    link = _path(re.search(r"http://testserver/comments/forget/\S+", message.body)[0])
    assert client.get(link).status_code == 200 and Comment.objects.count() == 3
    assert client.post(link[:-2] + "xx").status_code == 400
    assert client.post(link).status_code == 200
    assert list(Comment.objects.values_list("name", flat=True)) == ["Bo"]


def test_addresses_are_stored_truncated_and_purged(
    client: Client, newsroom: Newsroom, settings
) -> None:
    send(client, newsroom.flood, addr="203.0.113.77", text="From IPv4.")
    send(client, newsroom.flood, addr="2001:db8:1234:5678::9", text="From IPv6.")
    assert sorted(Comment.objects.values_list("ip", flat=True)) == [
        "2001:db8:1234::/48",
        "203.0.113.0/24",
    ]
    assert not Comment.objects.filter(ip__contains="77").exists()
    assert set(Throttle.objects.values_list("key", flat=True)) == {
        "post:203.0.113.0/24",
        "post:2001:db8:1234::/48",
    }
    old = timezone.now() - timedelta(days=31)
    Comment.objects.filter(text="From IPv4.").update(created_at=old)
    Throttle.objects.filter(key__contains="203.0.113").update(last_at=old)
    assert tasks.purge_addresses.call_local() == 1
    assert dict(Comment.objects.values_list("text", "ip")) == {
        "From IPv4.": "",
        "From IPv6.": "2001:db8:1234::/48",
    }
    assert list(Throttle.objects.values_list("key", flat=True)) == ["post:2001:db8:1234::/48"]
    configure(settings, IP_DAYS=0)
    assert service.purge_addresses(timezone.now() + timedelta(seconds=1)) == 1


# --- pages, JSON twins, counts, feeds ---------------------------------------------------------


def test_pages_and_json_twins_carry_the_thread_and_counts(
    client: Client, newsroom: Newsroom, settings
) -> None:
    configure(settings, MODERATION="none")
    send(client, newsroom.flood, name="Ann", website="https://ann.example", text="Nice *one*.")
    send(client, newsroom.flood, name="Bo", text="Agreed.")
    send(client, newsroom.alpha, kind="article", name="Cy", text="On the article.")
    story = client.get(f"/story/{newsroom.flood.pk}").content.decode()
    assert "2 comments" in story and "Leave a Reply" in story
    assert '<a href="https://ann.example" rel="nofollow ugc">Ann</a>' in story
    assert "On the article." not in story
    assert f'href="/comments/story/{newsroom.flood.pk}/feed.rss"' in story
    article = client.get(f"/article/{newsroom.alpha.pk}").content.decode()
    assert "On the article." in article and 'name="kind" value="article"' in article
    twin = client.get(f"/story/{newsroom.flood.pk}.json").json()
    assert twin["comments"] == 2 and twin["discussion"]["open"] is True
    assert [c["name"] for c in twin["discussion"]["thread"]] == ["Ann", "Bo"]
    assert twin["discussion"]["thread"][0]["html"] == "<p>Nice <em>one</em>.</p>\n"
    assert "email" not in json.dumps(twin["discussion"])
    front = client.get("/index.json").json()
    counts = {s["id"]: s["comments"] for s in front["stories"]}
    assert counts[newsroom.flood.pk] == 2 and counts[newsroom.rates.pk] == 0
    assert f'href="/story/{newsroom.flood.pk}#comments">2 comments' in (
        client.get("/").content.decode()
    )
    assert client.get(f"/article/{newsroom.alpha.pk}.json").json()["discussion"]["count"] == 1


def test_comment_feed(client: Client, newsroom: Newsroom, settings) -> None:
    configure(settings, MODERATION="none")
    send(client, newsroom.flood, name="Ann", text="Published **one**.")
    configure(settings, MODERATION="all")
    send(client, newsroom.flood, name="Bo", text="Held one.")
    rss = client.get(f"/comments/story/{newsroom.flood.pk}/feed.rss")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(rss.content)
    assert [e.title for e in feed.entries] == ["Ann: Published one."]
    assert "<strong>one</strong>" in feed.entries[0].description
    assert feed.entries[0].link.endswith(
        f"/story/{newsroom.flood.pk}#comment-{Comment.objects.get(name='Ann').pk}"
    )
    atom = client.get(f"/comments/story/{newsroom.flood.pk}/feed.atom")
    assert feedparser.parse(atom.content).entries[0].title == "Ann: Published one."
    assert client.get("/comments/story/999999/feed.rss").status_code == 404


def test_comments_can_be_turned_off(client: Client, newsroom: Newsroom, settings) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_COMMENTS": False}
    page = client.get(f"/story/{newsroom.flood.pk}").content.decode()
    assert "Leave a Reply" not in page and 'id="comments"' not in page
    assert send(client, newsroom.flood).status_code == 404


def test_admin_queue_and_bulk_actions(
    client: Client, newsroom: Newsroom, settings, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    from django.contrib.auth.models import User

    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_PAGE_CACHE": True}
    settings.PAGE_CACHE_DIR = tmp_path / "pages"
    for i in range(3):
        send(client, newsroom.flood, name=f"R{i}", text=f"Queued remark number {i}.")
    ids = list(Comment.objects.order_by("pk").values_list("pk", flat=True))
    User.objects.create_superuser("admin", "admin@news.example", "pw-for-tests")
    admin = Client()
    admin.login(username="admin", password="pw-for-tests")
    queue = admin.get("/admin/comments/pendingcomment/")
    assert queue.status_code == 200 and "Queued remark number 2" in queue.content.decode()
    story = f"/story/{newsroom.flood.pk}"
    cached = tmp_path / "pages" / "testserver" / "story" / str(newsroom.flood.pk) / "index.html"
    assert Client().get(story).status_code == 200 and cached.exists()

    def act(action: str, pks: list[int]) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(
                "/admin/comments/comment/", {"action": action, "_selected_action": pks}
            )
        assert response.status_code == 302

    act("approve", ids[:2])
    assert not cached.exists()
    assert "Queued remark number 0" in Client().get(story).content.decode()
    act("mark_spam", [ids[1]])
    act("erase", [ids[0], ids[2]])
    assert dict(Comment.objects.values_list("pk", "status")) == {ids[1]: Status.SPAM}
    assert "Queued remark" not in Client().get(story).content.decode()
    assert admin.get("/admin/comments/pendingcomment/").content.decode().count("Queued") == 0
