"""What the scale benchmark's two parts share: the PostgreSQL and Redis they use, the
newsdesk processes they start and stop, Django set up in this process, /metrics and /proc
readings, and the run itself (clean-up, the summary, its JSON line).

Not run on its own: benchmarks/scale.py runs both parts, benchmarks/scale_ingest.py the
ingest part, benchmarks/scale_site.py the site part (see their docstrings).

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, no password) and Redis at
127.0.0.1:6379; uses the databases newsdesk_scale_ingest and newsdesk_scale_site (made
by the parts, dropped at the end unless --keep) and Redis database 13 (flushed).
"""

from __future__ import annotations

import argparse
import atexit
import importlib.util
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


def _site_bench() -> Any:
    """benchmarks/site.py, whose name the standard library's ``site`` module shadows."""
    spec = importlib.util.spec_from_file_location("site_bench", HERE / "site.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _site_bench()

PG = "postgresql://postgres@127.0.0.1:5432/"
INGEST_DB, SITE_DB = "newsdesk_scale_ingest", "newsdesk_scale_site"
REDIS = "redis://127.0.0.1:6379/13"
SEED = 7


# --- processes, databases, Django ----------------------------------------------------------

PROCS = bench.Processes()  # every process started here; stopped on exit


def stop_all() -> None:
    PROCS.stop()


def base_env(work: Path, database: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every newsdesk process: this run's database, queue and data."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEWSDESK_", "DJANGO_", "PROMETHEUS_")) and k != "DATABASE_URL"
    }
    env.update(
        {
            "DATABASE_URL": PG + database,
            "NEWSDESK_QUEUE_URL": REDIS,
            "NEWSDESK_DATA_DIR": str(work / "data"),
            "NEWSDESK_SECRET_KEY": "benchmark-" + "x" * 50,
            "NEWSDESK_ALLOWED_HOSTS": "*",
            "NEWSDESK_STARTER_SOURCES": "false",
            "NEWSDESK_LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra or {})
    return env


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(sql)


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def fresh_database(name: str) -> None:
    admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {name}")


def flush_queue() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def django_setup(work: Path, database: str) -> None:
    os.environ.update(base_env(work, database))
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsdesk.settings"
    import django

    django.setup()


def use_database(name: str) -> None:
    """Point this process's Django connection at another database (closing the old one)."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name


def newsdesk(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"newsdesk {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout.strip()


def start_web(env: dict[str, str], work: Path, workers: int, name: str) -> str:
    """`newsdesk serve` on a free port; its base URL once /healthz says all is well."""
    port = bench.free_port()
    prom = work / f"prom-{name}"
    prom.mkdir(parents=True, exist_ok=True)
    web_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(prom)}
    args = [sys.executable, "-m", "newsdesk", "serve", "--host", "127.0.0.1", "--port", str(port)]
    PROCS.start([*args, "--workers", str(workers)], work / f"{name}.log", env=web_env)
    base = f"http://127.0.0.1:{port}"
    bench.wait_for(base + "/healthz", timeout=90)
    status, _, body = bench.get(base + "/healthz")
    health = json.loads(body)
    bench.check(
        status == 200 and health == {"status": "ok", "database": "ok", "queue": "ok"},
        f"/healthz of {name}: {status} {health}",
    )
    return base


def metrics(base: str) -> dict[str, float]:
    """/metrics as {'name{labels}': value}."""
    status, _, body = bench.get(base + "/metrics")
    bench.check(status == 200, f"/metrics: {status}")
    out = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


def proc_figures(pid: int) -> dict[str, float]:
    """Peak RSS (MB) and CPU seconds of a live process, from /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return {}
    hwm = re.search(r"VmHWM:\s+(\d+) kB", status)
    ticks = os.sysconf("SC_CLK_TCK")
    return {
        "peak_rss_mb": round(int(hwm[1]) / 1024, 1) if hwm else 0.0,
        "cpu_s": round((int(stat[11]) + int(stat[12])) / ticks, 1),
    }


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# --- the run -------------------------------------------------------------------------------


def clean_up(args: argparse.Namespace) -> None:
    """Stop every process started here; drop the databases this run used (unless --keep)."""
    from django.db import connections

    stop_all()
    connections.close_all()
    if not args.keep:
        if not args.skip_ingest:
            admin_sql(f"DROP DATABASE IF EXISTS {INGEST_DB} WITH (FORCE)")
        if not args.skip_site:
            admin_sql(f"DROP DATABASE IF EXISTS {SITE_DB} WITH (FORCE)")
            Path(tempfile.gettempdir(), f"{SITE_DB}.json").unlink(missing_ok=True)
    flush_queue()


Part = Callable[[argparse.Namespace, Path], dict[str, Any]]


def run(args: argparse.Namespace, ingest: Part | None = None, site: Part | None = None) -> int:
    """Run the parts not skipped (args.skip_ingest, args.skip_site), clean up, and print
    the summary's JSON line: the run of scale.py, scale_ingest.py and scale_site.py."""
    work = Path(args.workdir or tempfile.mkdtemp(prefix="newsdesk-scale-")).resolve()
    (work / "data").mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    atexit.register(stop_all)
    summary: dict[str, Any] = {"benchmark": "scale", "cpus": os.cpu_count()}
    summary["load_average_before"] = round(os.getloadavg()[0], 2)
    django_setup(work, INGEST_DB if not args.skip_ingest else SITE_DB)
    try:
        if ingest is not None and not args.skip_ingest:
            t0 = time.perf_counter()
            summary["ingest"] = ingest(args, work)
            summary["ingest"]["part_s"] = round(time.perf_counter() - t0, 1)
        if site is not None and not args.skip_site:
            t0 = time.perf_counter()
            summary.update(site(args, work))
            summary["site_pg"]["part_s"] = round(time.perf_counter() - t0, 1)
    finally:
        clean_up(args)
    summary["load_average_after"] = round(os.getloadavg()[0], 2)
    summary["peak_rss_benchmark_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    summary["goals_reference"] = "uncached story p99 < 100 ms; search p95 < 50 ms (1 connection)"
    print(json.dumps(summary, separators=(",", ":")))
    return 0
