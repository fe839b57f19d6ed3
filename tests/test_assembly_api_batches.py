"""The Open API spider hands each page's bills on as one item, and the store pipeline stores
such an item as it stores the same records one by one, and a page's hash only once its
records are stored; without a crawl."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import scrapy
from scrapy.http import TextResponse

from spiders.assembly_api import AssemblyApiSpider
from tracker.check import run_status
from tracker.config import load_config
from tracker.crawl import pipeline
from tracker.crawl.context import RunContext
from tracker.crawl.items import BillRecords, PageRead, SourceFailure
from tracker.crawl.pipeline import StorePipeline
from tracker.crawl.plan import assembly_plan
from tracker.demo.replica.assembly import ENDPOINT, AssemblyApiReplica, advance, bill_row
from tracker.demo.replica.http import Request
from tracker.domain.bills import BillRecord
from tracker.domain.validators import Validators
from tracker.parsers.assembly import SOURCE, bill_from_row
from tracker.store.bills import Bills
from tracker.store.database import open_store
from tracker.store.validators import SavedValidators

PAGE_SIZE = 3
KEYWORD = "해오름 산업벨트"
API_URL = f"https://open.assembly.go.kr/portal/openapi/{ENDPOINT}"


def row(n: int) -> dict[str, Any]:
    """Bill ``n`` as an API row; a higher ``n`` comes first, as the API orders bill numbers."""
    return bill_row(
        f"PRC_T{n:025d}", str(2200000 + n), f"{KEYWORD} 지원법안 {n}", "김해오의원 등 10인",
        "2026-03-02",
    )  # fmt: skip


def bad_row(n: int) -> dict[str, Any]:
    return {**row(n), "BILL_ID": f"not-a-bill-{n}"}


@contextmanager
def cycle_context(db: Path) -> Iterator[RunContext]:
    """A run context with the cycle's store open, as a check hands it to spiders and pipeline."""
    config = db.with_suffix(".toml")
    config.write_text(f'[tracker]\ndb = "{db.as_posix()}"\n', encoding="utf-8")
    with closing(open_store(db)) as store:
        yield RunContext(load_config(str(config), env={}), store=store)


def api_response(rows: list[dict[str, Any]], page: int, fault: str | None = None) -> TextResponse:
    """The replica API's answer for page ``page`` of ``rows``, as the spider receives it."""
    api = AssemblyApiReplica(fault=fault)
    for each in rows:
        api.add(each)
    query = {"pIndex": str(page), "pSize": str(PAGE_SIZE), "KEY": "test-key"}
    answer = api.handle(Request("GET", f"/portal/openapi/{ENDPOINT}", query, {}, b""))
    body = answer.body.encode("utf-8") if isinstance(answer.body, str) else answer.body
    meta = {"query": {"AGE": 22, "BILL_NAME": KEYWORD}, "page": page, "matched_by": KEYWORD}
    request = scrapy.Request(API_URL, meta=meta)
    return TextResponse(API_URL, body=body, encoding="utf-8", request=request)


@pytest.fixture
def spider(tmp_path: Path) -> Iterator[AssemblyApiSpider]:
    with cycle_context(tmp_path / "tracker.db") as ctx:
        spider = AssemblyApiSpider(ctx=ctx)
        # What start() sets, which these tests do not run.
        spider.page_size = PAGE_SIZE
        spider.plan = ctx.plan_for(assembly_plan)
        yield spider


@pytest.mark.parametrize(
    ("rows", "page", "stored", "next_page", "skipped"),
    [
        pytest.param([row(n) for n in (1, 2, 3, 4)], 1, [4, 3, 2], 2, 0, id="more-to-come"),
        pytest.param([row(n) for n in (1, 2, 3, 4)], 2, [1], None, 0, id="last-page"),
        pytest.param([row(1), bad_row(2), row(3)], 1, [3, 1], None, 1, id="bad-row-skipped"),
        pytest.param([bad_row(n) for n in (1, 2, 3, 4)], 1, [], 2, 3, id="only-bad-rows"),
        pytest.param([], 1, [], None, 0, id="no-data"),
    ],
)
def test_a_page_is_one_item_of_its_parsed_rows(
    spider, caplog, rows, page, stored, next_page, skipped
):
    expected = [replace(bill_from_row(row(n)), matched_by=KEYWORD) for n in stored]
    with caplog.at_level(logging.WARNING):
        items = list(spider.parse_page(api_response(rows, page)))

    batches = [item for item in items if isinstance(item, BillRecords)]
    versions = [item for item in items if isinstance(item, PageRead)]
    requests = [item for item in items if isinstance(item, scrapy.Request)]
    # Nothing else, and the page's bills before its hash, both before what follows.
    assert items == batches + versions + requests
    assert batches == ([BillRecords(SOURCE, expected)] if expected else [])
    # A page with a row left out gets no hash: it is parsed, and its row counted, each time.
    assert len(versions) == (1 if expected and not skipped else 0)
    pages = [parse_qs(urlsplit(request.url).query)["pIndex"] for request in requests]
    assert pages == ([[str(next_page)]] if next_page else [])
    assert spider.ctx.source(SOURCE).skipped == skipped
    assert sum("without a valid BILL_ID" in message for message in caplog.messages) == skipped


@pytest.mark.parametrize("fault", ["error337", "garbage"])
def test_a_failed_page_is_a_source_failure_and_no_records(spider, fault):
    items = list(spider.parse_page(api_response([row(1)], 1, fault)))
    assert [type(item) for item in items] == [SourceFailure]
    assert items[0].source == SOURCE


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
    store.bills.apply_bills([bill_from_row(row(n)) for n in STORED_BEFORE], None)
    store.close()
    with cycle_context(db) as ctx:
        store_pipeline = StorePipeline(ctx)
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


def page_of(n: int) -> tuple[BillRecords, PageRead]:
    """Page ``n`` (of three bills) as the spider yields it: its records, then its hash."""
    records = [bill_from_row(row(10 * n + i)) for i in range(3)]
    for record in records:
        record.matched_by = KEYWORD
    return BillRecords(SOURCE, records), PageRead(Validators(f"{API_URL}?p={n}", f"d{n}", None))


def items_of(pages: list[tuple[BillRecords, PageRead]]) -> list[Any]:
    return [item for page in pages for item in page]


def stored_ids(db: Path) -> set[str]:
    return {bill_id for bill_id, *_ in stored_rows(db)["bills"]}


@pytest.mark.parametrize("batch_size", [2, 500])
def test_a_digest_is_saved_only_once_its_page_is_stored(tmp_path, monkeypatch, batch_size):
    monkeypatch.setattr(pipeline, "BATCH_SIZE", batch_size)
    db = tmp_path / "tracker.db"
    pages = [page_of(n) for n in (1, 2, 3)]
    bills = {read.validators.url: {r.bill_id for r in batch.records} for batch, read in pages}
    saved: list[str] = []
    save = SavedValidators.save_pages

    def checked_save(self: SavedValidators, versions: list[Validators]) -> None:
        for version in versions:
            assert bills[version.url] <= stored_ids(db), "hash before its records"
            saved.append(version.url)
        save(self, versions)

    monkeypatch.setattr(SavedValidators, "save_pages", checked_save)
    with cycle_context(db) as ctx:
        store_pipeline = StorePipeline(ctx)
        for item in items_of(pages):
            store_pipeline.process_item(item)
        store_pipeline.close_spider()  # records below the batch size are stored here, then hashes
    assert saved == list(bills)


def test_no_digest_is_saved_once_records_failed_to_store(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    db = tmp_path / "tracker.db"
    apply_bills = Bills.apply_bills
    calls = []

    def fail_first(self: Bills, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return apply_bills(self, *args, **kwargs)

    monkeypatch.setattr(Bills, "apply_bills", fail_first)
    with cycle_context(db) as ctx:
        store_pipeline = StorePipeline(ctx)
        for item in items_of([page_of(1), page_of(2)]):
            store_pipeline.process_item(item)
        store_pipeline.close_spider()
    # The run knows: the source failed (a partial run), in one line saying why.
    assert ctx.source(SOURCE).errors == [f"{SOURCE}: storing bills failed: database is locked"]
    assert run_status(ctx) == "partial"
    assert len(calls) > 2  # later records were stored...
    with closing(sqlite3.connect(db)) as conn:  # ...but no hash
        assert conn.execute("SELECT count(*) FROM page_versions").fetchall() == [(0,)]
