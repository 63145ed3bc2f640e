"""Page caches on several machines: a change made on one purges the pages of every other
through the purge log, and each machine's keeper also expires pages nginx would keep."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from newsdesk.site import cache, cache_sync
from newsdesk.site.models import PagePurge
from newsroom import Newsroom, build

HOST = "news.example"


@pytest.fixture
def machines(settings, tmp_path: Path) -> dict[str, Path]:
    """Two web machines' cache folders; machine "a" is the current one."""
    settings.NEWSDESK = {**settings.NEWSDESK, "NEWSDESK_PAGE_CACHE": True}
    folders = {name: tmp_path / name / "pages" for name in ("a", "b")}
    settings.PAGE_CACHE_DIR = folders["a"]
    return folders


def on(settings, machines: dict[str, Path], name: str) -> None:
    settings.PAGE_CACHE_DIR = machines[name]


def cached(path: str) -> Path:
    name = cache.relative(HOST, path)
    assert name is not None
    assert cache.store(HOST, path, b"<p>page</p>", cache.generation()) is not None
    return cache.root() / name


@pytest.mark.django_db
def test_a_change_on_one_machine_purges_the_other_machines_pages(settings, machines) -> None:
    room: Newsroom = build()
    on(settings, machines, "b")
    keeper = cache_sync.Follower()
    keeper.follow()  # the keeper takes its place in the log
    front, flood, rates = (
        cached("/"),
        cached(f"/story/{room.flood.pk}"),
        cached(f"/story/{room.rates.pk}"),
    )
    on(settings, machines, "a")  # a worker on machine a: the flood story changes
    room.flood.title = "Port Calloway flood: water recedes"
    room.flood.save()
    on(settings, machines, "b")
    assert front.exists() and flood.exists()  # machine b has not looked yet
    assert keeper.follow() >= 1
    assert not front.exists() and not flood.exists()  # the listing and the story's page
    assert rates.exists()  # another story's page stays
    assert keeper.follow() == 0  # read once


@pytest.mark.django_db
def test_a_machine_skips_the_purges_it_made_itself(settings, machines) -> None:
    room: Newsroom = build()
    keeper = cache_sync.Follower()
    keeper.follow()
    room.flood.save()  # made here: purged here after the commit, not again by the keeper
    rates = cached(f"/story/{room.rates.pk}")
    front = cached("/")
    assert keeper.follow() >= 1
    assert front.exists() and rates.exists()


@pytest.mark.django_db
def test_a_keeper_back_after_too_long_empties_its_folder(settings, machines) -> None:
    keeper = cache_sync.Follower()
    keeper.follow()
    page = cached("/")
    keeper.checked -= cache_sync.KEEP_LOG.total_seconds()  # asleep past the log's reach
    keeper.follow()
    assert not page.exists()


@pytest.mark.django_db
def test_old_purge_rows_are_pruned() -> None:
    old = PagePurge.objects.create(origin="x")
    PagePurge.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    fresh = PagePurge.objects.create(origin="x")
    assert cache_sync.prune() == 1
    assert list(PagePurge.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_a_folder_keeps_one_name(settings, machines) -> None:
    first = cache_sync.origin()
    assert cache_sync.origin() == first and len(first) == 32
    on(settings, machines, "b")
    assert cache_sync.origin() != first


@pytest.mark.django_db(transaction=True)
def test_the_keeper_thread_follows_the_log_and_expires_old_pages(settings, machines) -> None:
    room: Newsroom = build()
    on(settings, machines, "b")
    old = cached("/sources")
    os.utime(old, (time.time() - 2 * cache.LIFETIME,) * 2)
    flood = cached(f"/story/{room.flood.pk}")
    stop = cache_sync.keep_in_thread(interval=0.05, expire_every=0.0)
    try:
        deadline = time.monotonic() + 20
        while old.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not old.exists()  # past its lifetime: gone, as nginx cannot tell
        flood = cached(f"/story/{room.flood.pk}")
        PagePurge.objects.create(origin="another machine", story_ids=[room.flood.pk])
        while flood.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not flood.exists()
    finally:
        stop()
    connection.close()
