"""Fast polling keeps every record and every politeness rule: batches, claims, lanes."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from fault_server import Reply, fault_server, rss
from newsdesk.cli import main
from newsdesk.ingest import politeness
from newsdesk.ingest.models import FetchLog, Host, Source
from newsdesk.ingest.politeness import HostBusyError, Rules, _try_claim, request_slot
from newsdesk.ingest.service import Batch, Options, polite_fetch, poll_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def server():
    with fault_server() as srv:
        yield srv


def conditional_feed(server, path: str) -> str:
    """A feed with an ETag that answers 304 to a matching If-None-Match."""
    body = rss([], server.base)
    server.route(
        path,
        lambda h: (
            Reply(304)
            if h.headers.get("If-None-Match") == '"v1"'
            else Reply(200, body, {"ETag": '"v1"', "Content-Type": "application/rss+xml"})
        ),
    )
    return server.base + path


def poll_all(sources: list[Source], batch: Batch) -> list[str]:
    opts = Options.from_settings()
    with opts.client() as client:
        return [poll_source(s, client, timezone.now(), opts, batch=batch).outcome for s in sources]


def test_a_batch_writes_its_polls_together_and_loses_none(server) -> None:
    sources = [Source.objects.create(url=conditional_feed(server, f"/{n}.xml")) for n in range(3)]
    batch = Batch(rows=100, seconds=3600)
    assert poll_all(sources, batch) == ["ok", "ok", "ok"]
    assert not FetchLog.objects.exists()  # held back...
    assert set(Source.objects.values_list("last_status", flat=True)) == {""}
    batch.flush()  # ...and written at once
    assert FetchLog.objects.filter(outcome="ok", http_status=200).count() == 3
    assert set(Source.objects.values_list("etag", "last_status")) == {('"v1"', "ok")}
    assert poll_all(sources, batch) == ["not_modified"] * 3
    batch.flush()
    assert FetchLog.objects.filter(outcome="not_modified", http_status=304).count() == 3
    for source in Source.objects.all():
        assert source.last_status == "not_modified" and source.next_fetch_at > timezone.now()


def test_a_full_batch_writes_itself(server) -> None:
    sources = [Source.objects.create(url=conditional_feed(server, f"/{n}.xml")) for n in range(5)]
    batch = Batch(rows=2, seconds=3600)
    poll_all(sources, batch)
    assert FetchLog.objects.count() == 4 and len(batch.logs) == 1


def test_a_poll_leaves_fields_it_did_not_change_alone(server) -> None:
    source = Source.objects.create(url=conditional_feed(server, "/feed.xml"))
    # An editor retires the source and files it elsewhere while a poll of the old row runs.
    Source.objects.filter(pk=source.pk).update(active=False, section="Sport")
    poll_all([source], Batch())
    source.refresh_from_db()
    assert not source.active and source.section == "Sport"
    assert source.last_status == "ok" and source.etag == '"v1"'


@pytest.mark.django_db(transaction=True)
def test_a_source_deleted_before_its_batch_is_written_drops_only_its_rows(server) -> None:
    sources = [Source.objects.create(url=conditional_feed(server, f"/{n}.xml")) for n in range(3)]
    batch = Batch(rows=100, seconds=3600)
    poll_all(sources, batch)
    sources[1].delete()  # in the admin, meanwhile
    batch.flush()
    assert sorted(FetchLog.objects.values_list("source_id", flat=True)) == sorted(
        [sources[0].pk, sources[2].pk]
    )
    assert Source.objects.filter(last_status="ok").count() == 2


@pytest.mark.django_db(transaction=True)
def test_fetch_once_records_every_poll_and_keeps_the_gap(settings, capsys) -> None:
    gap = 0.2
    settings.NEWSDESK = {
        **settings.NEWSDESK,
        "NEWSDESK_HOST_MIN_GAP": gap,
        "NEWSDESK_FETCH_PROCESSES": 2,
    }
    with fault_server() as one, fault_server("127.0.0.2") as two:
        for srv in (one, two):
            for n in range(3):
                Source.objects.create(url=conditional_feed(srv, f"/{n}.xml"))
        assert main(["fetch", "--once"]) == 0
        assert main(["fetch", "--once", "--force"]) == 0
    err = capsys.readouterr().err
    assert err.count("not modified") == 6 and "polled 6 sources, 0 failed" in err
    assert FetchLog.objects.filter(outcome="ok").count() == 6
    assert FetchLog.objects.filter(outcome="not_modified").count() == 6
    for srv in (one, two):
        starts = sorted(t for t, _, _ in srv.log)
        assert len(starts) == 7  # robots.txt once, then each feed twice
        assert all(b - a >= gap * 0.99 for a, b in itertools.pairwise(starts))
    # Every host is free again, its next start one gap after its last request.
    for host in Host.objects.all():
        assert host.next_request_at < timezone.now() + timedelta(seconds=gap)


def test_a_request_in_flight_keeps_others_off_the_host(server) -> None:
    url = server.base + "/x"
    rules = Rules(min_gap=0.0, max_wait=0.2)
    with (
        request_slot(url, rules),
        pytest.raises(HostBusyError),
        request_slot(url, rules, sleep=lambda s: None),
    ):
        pass
    with request_slot(url, rules):  # free again once the first one ended
        pass


def test_a_request_that_outlived_its_lease_does_not_free_the_next_one(server) -> None:
    url = server.base + "/x"
    rules = Rules(min_gap=0.0, max_wait=0.2)
    with request_slot(url, rules) as host:
        # This process stalled past the lease: another worker has claimed the host since.
        taken = timezone.now() + timedelta(minutes=5)
        Host.objects.filter(pk=host.pk).update(next_request_at=taken)
    assert Host.objects.get(pk=host.pk).next_request_at == taken
    with pytest.raises(HostBusyError), request_slot(url, rules, sleep=lambda s: None):
        pass


def test_a_claim_left_by_a_dead_process_frees_the_host_after_its_lease(server) -> None:
    url = server.base + "/x"
    rules = Rules(min_gap=0.0, max_wait=0.1, lease=0.5)
    with request_slot(url, rules) as host:
        pass
    # A process claims the host and dies mid-request: nothing ever releases the claim.
    assert _try_claim(host, rules, timezone.now()) == 0
    with pytest.raises(HostBusyError), request_slot(url, rules, sleep=lambda s: None):
        pass
    with request_slot(url, replace(rules, max_wait=5.0)):  # the lease runs out: free again
        pass


def test_the_lease_outlasts_any_live_request() -> None:
    s = settings.NEWSDESK
    lease = Options.from_settings().rules.lease
    assert lease > s["NEWSDESK_FETCH_TOTAL_TIMEOUT"] + s["NEWSDESK_FETCH_TIMEOUT"]
    assert lease < 300  # and a killed worker's hosts are free again within minutes


def test_a_pause_set_meanwhile_stops_the_next_request(server) -> None:
    url = server.base + "/x"
    rules = Rules(min_gap=0.0, max_wait=0.2)
    with request_slot(url, rules) as host:
        pass
    Host.objects.filter(pk=host.pk).update(
        paused_until=timezone.now() + timedelta(hours=1), pause_reason="by an editor"
    )
    with (
        pytest.raises(HostBusyError, match="by an editor"),
        request_slot(url, rules, sleep=lambda s: None),
    ):
        pass


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("concurrency", [1, 2])
def test_requests_in_flight_never_exceed_the_host_limit(server, concurrency) -> None:
    lock, state = threading.Lock(), {"now": 0, "most": 0}

    def slow(handler):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.2)
        with lock:
            state["now"] -= 1
        return Reply(200, b"ok")

    server.route("/slow", slow)
    opts = Options.from_settings(rules=Rules(min_gap=0.05, concurrency=concurrency))

    def worker() -> None:
        try:
            with opts.client() as client:
                polite_fetch(client, server.base + "/slow", opts)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts = sorted(t for t, p, _ in server.log if p == "/slow")
    assert len(starts) == 4 and state["most"] <= concurrency
    if concurrency == 1:  # each began a gap after the previous one ended (and so arrived)
        assert all(b - a >= 0.24 for a, b in itertools.pairwise(starts))


def test_a_gap_this_process_set_is_waited_out_without_asking(
    server, monkeypatch, django_assert_max_num_queries
) -> None:
    monkeypatch.setattr(politeness, "_GAP_ENDS", {})  # this test's long gap stays here
    url = server.base + "/x"
    with request_slot(url, Rules(min_gap=30.0)):
        pass
    slept: list[float] = []
    with (
        django_assert_max_num_queries(1),  # reading the Host row, nothing else
        pytest.raises(HostBusyError),
        request_slot(url, Rules(min_gap=30.0, max_wait=1.0), sleep=slept.append),
    ):
        pass
    assert slept == []  # 30 s to go is more than it may wait: it says so at once
