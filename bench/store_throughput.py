"""Store throughput: ``store.bills.apply_bills`` upserts with diffing, in the pipeline's batches.

The records are the full-scan term's 20,000 Open API rows read by the project's parser, so
they carry what a crawl delivers (events included). Three passes over a fresh database:
every bill new (a change row and a new-bill alert each), the same records again (an
unchanged re-crawl: only ``last_checked_at`` moves), and every row moved on to the plenary (a
stage change with its alert for each bill not already past it). The peak RSS of a whole
full scan is measured by ``bench.full_scan``.

The three passes are repeated ``ROUNDS`` times, each round on a fresh database. The verdict
takes each pass's best round, as ``timeit`` does: a slower round measures what else the
machine was doing (its disk, other processes), not the code. The median and the slowest
round are printed beside it.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench._term import TERM_BILLS, term_rows
from tracker.crawl.pipeline import BATCH_SIZE
from tracker.demo.replica.assembly import advance
from tracker.domain.bills import BillRecord
from tracker.parsers.assembly import bill_from_row
from tracker.store.database import Store, open_store

GOAL_PER_SECOND = 20_000
ROUNDS = 5


def _apply(store: Store, records: list[BillRecord]) -> tuple[float, int]:
    """Seconds to apply ``records`` in batches of ``BATCH_SIZE``, and the changes stored."""
    run_id = store.runs.start()
    changes = 0
    started = time.perf_counter()
    for i in range(0, len(records), BATCH_SIZE):
        changes += len(store.bills.apply_bills(records[i : i + BATCH_SIZE], run_id))
    return time.perf_counter() - started, changes


def _round(passes: dict[str, list[BillRecord]]) -> tuple[dict[str, tuple[float, int]], int]:
    """One round of the passes on a fresh database: seconds and changes of each, and the
    alerts in the outbox after them."""
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        db = Path(tmp) / "tracker.db"
        store = open_store(db)
        results = {name: _apply(store, records) for name, records in passes.items()}
        store.close()
        with sqlite3.connect(db) as conn:
            alerts = conn.execute("SELECT count(*) FROM alerts").fetchone()[0]
    return results, alerts


def main() -> bool:
    """Time the three passes; whether each reached the goal in its best round."""
    rows = list(term_rows())
    records = [bill_from_row(row) for row in rows]
    for row in rows:
        advance(row, "plenary", "2025-06-02")
    moved = [bill_from_row(row) for row in rows]
    passes = {
        "new bills": records,
        "unchanged re-crawl": records,
        "changed (moved to plenary)": moved,
    }
    rounds = [_round(passes) for _ in range(ROUNDS)]
    print(
        f"{TERM_BILLS:,} bills a pass, batches of {BATCH_SIZE}, {ROUNDS} rounds on fresh"
        f" databases; goal >= {GOAL_PER_SECOND:,}/s in the best round"
    )
    print(
        f"{'pass':<28} {'best s':>7} {'bills/s':>9} {'median':>9} {'slowest':>9}"
        f" {'changes':>8}  goal"
    )
    met = True
    for name, batch in passes.items():
        seconds = sorted(results[name][0] for results, _ in rounds)
        changes = rounds[0][0][name][1]
        rate = len(batch) / seconds[0]
        met = met and rate >= GOAL_PER_SECOND
        verdict = "PASS" if rate >= GOAL_PER_SECOND else "FAIL"
        print(
            f"{name:<28} {seconds[0]:>7.2f} {rate:>9,.0f}"
            f" {len(batch) / statistics.median(seconds):>9,.0f}"
            f" {len(batch) / seconds[-1]:>9,.0f} {changes:>8,}  {verdict}"
        )
    print(f"({rounds[0][1]:,} alerts in the outbox after the three passes)")
    return met


if __name__ == "__main__":
    main()
