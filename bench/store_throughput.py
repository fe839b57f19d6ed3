"""Store throughput: ``Store.apply_bills`` upserts with diffing, in the pipeline's batches.

The records are the full-scan term's 20,000 Open API rows read by the project's parser, so
they carry what a crawl delivers (events included). Three passes over a fresh database:
every bill new (a change row and a new-bill alert each), the same records again (an
unchanged re-crawl: only ``last_checked_at`` moves), and every row moved on to the plenary (a
stage change with its alert for each bill not already past it). The peak RSS of a whole
full scan is measured by ``bench.full_scan``.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from bench.full_scan import TERM_BILLS, term_rows
from tracker.models import BillRecord
from tracker.parsers.assembly import bill_from_row
from tracker.pipeline import BATCH_SIZE
from tracker.replica.assembly import advance
from tracker.store import Store, open_store

GOAL_PER_SECOND = 20_000


def _apply(store: Store, records: list[BillRecord]) -> tuple[float, int]:
    """Seconds to apply ``records`` in batches of ``BATCH_SIZE``, and the changes stored."""
    run_id = store.start_run()
    changes = 0
    started = time.perf_counter()
    for i in range(0, len(records), BATCH_SIZE):
        changes += len(store.apply_bills(records[i : i + BATCH_SIZE], run_id))
    return time.perf_counter() - started, changes


def main() -> None:
    rows = list(term_rows())
    records = [bill_from_row(row) for row in rows]
    for row in rows:
        advance(row, "plenary", "2025-06-02")
    moved = [bill_from_row(row) for row in rows]
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        db = Path(tmp) / "tracker.db"
        store = open_store(db)
        passes = {
            "new bills": records,
            "unchanged re-crawl": records,
            "changed (moved to plenary)": moved,
        }
        print(
            f"{TERM_BILLS:,} bills a pass, batches of {BATCH_SIZE}; goal >= {GOAL_PER_SECOND:,}/s"
        )
        print(f"{'pass':<28} {'seconds':>8} {'bills/s':>9} {'changes':>8}  goal")
        for name, batch in passes.items():
            seconds, changes = _apply(store, batch)
            rate = len(batch) / seconds
            verdict = "PASS" if rate >= GOAL_PER_SECOND else "FAIL"
            print(f"{name:<28} {seconds:>8.2f} {rate:>9,.0f} {changes:>8,}  {verdict}")
        store.close()
        with sqlite3.connect(db) as conn:
            alerts = conn.execute("SELECT count(*) FROM alerts").fetchone()[0]
        print(f"({alerts:,} alerts in the outbox after the three passes)")


if __name__ == "__main__":
    main()
