"""The ``newsdesk`` command: a thin skin over library functions."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from newsdesk import config

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _django(schema: bool = True) -> None:
    """Set Django up; with ``schema``, make sure the database has its tables."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    import django

    django.setup()
    if schema:
        from newsdesk import runtime

        runtime.ensure_schema()


def _print_err(message: str) -> None:
    print(f"newsdesk: {message}", file=sys.stderr)


# --- init / run / serve / worker -------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    _django(schema=False)
    from newsdesk import runtime

    runtime.migrate()
    password = runtime.admin_password_from_env_or_prompt(interactive=sys.stdin.isatty())
    if password is None:
        _print_err("no admin created: set NEWSDESK_ADMIN_PASSWORD or run init in a terminal")
        return EXIT_OK
    user, created = runtime.ensure_admin(password, reset=True)
    print(f"admin user {user!r} {'created' if created else 'updated'}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    _django(schema=False)
    from newsdesk import runtime

    runtime.migrate()
    report = runtime.first_run()
    for line in report:
        print(line)
    return runtime.run_web_and_worker(args.host, args.port)


def cmd_serve(args: argparse.Namespace) -> int:
    _django()
    from newsdesk import runtime

    runtime.serve(args.host, args.port, args.workers)
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    _django()
    from newsdesk import runtime

    runtime.work(args.workers, args.worker_type, scheduler=not args.no_scheduler)
    return EXIT_OK


# --- sources ---------------------------------------------------------------------------


def cmd_sources_add(args: argparse.Namespace) -> int:
    _django()
    from newsdesk.ingest.sources import SourceError, add_source

    try:
        source, created = add_source(args.url, args.title or "", args.section or "", args.kind)
    except SourceError as err:
        _print_err(str(err))
        return EXIT_USAGE
    print(f"{'added' if created else 'already followed'}: {source.url} (id {source.pk})")
    return EXIT_OK


def cmd_sources_import(args: argparse.Namespace) -> int:
    _django()
    from newsdesk.ingest.sources import import_opml
    from newsdesk.pipeline.feeds import FeedError

    try:
        added, known = import_opml(Path(args.file).read_bytes())
    except (OSError, FeedError) as err:
        _print_err(f"{args.file}: {err}")
        return EXIT_FAILED
    print(f"imported {args.file}: {added} added, {known} already followed")
    return EXIT_OK


def cmd_sources_export(args: argparse.Namespace) -> int:
    _django()
    from newsdesk.ingest.sources import export_opml

    text = export_opml()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_sources_list(args: argparse.Namespace) -> int:
    _django()
    from django.db.models import Count
    from rich.console import Console
    from rich.table import Table

    from newsdesk.ingest.models import Source

    table = Table("id", "title", "section", "status", "articles", "next poll", "url / last error")
    for s in Source.objects.annotate(n=Count("articles")):
        status = s.last_status or "new"
        detail = s.url + (f"\n[red]{s.last_error}[/red]" if s.last_error else "")
        nxt = s.next_fetch_at.strftime("%Y-%m-%d %H:%M") if s.next_fetch_at else "now"
        table.add_row(str(s.pk), s.title, s.section, status, str(s.n), nxt, detail)
    Console().print(table)
    return EXIT_OK


# --- fetch / extract / config ----------------------------------------------------------


def cmd_fetch(args: argparse.Namespace) -> int:
    if not args.once:
        _print_err(
            "fetch polls once and exits: pass --once (use `newsdesk worker` to keep polling)"
        )
        return EXIT_USAGE
    _django()
    from newsdesk.ingest.fetch_once import fetch_once
    from newsdesk.stories.images import process_pending

    failures = fetch_once(progress=sys.stderr.isatty(), force=args.force)
    # Lead images of the new articles (the worker does this each minute).
    while True:
        ready, tried = process_pending(limit=50)
        if tried < 50 or ready == 0:
            break
    return EXIT_FAILED if failures else EXIT_OK


def _read_input(item: str, client: object) -> tuple[str, str]:
    """The page's text and its URL, from a file (optionally gzipped) or an http(s) URL."""
    from newsdesk.pipeline.decode import decode_text
    from newsdesk.pipeline.fetch import fetch

    if item.startswith(("http://", "https://")):
        fetched = fetch(client, item, max_bytes=config.values()["NEWSDESK_MAX_BODY_BYTES"])  # type: ignore[arg-type]
        return decode_text(fetched.body, fetched.charset), fetched.url
    body = Path(item).read_bytes()
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    return decode_text(body), ""


def cmd_extract(args: argparse.Namespace) -> int:
    from newsdesk.pipeline.extract import extract
    from newsdesk.pipeline.fetch import FetchError, make_client, user_agent

    vals = config.values()
    agent = user_agent(vals["NEWSDESK_USER_AGENT"], vals["NEWSDESK_CONTACT_URL"])
    failed = 0
    client = make_client(
        agent,
        vals["NEWSDESK_FETCH_TIMEOUT"],
        vals["NEWSDESK_MAX_REDIRECTS"],
        allow_private=vals["NEWSDESK_ALLOW_PRIVATE_NETWORKS"],
    )
    with client:
        for item in args.inputs:
            try:
                html, fetched_url = _read_input(item, client)
                record = extract(html, args.url or fetched_url).to_dict()
            except (OSError, FetchError, ValueError) as err:
                failed += 1
                record = {"error": str(err)}
            print(json.dumps({"input": item, **record}, ensure_ascii=False), flush=False)
    sys.stdout.flush()
    return EXIT_FAILED if failed else EXIT_OK


def _read_jsonl(path: str) -> list[dict]:
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{number}: not JSON: {err}") from err
            if not isinstance(record, dict) or "id" not in record:
                raise ValueError(f"{path}:{number}: a record needs at least an id")
            records.append(record)
    return records


def cmd_cluster(args: argparse.Namespace) -> int:
    from newsdesk.pipeline.cluster import final_assignments

    try:
        records = _read_jsonl(args.file)
    except (OSError, ValueError) as err:
        _print_err(str(err))
        return EXIT_USAGE
    for row in final_assignments(records, args.window_days or None):
        print(json.dumps(row, ensure_ascii=False))
    return EXIT_OK


def cmd_summarize(args: argparse.Namespace) -> int:
    from newsdesk.pipeline.summarize import Params, summarize_file

    if args.words < 1:
        _print_err("--words must be at least 1")
        return EXIT_USAGE
    try:
        records = _read_jsonl(args.file)
    except (OSError, ValueError) as err:
        _print_err(str(err))
        return EXIT_USAGE
    for row in summarize_file(records, Params(words=args.words)):
        print(json.dumps(row, ensure_ascii=False))
    return EXIT_OK


def settings_markdown() -> str:
    """The settings table as Markdown, as the README shows it."""
    rows = ["| setting | default | what it does |", "|---|---|---|"]
    for s in config.SETTINGS:
        default = s.default
        shown = "(empty)" if default == "" else str(default).lower() if s.kind is bool else default
        rows.append(f"| `{s.name}` | `{shown}` | {s.help} |")
    return "\n".join(rows)


def cmd_config(args: argparse.Namespace) -> int:
    if args.markdown:
        print(settings_markdown())
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table("setting", "value", "from", "help")
    resolved = config.resolve()
    for setting in config.SETTINGS:
        value, origin = resolved[setting.name]
        table.add_row(setting.name, config.masked(setting.name, value), origin, setting.help)
    Console(width=160).print(table)
    return EXIT_OK


# --- parser ----------------------------------------------------------------------------


def _add_address(parser: argparse.ArgumentParser, vals: dict) -> None:
    parser.add_argument("--host", default=vals["NEWSDESK_HOST"], help="address to listen on")
    parser.add_argument("--port", type=int, default=vals["NEWSDESK_PORT"], help="port")


def build_parser(vals: dict) -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="newsdesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("init", help="create or migrate the database and the admin user")
    p = sub.add_parser("run", help="web server, job worker and scheduler in one command")
    _add_address(p, vals)
    p = sub.add_parser("serve", help="the production web server alone")
    _add_address(p, vals)
    p.add_argument("--workers", type=int, default=vals["NEWSDESK_WEB_WORKERS"])
    p = sub.add_parser("worker", help="the job worker (and scheduler) alone")
    p.add_argument(
        "--workers",
        type=int,
        default=vals["NEWSDESK_QUEUE_WORKERS"],
        help="jobs run at once (0: two per core)",
    )
    p.add_argument(
        "--worker-type", choices=["process", "thread"], default=vals["NEWSDESK_QUEUE_WORKER_TYPE"]
    )
    p.add_argument("--no-scheduler", action="store_true", help="run jobs but schedule none")

    sources = sub.add_parser("sources", help="follow, import, export and list sources")
    ssub = sources.add_subparsers(dest="sources_command", required=True)
    p = ssub.add_parser("add", help="follow a feed, sitemap, article or site URL")
    p.add_argument("url")
    p.add_argument(
        "--kind",
        default="feed",
        choices=["feed", "sitemap", "page", "site"],
        help="how to read the URL (a feed that is something else is recognised anyway)",
    )
    p.add_argument("--title")
    p.add_argument("--section")
    p = ssub.add_parser("import", help="follow every feed of an OPML file")
    p.add_argument("file")
    p = ssub.add_parser("export", help="print the sources as OPML")
    p.add_argument("-o", "--output", help="write to this file instead")
    ssub.add_parser("list", help="list sources with their status")

    p = sub.add_parser("fetch", help="poll sources")
    p.add_argument("--once", action="store_true", help="poll every due source now, then exit")
    p.add_argument(
        "--force", action="store_true", help="poll every source whatever its schedule (politely)"
    )
    p = sub.add_parser("extract", help="extract articles from files or URLs as JSON lines")
    p.add_argument("--url", help="the page's URL, for resolving links and canonical URLs")
    p.add_argument("inputs", nargs="+", metavar="FILE_OR_URL")
    p = sub.add_parser("cluster", help="group articles (JSON lines) into stories")
    p.add_argument(
        "file", metavar="FILE.jsonl", help="lines of {id, title, text, date, url, source}"
    )
    p.add_argument(
        "--window-days", type=float, default=3.0, help="story window in days; 0 means none"
    )
    p = sub.add_parser(
        "summarize", help="write each story's summary from its articles (JSON lines)"
    )
    p.add_argument(
        "file", metavar="FILE.jsonl", help="lines of {id, story, title, text, date, url, source}"
    )
    p.add_argument(
        "--words",
        type=int,
        default=vals["NEWSDESK_SUMMARY_WORDS"],
        help="summary length in words (default: NEWSDESK_SUMMARY_WORDS)",
    )
    p = sub.add_parser("config", help="print the resolved settings, secrets masked")
    p.add_argument("--markdown", action="store_true", help="print the settings table as Markdown")
    return parser


COMMANDS = {
    "init": cmd_init,
    "run": cmd_run,
    "serve": cmd_serve,
    "worker": cmd_worker,
    "fetch": cmd_fetch,
    "extract": cmd_extract,
    "cluster": cmd_cluster,
    "summarize": cmd_summarize,
    "config": cmd_config,
    "sources add": cmd_sources_add,
    "sources import": cmd_sources_import,
    "sources export": cmd_sources_export,
    "sources list": cmd_sources_list,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsdesk`` console command."""
    try:
        vals = config.values()
    except config.ConfigError as err:
        _print_err(f"configuration error: {err}")
        return EXIT_USAGE
    except Exception as err:
        from newsdesk.runtime import SchemaError

        if isinstance(err, SchemaError):
            _print_err(str(err))
            return EXIT_FAILED
        raise
    args = build_parser(vals).parse_args(argv)
    name = args.command + (f" {args.sources_command}" if args.command == "sources" else "")
    try:
        return COMMANDS[name](args)
    except KeyboardInterrupt:
        return 130
    except config.ConfigError as err:
        _print_err(f"configuration error: {err}")
        return EXIT_USAGE
