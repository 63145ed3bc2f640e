"""The web requests' query time limit (newsdesk.site.querylimit), on the real database.

The test runs on whichever database the suite runs on (SQLite, or PostgreSQL in the second
CI pass), through Django's whole middleware stack, with a view whose query runs for longer
than the limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.urls import path

from newsdesk.site import querylimit

LIMIT = 0.3


def _slow_sql() -> str:
    """A statement that runs for several seconds and reads no table."""
    if connection.vendor == "postgresql":
        return "SELECT pg_sleep(5)"
    return (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 500000000) "
        "SELECT count(*) FROM n"
    )


def slow_view(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(_slow_sql())
        return JsonResponse({"count": cursor.fetchone()[0]})


def fast_view(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return JsonResponse({"one": cursor.fetchone()[0]})


urlpatterns = [path("slow", slow_view), path("fast", fast_view)]


@pytest.fixture
def limited(settings: object) -> Iterator[None]:
    """The limit on, as ``newsdesk serve`` turns it on, applied to this connection too."""
    settings.ROOT_URLCONF = __name__  # type: ignore[attr-defined]
    querylimit.enable(LIMIT)
    connection.ensure_connection()
    querylimit._on_connect(None, connection)  # the test's connection predates enable()
    try:
        yield
    finally:
        querylimit.enable(0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
        else:
            connection.connection.set_progress_handler(None, 0)


@pytest.mark.django_db(transaction=True)
def test_a_runaway_query_gets_a_503_and_the_next_request_works(limited: None) -> None:
    client = Client(raise_request_exception=False)
    slow = client.get("/slow")
    assert slow.status_code == 503
    assert slow["Retry-After"] == "5"
    assert "no-store" in slow["Cache-Control"]
    fast = client.get("/fast")
    assert fast.status_code == 200 and fast.json() == {"one": 1}


@pytest.mark.django_db(transaction=True)
def test_without_the_limit_nothing_is_cancelled(settings: object) -> None:
    settings.ROOT_URLCONF = __name__  # type: ignore[attr-defined]
    assert querylimit.limit() == 0.0
    response = Client().get("/fast")
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_new_connections_of_a_web_process_get_the_limit() -> None:
    querylimit.enable(LIMIT)
    fresh = connections.create_connection("default")
    try:
        fresh.ensure_connection()  # connection_created: the limit is set on it
        querylimit._state.deadline = time.monotonic() + LIMIT
        with pytest.raises(Exception) as raised, fresh.cursor() as cursor:
            cursor.execute(_slow_sql())
        assert querylimit.cancelled(raised.value)
    finally:
        querylimit._state.deadline = None
        querylimit.enable(0)
        fresh.close()


def test_other_errors_are_not_taken_for_a_cancelled_query() -> None:
    from django.db import IntegrityError, OperationalError

    assert not querylimit.cancelled(IntegrityError("duplicate key"))
    assert not querylimit.cancelled(OperationalError("database is locked"))
    assert not querylimit.cancelled(ValueError("interrupted"))
