"""Full scan of a 20,000-bill term, then an idle cycle, against ``scrapy bench`` and a naive loop.

The replica serves a generated term of ``TERM_BILLS`` bills; every ``TRACKED_EVERY``-th has
"해오름 산업벨트" in its title, which the replica config's watch keywords match, so 2,000
bills are *tracked*: the Open API scan finds them (pSize 1000, an API key configured so pages
are not capped to 5 rows) and each gets its bill pages read (the shell GET and the
``billInfo.do`` POST). The other 18,000 bills are in the term the API searches but never
match. ``tracker check --full`` runs as a subprocess against a fresh database and is timed as
a whole: start-up, crawl, parse, diff, store and delivery (no Slack configured: the console
notifier prints the new-bill alerts to /dev/null).

Baselines measured in the same run: ``scrapy bench`` (Scrapy's own spider and server) for the
page rate, a naive sequential requests + BeautifulSoup loop over the same pages (parsed the way
a simple script would, ``bench/_naive.py``: no validation, no storing) for the speed-up, and
the replica's capacity under a concurrent keep-alive client, to tell whether Scrapy or the
server limits the rate. Peak RSS is that of the full-scan process (``wait4``).

The idle cycle is measured as ``tracker run`` runs its cycles: each check process is started
ahead and waits with its imports done (``tracker.standby``), and is timed from *go* to its
exit. Against a fresh database: a full scan so, then ``IDLE_CYCLES`` cycles with nothing
changed (the median one's time against that full scan's, and the history rows they wrote: a
single cycle of half a second is at the mercy of one hiccup), then the ``STEADY_CYCLES`` cycles
that follow at the configured check interval (the clock moved on with ``$TRACKER_CLOCK``), in
which the quiet bills' pages are read again a few each cycle in turn (``tracker.domain.revisit``).
For comparison, the idle ``tracker check`` run by hand (a fresh process, start-up included)
is also timed after the first full scan.

That is the *0 ms profile*: on loopback the replica answers at once, so a crawler's
concurrency has no waiting to hide and the speed-up over the sequential loop measures CPU
alone. A second, *latency profile* then repeats the full scan (fresh database) and the naive
loop with the replica holding every response for ``LATENCY_SECONDS``, a stand-in for the real
sites' response times. The naive loop there reads only the first ``NAIVE_LATENCY_SAMPLE``
tracked bills (it would take minutes otherwise); its time for all of them is extrapolated
from that sample's time per bill, plus the API scan's measured time.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench._baselines import naive_scan, replica_capacity, scrapy_bench_rate
from bench._cycles import daemon_cycles, run_check
from bench._report import report, report_latency
from bench._term import API_KEY, KEYWORD, TERM_BILLS, term_rows, tracked_count, write_config
from tracker.demo.replica.sources import Replica

NAIVE_MAX_SECONDS = 120
LATENCY_SECONDS = 0.05
NAIVE_LATENCY_SAMPLE = 100


def main() -> bool:
    """Run the full scan, its idle cycles and its baselines; whether every goal was met."""
    tracked = tracked_count()
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        workdir = Path(tmp)
        replica = Replica()
        replica.assembly.api_key = API_KEY
        for row in term_rows():
            replica.assembly.add(row)
        bill_ids = [b for b, row in replica.assembly.rows.items() if KEYWORD in row["BILL_NAME"]]
        # Every run finds the pages made, as a long-running site would have them.
        for bill_id in bill_ids:
            replica.pages.page(bill_id)
        print(f"a term of {TERM_BILLS:,} bills, {len(bill_ids):,} tracked", flush=True)
        with replica:
            config = write_config(replica, workdir)
            full = run_check(replica, workdir, "--full")
            idle_by_hand = run_check(replica, workdir)
            daemon = daemon_cycles(replica, workdir / "daemon")
            capacity, capacity_cpu = replica_capacity(replica, bill_ids)
            naive = naive_scan(config, NAIVE_MAX_SECONDS)
            # The latency profile: same replica, every response held LATENCY_SECONDS, and a
            # fresh database so the check is again a full scan of new bills.
            replica.server.latency = LATENCY_SECONDS  # type: ignore[union-attr]
            slow_dir = workdir / "latency"
            slow_dir.mkdir()
            slow_config = write_config(replica, slow_dir)
            slow_full = run_check(replica, slow_dir, "--full")
            slow_naive = naive_scan(slow_config, NAIVE_MAX_SECONDS, NAIVE_LATENCY_SAMPLE)
        scrapy_rate = scrapy_bench_rate()
    met = report(tracked, full, idle_by_hand, daemon, naive, scrapy_rate, capacity, capacity_cpu)
    print(flush=True)
    return report_latency(tracked, slow_full, slow_naive, LATENCY_SECONDS) and met


if __name__ == "__main__":
    main()
