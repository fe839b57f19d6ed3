"""The store pipeline stores a page's bills handed on as one item as it stores the same records
one by one; without a crawl."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tracker import pipeline
from tracker.config import load_config
from tracker.models import BillRecord, BillRecords
from tracker.parsers.assembly import SOURCE, bill_from_row
from tracker.pipeline import StorePipeline
from tracker.replica.assembly import advance, bill_row
from tracker.runcontext import RunContext
from tracker.store import open_store

KEYWORD = "해오름 산업벨트"


def row(n: int) -> dict[str, Any]:
    """Bill ``n`` as an API row; a higher ``n`` comes first, as the API orders bill numbers."""
    return bill_row(
        f"PRC_T{n:025d}", str(2200000 + n), f"{KEYWORD} 지원법안 {n}", "김해오의원 등 10인",
        "2026-03-02",
    )  # fmt: skip


def make_ctx(db: Path) -> RunContext:
    config = db.with_suffix(".toml")
    config.write_text(f'[tracker]\ndb = "{db.as_posix()}"\n', encoding="utf-8")
    return RunContext(load_config(str(config), env={}))


# Bills 1 to 3 are stored before the pipeline runs; of the five it is handed, 1 and 2 have
# moved on, 3 is unchanged and 4 and 5 are new.
STORED_BEFORE = (1, 2, 3)
ADVANCED = (1, 2)


def handed_records() -> list[BillRecord]:
    rows = {n: row(n) for n in range(1, 6)}
    for n in ADVANCED:
        advance(rows[n], "committee_review", "2026-03-09")
    return [replace(bill_from_row(each), matched_by=KEYWORD) for each in rows.values()]


def run_pipeline(db: Path, items: list[Any]) -> dict[str, Any]:
    """Stats, pending records and rows written before the spider closes, and the rows after."""
    store = open_store(db)
    store.apply_bills([bill_from_row(row(n)) for n in STORED_BEFORE], None)
    store.close()
    ctx = make_ctx(db)
    store_pipeline = StorePipeline(ctx)
    store_pipeline.open_spider()
    for item in items:
        assert store_pipeline.process_item(item) is item
    pending = len(store_pipeline.pending)
    before_close = stored_rows(db)
    store_pipeline.close_spider()
    return {
        "stats": {name: stats.as_dict() for name, stats in ctx.stats.items()},
        "pending": pending,
        "before_close": before_close,
        "after_close": stored_rows(db),
    }


def stored_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """What the store holds of the bills, their changes, events and alerts, timestamps aside."""
    queries = {
        "bills": "SELECT bill_id, stage, result, title, matched_by FROM bills ORDER BY bill_id",
        "changes": "SELECT bill_id, kind, field, old_value, new_value FROM bill_changes"
        " ORDER BY bill_id, kind, field",
        "events": "SELECT * FROM bill_events ORDER BY bill_id, stage, happened_on",
        "alerts": "SELECT dedupe_key, kind, bill_id FROM alerts ORDER BY dedupe_key",
    }
    with closing(sqlite3.connect(db)) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in queries.items()}


# BATCH_SIZE 2 writes bills 1 to 4 in two batches as they come and bill 5 at the close;
# 500 writes all five at the close.
@pytest.mark.parametrize(("batch_size", "pending", "bills_before_close"), [(2, 1, 4), (500, 5, 3)])
def test_a_batch_item_is_stored_and_counted_like_its_records_one_by_one(
    tmp_path, monkeypatch, batch_size, pending, bills_before_close
):
    monkeypatch.setattr(pipeline, "BATCH_SIZE", batch_size)
    records = handed_records()
    one_by_one = run_pipeline(tmp_path / "single.db", list(records))
    batched = run_pipeline(tmp_path / "batch.db", [BillRecords(SOURCE, records)])

    assert batched == one_by_one
    stats = batched["stats"][SOURCE]
    assert (stats["items"], stats["changes"], stats["skipped"]) == (5, 4, 0)
    assert batched["pending"] == pending
    assert len(batched["before_close"]["bills"]) == bills_before_close
    stored = {bill_id: stage for bill_id, stage, *_ in batched["after_close"]["bills"]}
    assert stored == {record.bill_id: record.stage for record in records}
    assert {kind for _, kind, _ in batched["after_close"]["alerts"]} == {
        "new_bill",
        "stage_change",
    }
