"""Query latency on a large history and the start-up cost of ``tracker --help`` / ``query``.

Generates a database with 1,000,000 ``bill_changes`` rows (5,000 bills, two years of
changes) through the store's schema, then times the questions the issue names (one bill's
history, one week of changes; goal under 50 ms each) through the code ``tracker query`` runs.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from tracker.query.sql import open_readonly, run_query
from tracker.store.database import open_store
from tracker.timeutil import DEFAULT_TZ, iso, now

CHANGES = 1_000_000
BILLS = 5_000
DAYS = 730
GOAL_MS = 50
STAGE_CODES = ("received", "committee_review", "judiciary_review", "plenary", "passed")


def _bill_id(number: int) -> str:
    return f"PRC_BENCH{number:06d}"


def _changes(start: datetime, rng: random.Random) -> Iterator[tuple[object, ...]]:
    step = DAYS * 86_400 / CHANGES
    for i in range(CHANGES):
        at = iso(start + timedelta(seconds=i * step), DEFAULT_TZ)
        old, new = rng.sample(STAGE_CODES, 2)
        field = "stage" if i % 3 else "committee"
        kind = "new" if i < BILLS else "changed"
        yield (None, _bill_id(rng.randrange(BILLS)), kind, field, old, new, at)


def generate(path: Path) -> datetime:
    """Write the benchmark database at ``path``; returns the start of its history."""
    store = open_store(path)
    start = now(DEFAULT_TZ) - timedelta(days=DAYS)
    first = iso(start, DEFAULT_TZ)
    rng = random.Random(7)
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO bills (bill_id, bill_no, age, title, stage, first_seen_at,"
            " last_checked_at, last_changed_at) VALUES (?, ?, 22, ?, 'committee_review', ?, ?, ?)",
            (
                (_bill_id(n), str(2_200_000 + n), f"벤치마크 특별법안 {n}호", first, first, first)
                for n in range(BILLS)
            ),
        )
        store.conn.executemany(
            "INSERT INTO bill_changes (run_id, bill_id, kind, field, old_value, new_value,"
            " observed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            _changes(start, rng),
        )
    store.conn.execute("ANALYZE")
    store.close()
    return start


def _median_ms(action, repeat: int) -> float:
    action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _startup_ms(args: list[str], env: dict[str, str], repeat: int = 10) -> float:
    return _median_ms(
        lambda: subprocess.run(args, env=env, capture_output=True, check=True), repeat
    )


def main() -> bool:
    """Time the questions and the start-up; whether every question met the goal."""
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        db = Path(tmp) / "tracker.db"
        started = time.perf_counter()
        start = generate(db)
        print(f"generated {CHANGES:,} bill_changes rows in {time.perf_counter() - started:.1f}s")

        week = start + timedelta(days=DAYS // 2)
        week_from, week_to = week.date().isoformat(), (week + timedelta(days=7)).date().isoformat()
        bill = _bill_id(1234)
        # (name, SQL, whether the goal applies): the last is the query the views avoid.
        questions = (
            ("history of one bill", f"SELECT * FROM bill_changes WHERE bill_id = '{bill}'"
             " ORDER BY observed_at, id", True),
            ("stage changes of one bill (view)", "SELECT * FROM stage_changes"
             f" WHERE bill_id = '{bill}'", True),
            ("changes of one week", "SELECT * FROM bill_changes"
             f" WHERE observed_at >= '{week_from}' AND observed_at < '{week_to}'", True),
            ("recent_changes (last 7 days, view)", "SELECT * FROM recent_changes", True),
            ("last 7 days by julianday() alone", "SELECT * FROM bill_changes"
             " WHERE julianday(observed_at) >= julianday('now', '-7 days')", False),
        )  # fmt: skip
        conn = open_readonly(db)
        print(f"{'question':<38} {'rows':>7} {'median ms':>10}  goal < {GOAL_MS} ms")
        met = True
        for name, sql, goal in questions:
            rows = len(run_query(conn, sql).rows)
            ms = _median_ms(lambda sql=sql: run_query(conn, sql), repeat=20)
            verdict = ("PASS" if ms < GOAL_MS else "FAIL") if goal else "(comparison)"
            met = met and (ms < GOAL_MS or not goal)
            print(f"{name:<38} {rows:>7} {ms:>10.1f}  {verdict}")
        conn.close()

        env = {**os.environ, "TRACKER_DB": str(db)}
        baseline = _startup_ms([sys.executable, "-c", "pass"], env)
        print(f"\n{'start-up':<38} {'median ms':>10} {'x python -c pass':>17}")
        print(f"{'python -c pass':<38} {baseline:>10.1f} {1:>17.1f}")
        for label, args in {
            "tracker --help": ["--help"],
            "tracker query 'SELECT 1'": ["query", "SELECT 1"],
        }.items():
            ms = _startup_ms([sys.executable, "-m", "tracker", *args], env)
            print(f"{label:<38} {ms:>10.1f} {ms / baseline:>17.1f}")
        print(f"({os.cpu_count()} cores)")
    return met


if __name__ == "__main__":
    main()
