"""newsdesk's settings: one table of names, defaults and help.

Values come from, in order of precedence: ``NEWSDESK_*`` environment variables
(and ``DATABASE_URL``), then an optional ``newsdesk.toml`` (in the current
directory, or the file named by ``NEWSDESK_CONFIG``), then the defaults below.
This module imports nothing from Django so the CLI can read settings first.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    default: Any
    help: str
    kind: type = str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("NEWSDESK_DATA_DIR", ".", "Folder for the database, the job queue and images."),
    Setting(
        "DATABASE_URL",
        "",
        "Database URL; empty means SQLite at DATA_DIR/newsdesk.sqlite3. "
        "postgresql://user:pass@host:port/name for PostgreSQL.",
        secret=True,
    ),
    Setting(
        "NEWSDESK_QUEUE_URL",
        "",
        "Job queue URL; empty means a SQLite queue at DATA_DIR/queue.sqlite3; "
        "redis://host:6379/0 for Redis (pip install 'newsdesk[redis]').",
        secret=True,
    ),
    Setting(
        "NEWSDESK_SECRET_KEY",
        "",
        "Django secret key; empty means one generated once and kept in DATA_DIR/secret_key.",
        secret=True,
    ),
    Setting("NEWSDESK_DEBUG", False, "Django debug mode (never in production).", bool),
    Setting(
        "NEWSDESK_ALLOWED_HOSTS",
        "*",
        "Comma-separated host names the site answers to; set your domain in production.",
    ),
    Setting("NEWSDESK_SITE_NAME", "newsdesk", "The site's name, shown in the header."),
    Setting(
        "NEWSDESK_SITE_URL",
        "",
        "Public base URL of the site, as announced at start-up; empty means http://HOST:PORT.",
    ),
    Setting(
        "NEWSDESK_PAGE_CACHE",
        True,
        "Keep rendered pages as files in DATA_DIR/pages, sent without touching the database "
        "(by nginx too: docs/deploy/nginx.conf); changes delete them, on every web machine "
        "(through a purge log in the database).",
        bool,
    ),
    Setting("NEWSDESK_HOST", "127.0.0.1", "Address the web server listens on."),
    Setting("NEWSDESK_PORT", 8000, "Port the web server listens on.", int),
    Setting("NEWSDESK_WEB_WORKERS", 2, "Web server processes.", int),
    Setting(
        "NEWSDESK_WEB_QUERY_TIMEOUT",
        10.0,
        "Seconds the database work of one web request may take before it is cancelled and "
        "the reader gets a 503 with Retry-After (0: no limit). Jobs are never limited.",
        float,
    ),
    Setting(
        "NEWSDESK_QUEUE_WORKERS",
        0,
        "Jobs run at once by one `newsdesk worker`; 0 means two per core.",
        int,
    ),
    Setting(
        "NEWSDESK_QUEUE_HEARTBEAT",
        30.0,
        "Seconds after which the jobs of a worker that stopped answering "
        "(killed, machine lost) are put back on the queue (SQLite and Redis queues).",
        float,
    ),
    Setting(
        "NEWSDESK_QUEUE_WORKER_TYPE",
        "process",
        "How a worker runs its jobs: process (uses every core) or thread (less memory).",
    ),
    Setting("NEWSDESK_ADMIN_USER", "admin", "User name of the admin created by init/run."),
    Setting(
        "NEWSDESK_ADMIN_PASSWORD",
        "",
        "Password of that admin; empty means init prompts and run generates one.",
        secret=True,
    ),
    Setting("NEWSDESK_ADMIN_EMAIL", "", "E-mail address of that admin."),
    Setting(
        "NEWSDESK_CONTACT_URL",
        "",
        "Contact URL put in the User-Agent, so publishers can reach the operator.",
    ),
    Setting("NEWSDESK_USER_AGENT", "newsdesk/0.1", "User-Agent product token for fetching."),
    Setting("NEWSDESK_POLL_MINUTES", 30, "Polling interval of a new source, in minutes.", int),
    Setting("NEWSDESK_POLL_MIN_MINUTES", 5, "Shortest adaptive polling interval, in minutes.", int),
    Setting(
        "NEWSDESK_POLL_MAX_MINUTES", 1440, "Longest polling interval (and error back-off cap).", int
    ),
    Setting(
        "NEWSDESK_HOST_MIN_GAP",
        2.0,
        "Seconds between two requests to one host (robots.txt Crawl-delay may ask for more).",
        float,
    ),
    Setting("NEWSDESK_HOST_CONCURRENCY", 1, "Requests in flight at once to one host.", int),
    Setting("NEWSDESK_FETCH_CONCURRENCY", 8, "Hosts fetched in parallel by `fetch --once`.", int),
    Setting(
        "NEWSDESK_FETCH_PROCESSES",
        0,
        "Processes `fetch --once` spreads its lanes over; 0 means one per core.",
        int,
    ),
    Setting(
        "NEWSDESK_ALLOW_PRIVATE_NETWORKS",
        False,
        "Allow fetching from loopback, private and link-local addresses (intranets, tests).",
        bool,
    ),
    Setting("NEWSDESK_MAX_REDIRECTS", 5, "Redirects followed per request.", int),
    Setting("NEWSDESK_FETCH_TIMEOUT", 20.0, "Seconds to connect, and between two reads.", float),
    Setting("NEWSDESK_FETCH_TOTAL_TIMEOUT", 60.0, "Seconds a whole response may take.", float),
    Setting("NEWSDESK_MAX_BODY_BYTES", 5_000_000, "Largest response body read, in bytes.", int),
    Setting("NEWSDESK_MAX_ITEMS_PER_POLL", 30, "New feed items taken per poll of a source.", int),
    Setting(
        "NEWSDESK_MIN_ARTICLE_WORDS",
        60,
        "Pages whose extracted text is shorter are not stored as articles.",
        int,
    ),
    Setting(
        "NEWSDESK_SITE_TEMPLATE",
        True,
        "Drop the short lines an article shares with many of its site's earlier articles "
        "(newsletter prompts, partner credits, donation appeals): the site's template.",
        bool,
    ),
    Setting(
        "NEWSDESK_CLUSTER_WINDOW_DAYS",
        3.0,
        "Days a story stays open to new articles after its latest one; 0 means forever.",
        float,
    ),
    Setting(
        "NEWSDESK_DEVELOPING_RATE",
        0.5,
        "New outlets per hour (over 6 hours) that mark a story as developing.",
        float,
    ),
    Setting(
        "NEWSDESK_SUMMARY_WORDS",
        110,
        "Length of a story's summary in words (sentences from its articles, each cited).",
        int,
    ),
    Setting(
        "NEWSDESK_STARTER_SOURCES",
        True,
        "On the first run with no sources, follow the shipped starter list of world-news feeds.",
        bool,
    ),
    Setting("NEWSDESK_COMMENTS", True, "Readers may comment on stories and articles.", bool),
    Setting(
        "NEWSDESK_COMMENTS_MODERATION",
        "first",
        "Which comments wait for a moderator: first (from an e-mail address with no approved "
        "comment yet), all, or none.",
    ),
    Setting(
        "NEWSDESK_COMMENTS_CLOSE_DAYS",
        14,
        "Days after a story's first publication that it takes comments; 0 means forever.",
        int,
    ),
    Setting("NEWSDESK_COMMENTS_MAX_DEPTH", 3, "Nesting levels of replies (1: no replies).", int),
    Setting(
        "NEWSDESK_COMMENTS_EDIT_MINUTES",
        15,
        "Minutes a commenter may edit or delete their comment (from the browser that sent it).",
        int,
    ),
    Setting(
        "NEWSDESK_COMMENTS_MIN_SECONDS",
        3,
        "Seconds between showing the comment form and a submission; faster ones are refused.",
        int,
    ),
    Setting(
        "NEWSDESK_COMMENTS_RATE_LIMIT",
        5,
        "Comment submissions one address may make per window; more get 429.",
        int,
    ),
    Setting("NEWSDESK_COMMENTS_RATE_WINDOW", 600, "That window, in seconds.", int),
    Setting(
        "NEWSDESK_COMMENTS_FLOOD_SECONDS",
        15,
        "Seconds one address must wait between two comment submissions.",
        int,
    ),
    Setting(
        "NEWSDESK_COMMENTS_MAX_LINKS",
        2,
        "Comments with more links than this wait for a moderator.",
        int,
    ),
    Setting(
        "NEWSDESK_COMMENTS_HOLD_SCORE",
        0.5,
        "Spam score (spam.py) from which a comment waits for a moderator.",
        float,
    ),
    Setting(
        "NEWSDESK_COMMENTS_SPAM_SCORE",
        1.0,
        "Spam score from which a comment goes straight to the spam folder.",
        float,
    ),
    Setting(
        "NEWSDESK_COMMENTS_BLOCKED_WORDS",
        "",
        "Comma-separated words or phrases that count towards the spam score.",
    ),
    Setting(
        "NEWSDESK_COMMENTS_IP_DAYS",
        30,
        "Days commenters' (already truncated) addresses are kept.",
        int,
    ),
    Setting(
        "NEWSDESK_COMMENTS_MODERATORS",
        "",
        "Comma-separated e-mail addresses told of comments waiting; empty means "
        "NEWSDESK_ADMIN_EMAIL.",
    ),
    Setting(
        "NEWSDESK_TRUSTED_PROXIES",
        "127.0.0.1,::1",
        "Addresses of reverse proxies whose X-Forwarded-For names the reader's address.",
    ),
    Setting(
        "NEWSDESK_EMAIL_BACKEND",
        "console",
        "How e-mail is sent: console (printed), file (DATA_DIR/mail) or smtp (NEWSDESK_SMTP_URL).",
    ),
    Setting(
        "NEWSDESK_SMTP_URL",
        "",
        "SMTP server: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465.",
        secret=True,
    ),
    Setting("NEWSDESK_EMAIL_FROM", "newsdesk@localhost", "Sender address of the site's e-mail."),
    Setting(
        "NEWSDESK_METRICS_TOKEN",
        "",
        "Bearer token that opens /metrics to other machines (Authorization: Bearer ...); "
        "empty means loopback only.",
        secret=True,
    ),
    Setting("NEWSDESK_LOG_LEVEL", "INFO", "Log level: DEBUG, INFO, WARNING or ERROR."),
)

_BY_NAME = {s.name: s for s in SETTINGS}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A setting has a value of the wrong kind, or the config file is broken."""


def _toml_key(name: str) -> str:
    return name.removeprefix("NEWSDESK_").lower()


def _coerce(setting: Setting, raw: Any) -> Any:
    if setting.kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"{setting.name}: expected true or false, got {raw!r}")
    try:
        return setting.kind(raw)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{setting.name}: expected {setting.kind.__name__}, got {raw!r}") from err


def _read_toml(environ: dict[str, str]) -> tuple[dict[str, Any], str]:
    path = Path(environ.get("NEWSDESK_CONFIG", "newsdesk.toml"))
    if not path.is_file():
        return {}, ""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: {err}") from err
    return data, str(path)


def resolve(environ: dict[str, str] | None = None) -> dict[str, tuple[Any, str]]:
    """Every setting's value and where it came from ("env", the toml path, "default")."""
    env = dict(os.environ if environ is None else environ)
    toml_values, toml_path = _read_toml(env)
    unknown = set(toml_values) - {_toml_key(s.name) for s in SETTINGS}
    if unknown:
        raise ConfigError(f"{toml_path}: unknown settings {sorted(unknown)}")
    resolved: dict[str, tuple[Any, str]] = {}
    for setting in SETTINGS:
        if setting.name in env:
            resolved[setting.name] = (_coerce(setting, env[setting.name]), "env")
        elif _toml_key(setting.name) in toml_values:
            value = toml_values[_toml_key(setting.name)]
            resolved[setting.name] = (_coerce(setting, value), toml_path)
        else:
            resolved[setting.name] = (setting.default, "default")
    return resolved


def values(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Every setting's resolved value, by name."""
    return {name: value for name, (value, _) in resolve(environ).items()}


def masked(name: str, value: Any) -> str:
    """The value as shown to people: secrets hidden, passwords inside URLs hidden."""
    setting = _BY_NAME[name]
    if not setting.secret or value in ("", None):
        return str(value)
    text = str(value)
    if "://" in text:
        scheme, rest = text.split("://", 1)
        if "@" in rest:
            creds, host = rest.rsplit("@", 1)
            user = creds.split(":", 1)[0]
            return f"{scheme}://{user}:***@{host}"
        return text
    return "***"


def data_dir(vals: dict[str, Any]) -> Path:
    """The data folder, made absolute and created if missing."""
    path = Path(vals["NEWSDESK_DATA_DIR"]).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(vals: dict[str, Any]) -> str:
    """The configured secret key, or one generated once and kept in the data folder."""
    if vals["NEWSDESK_SECRET_KEY"]:
        return str(vals["NEWSDESK_SECRET_KEY"])
    path = data_dir(vals) / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key
