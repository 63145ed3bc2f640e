"""A time limit on the database work of one web request.

A page whose query runs away (a search over a million articles, a plan gone wrong) would
hold a web worker and a database connection long after the reader has given up, and
gunicorn's own timeout kills the worker but not the query. With the limit on, the query is
cancelled by the database itself and the reader gets "503 Service Unavailable" with a
Retry-After header, at once; every other request goes on.

- PostgreSQL: ``SET statement_timeout`` on each new connection of the web processes.
- SQLite: a progress handler, called every few thousand virtual-machine steps, interrupts
  the statement once the request's deadline has passed.

Only the web server turns the limit on (:func:`enable`, from ``newsdesk serve``); jobs in
workers may run as long as they need. The middleware is always installed and does nothing
while the limit is off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import OperationalError
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse

_PROGRESS_STEPS = 10_000  # SQLite virtual-machine steps between two looks at the clock
_RETRY_AFTER_SECONDS = 5
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a cancelled statement

_state = threading.local()  # .deadline: monotonic time the current request must end by
_current = {"seconds": 0.0}  # the limit of this process (0.0: off)


def enable(seconds: float) -> None:
    """Limit each web request's queries to ``seconds`` (0 or less: no limit).

    Call before the web process opens its connections (they get the limit when created).
    """
    _current["seconds"] = max(0.0, float(seconds))
    if _current["seconds"]:
        connection_created.connect(_on_connect, dispatch_uid="newsdesk-query-limit")
    else:
        connection_created.disconnect(dispatch_uid="newsdesk-query-limit")


def limit() -> float:
    """The limit in seconds (0.0 when off)."""
    return _current["seconds"]


def _on_connect(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(_current['seconds'] * 1000)}")
    elif connection.vendor == "sqlite":
        connection.connection.set_progress_handler(_past_deadline, _PROGRESS_STEPS)


def _past_deadline() -> int:
    """SQLite's progress handler: non-zero interrupts the running statement."""
    deadline = getattr(_state, "deadline", None)
    return 1 if deadline is not None and time.monotonic() > deadline else 0


def cancelled(error: BaseException) -> bool:
    """Was this database error a statement cancelled by the limit?"""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == _QUERY_CANCELED:
        return True
    return "interrupted" in str(error).lower()


class QueryLimitMiddleware:
    """Sets the request's deadline; answers 503 when a query was cancelled by it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = _current["seconds"]
        if not seconds:
            return self.get_response(request)
        _state.deadline = time.monotonic() + seconds
        try:
            return self.get_response(request)
        finally:
            _state.deadline = None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not cancelled(exception):
            return None
        response = HttpResponse(
            "This page took too long to prepare. Please try again in a moment.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(_RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
