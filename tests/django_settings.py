"""Settings for the test run: a throw-away data folder and an in-process job queue."""

import os
import tempfile

os.environ.setdefault("NEWSDESK_DATA_DIR", tempfile.mkdtemp(prefix="newsdesk-test-"))
os.environ.setdefault("NEWSDESK_SECRET_KEY", "test-only-secret-key-" + "x" * 40)

from newsdesk.settings import *  # noqa: F403
from newsdesk.settings import DATABASES, HUEY, LOGGING, NEWSDESK

# A file database, so that threads (fetch --once runs hosts in parallel) share it.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(os.environ["NEWSDESK_DATA_DIR"], "test.sqlite3")
    }

# Jobs run at once, in the caller's thread, on an in-memory queue.
HUEY = {**HUEY, "immediate": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The fixture servers live on loopback, and tests should not wait between requests.
NEWSDESK = {
    **NEWSDESK,
    "NEWSDESK_ALLOW_PRIVATE_NETWORKS": True,
    "NEWSDESK_HOST_MIN_GAP": 0.0,
    # Test transactions are private to their connection: keep every lane in this process.
    "NEWSDESK_FETCH_PROCESSES": 1,
    # Cached pages would outlive a test's data; tests/test_page_cache.py turns it on.
    "NEWSDESK_PAGE_CACHE": False,
}

# pytest captures log records itself; a console handler would write to closed captures.
LOGGING = {**LOGGING, "root": {"handlers": [], "level": "INFO"}}
