"""Scale benchmark: ingest with 1, 2 and 4 worker processes, then the site on a large
PostgreSQL archive. The scaled-out shape of the README's "Scaling out": PostgreSQL and a
Redis queue.

    python benchmarks/scale.py [--articles 100000] [--workers 1,2,4] [--sources 500]
                               [--hosts 50] [--gap 0.05] [--timeout 7200]
                               [--site-articles 1000000] [--web-workers 2] [--duration 5]
                               [--repeat 2] [--slow-samples 20] [--explain-timeout 120]
                               [--reuse] [--keep] [--skip-ingest] [--skip-site]
                               [--workdir DIR]

On two cores newsdesk stores some 15 articles a second, so the issue's 100,000 for each
worker count take hours: --articles 4000 gives each configuration a few minutes.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, no password) and Redis at
127.0.0.1:6379; uses the databases newsdesk_scale_ingest and newsdesk_scale_site (made
here, dropped at the end unless --keep) and Redis database 13 (flushed).

1. Ingest. A mirror of many outlets runs in a separate process (asyncio) on --hosts
   loopback addresses (127.0.0.2, 127.0.0.3, ...): --sources RSS feeds, each listing
   articles / sources items, and the article pages: generated HTML with headline, byline,
   date and paragraphs of site_archive's Writer text inside a real page's navigation,
   sidebar, scripts and footer; every five articles tell one event, so stories form.
   A feed's items live on every host in turn, so the queue's consecutive jobs ask
   different hosts. For each worker count, from an empty database and queue: `newsdesk
   init`, the feeds imported from OPML (`newsdesk sources import`), `newsdesk serve`
   (its /healthz must say ok), then N `newsdesk worker --workers 1 --worker-type thread
   --no-scheduler` processes (each runs one job at a time, so N processes run N jobs).
   The benchmark plays the scheduler: it enqueues its job (schedule_due_sources: one poll
   job per due source, each enqueueing a job per new item) once, when the clock starts.
   Politeness stays on: NEWSDESK_HOST_MIN_GAP --gap on each of --hosts hosts allows
   hosts / gap requests a second, far above what two cores extract.
   Measured until --articles are stored: articles/s (the database count, read every half
   second; also the steady rate between 10% and 90%), the queue depth, fetch outcomes and
   stored articles from /metrics, errors, each worker's peak RSS and CPU seconds, and the
   machine's CPU use (workers, PostgreSQL, Redis, the mirror and the web process share
   the cores).
2. Site. site_archive.generate() fills newsdesk_scale_site with --site-articles articles
   (stories: a fifth of that) through a COPY per batch, the full-text GIN indexes that
   the migrations made dropped during the load and made again from their own definitions
   (pg_indexes), so the schema stays the migrations' and every article is searchable as
   after real ingest; then VACUUM ANALYZE (what autovacuum does after real ingest; the
   related-stories query reads word frequencies from pg_stats). --reuse keeps a database
   made by an earlier run with --keep. `newsdesk serve`
   (gunicorn, page cache off) is measured at light load (one connection, wrk or
   site.py's asyncio client): front page, story pages, searches (site_archive's
   search_paths) and article pages, the fastest of --repeat runs. A page whose warm-up
   request takes over 10 s (wrk gives up at 10 s) is timed one request at a time instead
   (--slow-samples, each cut off at 10 s, its SQL left running in PostgreSQL cancelled);
   percentiles that fall on a cut-off request are null. Then /metrics' page latency
   histogram, and the slowest SQL of one page of each kind rendered in this process,
   with EXPLAIN ANALYZE (the plan alone for a statement over a minute; statements are
   cut off after --explain-timeout).

The two parts live in benchmarks/scale_ingest.py and benchmarks/scale_site.py, each also
runnable on its own (the same as --skip-site or --skip-ingest here); what they share, and
the run, in benchmarks/scale_common.py.

Prints tables, the site goals (uncached story p99 < 100 ms, search p95 < 50 ms) and one
JSON line last. Every process started here is stopped on exit.
"""

from __future__ import annotations

import argparse
import sys

import scale_ingest
import scale_site
from scale_common import run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    scale_ingest.add_arguments(parser)
    scale_site.add_arguments(parser)
    parser.add_argument("--keep", action="store_true", help="keep the databases at the end")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-site", action="store_true")
    parser.add_argument("--workdir", help="keep logs here (default: a temporary folder)")
    args = parser.parse_args()
    args.workers = [int(n) for n in args.workers.split(",") if n.strip()]
    return run(args, ingest=scale_ingest.ingest, site=scale_site.site)


if __name__ == "__main__":
    sys.exit(main())
