"""Settings for the test run: a throw-away data folder and an in-process job queue."""

import os
import tempfile

os.environ.setdefault("NEWSDESK_DATA_DIR", tempfile.mkdtemp(prefix="newsdesk-test-"))
os.environ.setdefault("NEWSDESK_SECRET_KEY", "test-only-secret-key-" + "x" * 40)

from newsdesk.settings import *  # noqa: F403

# Jobs run at once, in the caller's thread, on an in-memory queue.
HUEY = {**HUEY, "immediate": True}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
