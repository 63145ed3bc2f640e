"""Site template lines: short lines that repeat across a site's articles are dropped."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from newsdesk.pipeline import site_template
from newsdesk.pipeline.extract import Extracted, prose_words
from newsdesk.pipeline.site_template import (
    MAX_WORDS,
    line_key,
    line_keys,
    strip_template,
    template_lines,
)
from newsdesk.stories import service, site_lines, tasks
from newsdesk.stories.models import Article, SiteLine
from newsdesk.stories.service import store_article, text_hash

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOST = "harbour-gazette.example"
NEWSLETTER = "Sign up for our free morning newsletter to get the day's top stories."

# The invented Harbour Gazette's own reporting: two paragraphs an article, none shared.
OWN = [
    (
        "The ferry between Port Calloway and Skerry Island will run twice a day from March, "
        "the harbour board said on Thursday, after a winter of cancelled crossings.",
        "Islanders had asked for a second sailing for years. The board said a leased vessel "
        "would cover the morning run until the new ferry is delivered next autumn.",
    ),
    (
        "Port Calloway's main library reopened on Saturday after an 18-month renovation that "
        "added a children's wing, a makerspace and a rooftop reading garden.",
        "More than two thousand people visited on the first day, the city said, and the "
        "queue for new library cards reached the end of Mill Street before noon.",
    ),
    (
        "Fishing crews in the outer harbour reported their best mackerel season in a decade, "
        "with landings up by almost a third on last year, the fishermen's cooperative said.",
        "Cooperative members credited cooler water and a ban on trawling near the sandbanks, "
        "though buyers warned that prices at the quayside market had fallen as a result.",
    ),
    (
        "A fire in a disused warehouse on the Eastern Docks was brought under control early "
        "on Wednesday, and no one was hurt, the regional fire service said.",
        "Residents of nearby streets were told to keep their windows closed overnight while "
        "crews damped down the roof, which collapsed shortly after two in the morning.",
    ),
    (
        "The town council voted on Monday to turn the old tram depot into forty affordable "
        "flats, ending a dispute over the site that had lasted almost six years.",
        "Councillors who opposed the plan wanted a market hall instead. Work is expected to "
        "start in the spring once the building has been surveyed for asbestos.",
    ),
    (
        "Calloway Rovers won promotion to the regional first division on Saturday with a "
        "two-nil win over Millbrook, their first promotion since the club was founded.",
        "The club's manager, a former harbour pilot, said the squad would celebrate with a "
        "parade along the seafront on Sunday afternoon, weather permitting.",
    ),
]
# Another site, which carries the very same newsletter prompt.
OTHER_HOST_OWN = (
    "Lighthouse keepers on the northern headland marked the tower's two hundredth year on "
    "Friday with an open day that drew walkers from across the county.",
    "The keepers' association said the lamp, now automated, still runs on the original "
    "rotating mechanism, which is oiled by hand every month.",
)


def with_prompt(own: tuple[str, str]) -> str:
    return "\n".join([own[0], NEWSLETTER, own[1]])


def store(host: str, path: str, text: str, at: datetime = NOW) -> Article:
    url = f"https://{host}/{path}"
    page = Extracted(
        url=url,
        canonical_url=url,
        title=f"Harbour news: {path}",
        text=text,
        word_count=prose_words(text),
    )
    article = store_article(page, source_id=None, now=at)
    assert article is not None
    article.refresh_from_db()
    return article


def store_site(count: int = 6) -> list[Article]:
    return [
        store(f"www.{HOST}", f"news/{i}", with_prompt(OWN[i]), NOW + timedelta(hours=i))
        for i in range(count)
    ]


def counts(host: str = HOST) -> dict[int, int]:
    return dict(SiteLine.objects.filter(host=host).values_list("key", "articles"))


# The pure rules.


def test_line_key_is_a_stable_positive_63_bit_hash() -> None:
    key = line_key(NEWSLETTER)
    # Stored keys must mean the same line across releases and processes (not hash()).
    assert key == 461_201_571_937_720_370
    assert 0 < key < 2**63


def test_line_key_normalises_case_spaces_and_digits() -> None:
    assert line_key("  Sign UP for our\tfree morning newsletter ") == line_key(
        "sign up for our free morning newsletter"
    )
    assert line_key("© 2024 Harbour Gazette Media") == line_key("© 2025 Harbour Gazette Media")
    assert line_key("Call 0800 123 456") == line_key("Call 1 2 3")
    assert line_key("© 2024 Harbour Gazette Media") != line_key("© Harbour Gazette Media")
    assert line_key("Sign up for our newsletter") != line_key("Sign up for our podcast")


def test_line_key_is_never_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    class ZeroDigest:
        def __init__(self, data: bytes, digest_size: int) -> None:
            pass

        def digest(self) -> bytes:
            return bytes(8)

    monkeypatch.setattr(site_template.hashlib, "blake2b", ZeroDigest)
    assert line_key("anything") == 1


def test_line_keys_are_the_short_non_blank_lines() -> None:
    long_line = " ".join(["word"] * (MAX_WORDS + 1))
    limit_line = " ".join(["term"] * MAX_WORDS)
    text = f"First line.\n\n   \n{long_line}\n{limit_line}\nFirst line."
    keys = line_keys(text)
    assert keys == {line_key("First line."): "First line.", line_key(limit_line): limit_line}


@pytest.mark.parametrize(
    ("count", "seen", "template"),
    [
        (3, 5, True),  # the least evidence that counts
        (2, 5, False),  # too few repeats
        (3, 4, False),  # too few articles of the site seen
        (3, 15, True),  # exactly a fifth
        (3, 16, False),  # under a fifth
        (40, 200, True),
        (39, 200, False),
        (0, 50, False),
    ],
)
def test_thresholds(count: int, seen: int, template: bool) -> None:
    text = f"{OWN[0][0]}\n{NEWSLETTER}"
    got = template_lines(text, {line_key(NEWSLETTER): count}, seen)
    assert got == ({line_key(NEWSLETTER)} if template else set())


def test_long_paragraphs_are_never_template() -> None:
    long_paragraph = " ".join([OWN[0][0], OWN[0][1], OWN[1][0]])
    assert len(long_paragraph.split()) > MAX_WORDS
    text = f"{long_paragraph}\n{NEWSLETTER}\n{OWN[2][0]}"
    every_line = {line_key(line): 100 for line in text.split("\n")}
    assert template_lines(text, every_line, 100) == {line_key(NEWSLETTER), line_key(OWN[2][0])}
    # Even when asked to, stripping leaves a long paragraph alone.
    assert strip_template(text, {line_key(long_paragraph)}) == text


def test_strip_template_drops_only_template_lines_and_their_blank_separators() -> None:
    text = f"{NEWSLETTER}\n\n{OWN[0][0]}\n\n{NEWSLETTER}\n\n{OWN[0][1]}\n\n{NEWSLETTER}"
    assert strip_template(text, {line_key(NEWSLETTER)}) == f"{OWN[0][0]}\n\n{OWN[0][1]}"
    plain = with_prompt(OWN[1])
    assert strip_template(plain, {line_key(NEWSLETTER)}) == "\n".join(OWN[1])
    assert strip_template(plain, set()) == plain
    assert strip_template(plain, {line_key("a line not in the text")}) == plain


def test_strip_template_keeps_the_text_when_template_is_over_half_of_it() -> None:
    menu = ["Home", "World news", "Sport and leisure", "Sign in to your account"]
    own = "Six words of the article itself."
    template = {line_key(line) for line in menu}
    # 11 template words against 6: the extractor caught the page's furniture.
    text = "\n".join([*menu, own])
    assert strip_template(text, template) == text
    # Exactly half (6 of 12) is still stripped.
    text = "\n".join(["Home", "Sign in to your account", own])
    assert strip_template(text, template) == own


# In the database.


@pytest.mark.django_db
def test_a_line_repeated_across_a_site_is_dropped_from_its_later_articles() -> None:
    articles = store_site(6)
    for article in articles[:5]:  # before MIN_SEEN articles of the site, nothing is judged
        assert NEWSLETTER in article.paragraphs
    sixth = articles[5]
    assert NEWSLETTER not in sixth.text
    assert sixth.paragraphs == list(OWN[5])
    assert sixth.text == "\n".join(OWN[5])
    assert sixth.word_count == prose_words(sixth.text)
    assert sixth.text_hash == text_hash("\n".join(OWN[5]))
    # Another site's article with the same line keeps it: counts are per host.
    other = store("lighthouse-post.example", "keepers", with_prompt(OTHER_HOST_OWN))
    assert other.paragraphs == [OTHER_HOST_OWN[0], NEWSLETTER, OTHER_HOST_OWN[1]]


@pytest.mark.django_db
def test_counts_equal_the_number_of_articles_holding_each_line() -> None:
    store_site(6)
    stored = counts()
    assert stored[site_lines.ARTICLES_KEY] == 6
    # Counted before stripping: the sixth article, stored without it, still counts.
    assert stored[line_key(NEWSLETTER)] == 6
    for own in OWN:
        assert stored[line_key(own[0])] == stored[line_key(own[1])] == 1
    assert len(stored) == 1 + 1 + 2 * len(OWN)
    assert not SiteLine.objects.filter(host=f"www.{HOST}").exists()
    assert SiteLine.objects.get(host=HOST, key=line_key(NEWSLETTER)).seen_at == NOW + timedelta(
        hours=5
    )


@pytest.mark.django_db
def test_a_line_twice_in_one_article_counts_once() -> None:
    text = f"{OWN[0][0]}\n{NEWSLETTER}\n{OWN[0][1]}\n{NEWSLETTER.upper()}"
    site_lines.clean_site_text(HOST, text, NOW)
    site_lines.clean_site_text(HOST, text, NOW)
    stored = counts()
    assert stored[site_lines.ARTICLES_KEY] == 2
    assert stored[line_key(NEWSLETTER)] == 2


@pytest.mark.django_db
def test_an_article_another_worker_stored_first_is_not_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = store(HOST, "news/0", with_prompt(OWN[0]))
    # As if another worker stored it between the check and the insert: the insert fails,
    # and the counts recorded in the same transaction are rolled back with it.
    monkeypatch.setattr(service, "known_article", lambda *args: False)
    page = Extracted(url=first.url, canonical_url=first.canonical_url, title="again", text="x")
    assert store_article(page, source_id=None, now=NOW) is None
    assert counts() == {
        site_lines.ARTICLES_KEY: 1,
        line_key(NEWSLETTER): 1,
        line_key(OWN[0][0]): 1,
        line_key(OWN[0][1]): 1,
    }


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_lose_no_count() -> None:
    errors: list[Exception] = []

    def worker(i: int) -> None:
        try:
            for j in range(3):
                own = OWN[(i + j) % len(OWN)]
                store(HOST, f"w{i}/{j}", with_prompt(own), NOW + timedelta(minutes=i))
        except Exception as err:
            errors.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Article.objects.count() == 12
    stored = counts()
    assert stored[site_lines.ARTICLES_KEY] == 12
    assert stored[line_key(NEWSLETTER)] == 12
    assert sum(stored[line_key(own[0])] for own in OWN) == 12


@pytest.mark.django_db
def test_prune_deletes_only_old_lines_seen_too_rarely_to_be_template() -> None:
    old = NOW - timedelta(days=31)
    recent = NOW - timedelta(days=29)
    rows = {
        ("a.example", 11): (1, old),  # deleted
        ("b.example", 11): (1, old),  # deleted: every host
        ("a.example", 12): (2, old),  # below MIN_REPEATS: deleted
        ("a.example", 14): (3, old),  # template-sized: kept
        ("a.example", 13): (1, recent),  # recent: kept
        ("a.example", 0): (1, old),  # a host's article count: kept
    }
    SiteLine.objects.bulk_create(
        SiteLine(host=host, key=key, articles=n, seen_at=at)
        for (host, key), (n, at) in rows.items()
    )
    assert site_lines.prune(NOW) == 3
    left = set(SiteLine.objects.values_list("host", "key"))
    assert left == {("a.example", 14), ("a.example", 13), ("a.example", 0)}
    assert site_lines.prune(NOW) == 0


@pytest.mark.django_db
def test_the_daily_job_prunes() -> None:
    SiteLine.objects.create(host=HOST, key=5, articles=1, seen_at=NOW - timedelta(days=3650))
    SiteLine.objects.create(host=HOST, key=0, articles=1, seen_at=NOW - timedelta(days=3650))
    assert tasks.prune_site_lines.call_local() == 1
    assert list(SiteLine.objects.values_list("key", flat=True)) == [0]


@pytest.mark.django_db
def test_with_the_setting_off_texts_are_kept_whole(settings) -> None:
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_SITE_TEMPLATE": False}
    articles = store_site(6)
    for i, article in enumerate(articles):
        assert article.text == with_prompt(OWN[i])
        assert article.paragraphs == [OWN[i][0], NEWSLETTER, OWN[i][1]]
    assert not SiteLine.objects.exists()


@pytest.mark.parametrize(
    ("seen", "due"),
    [
        (0, False),
        (4, False),
        (5, True),
        (6, False),
        (10, True),
        (15, False),
        (20, True),
        (40, True),
    ],
)
def test_a_backfill_starts_at_min_seen_and_at_each_doubling(seen: int, due: bool) -> None:
    assert site_lines.backfill_due(seen) is due


@pytest.mark.django_db
def test_a_sites_first_articles_lose_the_template_its_later_ones_reveal(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        articles = store_site(6)
    assert len(callbacks) == 1  # the sixth article started one backfill (the queue runs it)
    for i, article in enumerate(articles):
        article.refresh_from_db()
        assert article.text == "\n".join(OWN[i])
        assert article.word_count == prose_words(article.text)
        assert article.text_hash == text_hash(article.text)
    assert all(a.story.summary_due for a in articles if a.story is not None)
    # The counts are untouched: a backfill counts nothing again.
    assert counts()[line_key(NEWSLETTER)] == 6 and counts()[site_lines.ARTICLES_KEY] == 6


@pytest.mark.django_db
def test_a_backfill_leaves_other_sites_and_old_articles_alone() -> None:
    old = store(
        HOST, "old", with_prompt(OWN[0]), NOW - timedelta(days=site_lines.BACKFILL_DAYS + 1)
    )
    other = store("lighthouse-post.example", "keepers", with_prompt(OTHER_HOST_OWN))
    store_site(6)
    # The old article counts: the fifth new one was judged (and cleaned) when stored.
    assert site_lines.backfill(HOST, NOW + timedelta(hours=6)) == 4
    old.refresh_from_db()
    other.refresh_from_db()
    assert NEWSLETTER in old.paragraphs and NEWSLETTER in other.paragraphs
    assert site_lines.backfill(HOST, NOW + timedelta(hours=6)) == 0  # nothing left to do
