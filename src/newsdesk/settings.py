"""Django settings, built from newsdesk's own settings table (see config.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from newsdesk import config

_VALUES = config.values()
DATA_DIR = config.data_dir(_VALUES)
NEWSDESK = _VALUES
BASE_DIR = Path(__file__).resolve().parent


def database_config(url: str, data_dir: Path) -> dict[str, Any]:
    """A Django DATABASES entry from a URL; SQLite in the data folder when empty."""
    if not url or url.startswith("sqlite:"):
        path = unquote(urlsplit(url).path).removeprefix("/") if url else ""
        name = Path(path) if path else data_dir / "newsdesk.sqlite3"
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(name),
            # WAL lets the site read while a worker writes; IMMEDIATE transactions
            # take the write lock up front so concurrent writers wait instead of failing.
            "OPTIONS": {
                # mmap and a 32 MB page cache: reads (pages, search) come from memory.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA mmap_size=268435456; PRAGMA cache_size=-32000;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            # Kept open between requests: a new connection starts with a cold page cache.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise config.ConfigError(f"DATABASE_URL: unsupported scheme {parts.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def queue_config(url: str, data_dir: Path) -> dict[str, Any]:
    """The huey settings for a queue URL; a SQLite queue in the data folder when empty."""
    consumer = {
        "workers": _VALUES["NEWSDESK_QUEUE_WORKERS"] or 2 * (os.cpu_count() or 1),
        "worker_type": _VALUES["NEWSDESK_QUEUE_WORKER_TYPE"],
    }
    if not url or url.startswith("sqlite:"):
        path = unquote(urlsplit(url).path).removeprefix("/") if url else ""
        filename = path or str(data_dir / "queue.sqlite3")
        return {
            # Jobs are acknowledged once run, so a killed worker's jobs run again.
            "huey_class": "newsdesk.queue_sqlite.AckedSqliteHuey",
            "name": "newsdesk",
            "filename": filename,
            "heartbeat": _VALUES["NEWSDESK_QUEUE_HEARTBEAT"],
            "timeout": 30,  # seconds to wait for the queue's write lock, as for the database
            "immediate": False,
            "results": False,  # nothing reads job results: do not keep them in the queue
            "consumer": consumer,
        }
    if url.startswith(("redis://", "rediss://")):
        return {
            # Jobs are acknowledged once run, so a killed worker's jobs run again.
            "huey_class": "newsdesk.queue.AckedRedisHuey",
            "name": "newsdesk",
            "url": url,
            "heartbeat": _VALUES["NEWSDESK_QUEUE_HEARTBEAT"],
            "immediate": False,
            "results": False,  # nothing reads job results: do not keep them in the queue
            "consumer": consumer,
        }
    raise config.ConfigError(f"NEWSDESK_QUEUE_URL: unsupported scheme in {url!r}")


SECRET_KEY = config.secret_key(_VALUES)
DEBUG = _VALUES["NEWSDESK_DEBUG"]
ALLOWED_HOSTS = [h.strip() for h in _VALUES["NEWSDESK_ALLOWED_HOSTS"].split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "newsdesk.ingest",
    "newsdesk.stories",
    "newsdesk.site",
    "newsdesk.comments",
]

MIDDLEWARE = [
    "newsdesk.site.metrics.LatencyMiddleware",  # page latency for /metrics, all of it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees a view's cancelled query before Django makes it a 500.
    "newsdesk.site.querylimit.QueryLimitMiddleware",
]

ROOT_URLCONF = "newsdesk.urls"
WSGI_APPLICATION = "newsdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsdesk.site.context.site",
            ],
        },
    },
]

DATABASES = {"default": database_config(_VALUES["DATABASE_URL"], DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
HUEY = queue_config(_VALUES["NEWSDESK_QUEUE_URL"], DATA_DIR)

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# No STATIC_ROOT: whitenoise serves the files straight from the installed package.
MEDIA_ROOT = DATA_DIR / "media"
# Rendered pages as files (site/cache.py); nginx serves them too (docs/deploy/nginx.conf).
PAGE_CACHE_DIR = DATA_DIR / "pages"
MEDIA_URL = "media/"

# E-mail (comment moderation, "delete my data" links): printed, kept as files, or sent.
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}.get(_VALUES["NEWSDESK_EMAIL_BACKEND"], "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = SERVER_EMAIL = _VALUES["NEWSDESK_EMAIL_FROM"]
if _VALUES["NEWSDESK_SMTP_URL"]:
    _smtp = urlsplit(_VALUES["NEWSDESK_SMTP_URL"])
    EMAIL_HOST = _smtp.hostname or "localhost"
    EMAIL_PORT = _smtp.port or (465 if _smtp.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_smtp.username or "")
    EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
    EMAIL_USE_SSL = _smtp.scheme == "smtps"
    EMAIL_USE_TLS = not EMAIL_USE_SSL
# Serve static files from the installed package without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _VALUES["NEWSDESK_LOG_LEVEL"].upper()},
    "loggers": {
        "trafilatura": {"level": "WARNING"},
        "htmldate": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
    },
}
