"""An Open API page whose body is the one last stored is not parsed again: its bills are seen
unchanged. Without a crawl: the replica's answers are fed to the spider and its items to the
store pipeline, one cycle after another."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import scrapy
import time_machine
from scrapy.http import TextResponse

from spiders.assembly_api import AssemblyApiSpider, page_key
from tests.test_assembly_api_batches import (
    API_URL,
    KEYWORD,
    PAGE_SIZE,
    api_response,
    bad_row,
    cycle_context,
    row,
    stored_rows,
)
from tracker.config import load_config
from tracker.crawl.context import RunContext
from tracker.crawl.items import BillRecords, PageRead, UnchangedPage
from tracker.crawl.pipeline import StorePipeline
from tracker.crawl.plan import assembly_plan
from tracker.demo.replica.assembly import advance
from tracker.domain.validators import Validators
from tracker.parsers import assembly
from tracker.parsers.assembly import SOURCE, body_hash
from tracker.store.database import open_store

START = datetime.fromisoformat("2026-07-01T09:00:00+09:00")
ROWS = [row(n) for n in (1, 2, 3, 4)]  # two pages: bills 4, 3, 2 and then bill 1
FIRST_PAGE = [row(n)["BILL_ID"] for n in (4, 3, 2)]
API_KEY = "test-key"


def test_page_key_leaves_out_the_api_key_and_keeps_the_rest():
    url = f"{API_URL}?Type=json&KEY=secret-key&pIndex=2&pSize=100&AGE=22&BILL_NAME=해오름+산업벨트"
    key = page_key(url)
    assert "secret-key" not in key and "KEY" not in key
    assert key.startswith(f"{API_URL}?")
    assert parse_qsl(urlsplit(key).query) == [
        ("Type", "json"), ("pIndex", "2"), ("pSize", "100"), ("AGE", "22"),
        ("BILL_NAME", "해오름 산업벨트"),
    ]  # fmt: skip
    assert page_key(url.replace("KEY=secret-key&", "")) == key


def test_body_hash_follows_the_body_and_the_parser(monkeypatch):
    body = api_response(ROWS, 1).body
    page_hash = body_hash(body)
    assert len(page_hash) == 32 and page_hash == body_hash(body)
    assert body_hash(api_response(ROWS, 2).body) != page_hash
    monkeypatch.setattr(assembly, "PARSER_REVISION", assembly.PARSER_REVISION + 1)
    assert body_hash(body) != page_hash


@dataclass
class Cycle:
    """What one cycle's spider yielded for a page, and the counts the pipeline kept."""

    items: list[Any]
    stats: dict[str, Any]

    def kinds(self) -> list[type]:
        return [type(item) for item in self.items]

    def of(self, kind: type) -> list[Any]:
        return [item for item in self.items if isinstance(item, kind)]


def page_response(rows: list[dict[str, Any]]) -> TextResponse:
    """The replica's first page of ``rows``, at the URL the spider asks for it (key included)."""
    query = {"Type": "json", "pIndex": 1, "pSize": PAGE_SIZE, "KEY": API_KEY, "AGE": 22}
    url = f"{API_URL}?{urlencode({**query, 'BILL_NAME': KEYWORD})}"
    return api_response(rows, 1).replace(url=url)


PAGE_KEY = page_key(page_response(ROWS).url)


def run_cycle(db: Path, rows: list[dict[str, Any]], minutes: float, full: bool = False) -> Cycle:
    """One cycle ``minutes`` after START: the first page of ``rows`` through spider and pipeline."""
    at = START + timedelta(minutes=minutes)
    with time_machine.travel(at, tick=False), cycle_context(db) as ctx:
        ctx.full = full
        spider = AssemblyApiSpider(ctx=ctx)
        spider.page_size = PAGE_SIZE
        spider.plan = ctx.plan_for(assembly_plan)
        items = list(spider.parse_page(page_response(rows)))
        store_pipeline = StorePipeline(ctx)
        for item in items:
            if not isinstance(item, scrapy.Request):
                store_pipeline.process_item(item)
        store_pipeline.close_spider()
    return Cycle(items, ctx.source(SOURCE).as_dict())


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def stamp(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def test_an_unchanged_page_is_seen_not_parsed_and_only_its_check_times_move(tmp_path):
    db = tmp_path / "tracker.db"
    first = run_cycle(db, ROWS, 0)
    assert first.kinds() == [BillRecords, PageRead, scrapy.Request]
    page_hash = body_hash(page_response(ROWS).body)
    assert first.of(PageRead) == [PageRead(Validators(PAGE_KEY, page_hash, None))]
    assert API_KEY not in PAGE_KEY
    history = stored_rows(db)

    second = run_cycle(db, ROWS, 30)

    assert second.kinds() == [UnchangedPage, scrapy.Request]  # the next page is still asked
    assert second.of(UnchangedPage) == [UnchangedPage(SOURCE, PAGE_KEY, tuple(FIRST_PAGE))]
    assert second.stats == first.stats | {"changes": 0}  # items counted per bill, as parsed
    assert stored_rows(db) == history
    checked = query(db, "SELECT bill_id, last_checked_at, last_changed_at FROM bills")
    assert sorted(checked) == sorted((b, stamp(30), stamp(0)) for b in FIRST_PAGE)
    assert query(db, "SELECT url, fetched_at, checked_at FROM page_versions") == [
        (PAGE_KEY, stamp(0), stamp(30))
    ]


def test_a_changed_page_is_parsed_and_its_new_digest_stored(tmp_path):
    db = tmp_path / "tracker.db"
    run_cycle(db, ROWS, 0)
    moved = [row(n) for n in (1, 2, 3, 4)]
    advance(moved[2], "judiciary_review", "2026-06-30")  # bill 3

    second = run_cycle(db, moved, 30)

    assert second.kinds() == [BillRecords, PageRead, scrapy.Request]
    assert second.stats["changes"] == 1
    assert query(
        db, "SELECT bill_id, field, new_value FROM bill_changes WHERE kind = 'changed'"
    ) == [(row(3)["BILL_ID"], "stage", "judiciary_review")]
    page_hash = body_hash(page_response(moved).body)
    assert query(db, "SELECT url, etag, fetched_at FROM page_versions") == [
        (PAGE_KEY, page_hash, stamp(30))
    ]
    assert run_cycle(db, moved, 60).kinds() == [UnchangedPage, scrapy.Request]


@pytest.mark.parametrize(
    ("minutes", "full"),
    [
        pytest.param(30, True, id="full-check"),
        pytest.param(6 * 60, False, id="read-refresh-hours-ago"),
    ],
)
def test_an_unchanged_page_is_parsed_in_a_full_check_and_once_its_read_is_old(
    tmp_path, minutes, full
):
    db = tmp_path / "tracker.db"
    first = run_cycle(db, ROWS, 0)
    history = stored_rows(db)

    again = run_cycle(db, ROWS, minutes, full)

    assert again.kinds() == [BillRecords, PageRead, scrapy.Request]
    assert again.stats == first.stats | {"changes": 0}
    assert stored_rows(db) == history
    assert query(db, "SELECT fetched_at FROM page_versions") == [(stamp(minutes),)]


def test_a_page_with_a_bad_row_gets_no_digest_and_counts_it_every_cycle(tmp_path):
    db = tmp_path / "tracker.db"
    rows = [row(1), bad_row(2), row(3)]
    for minutes in (0, 30):
        cycle = run_cycle(db, rows, minutes)
        assert cycle.kinds() == [BillRecords]
        assert (cycle.stats["items"], cycle.stats["skipped"]) == (2, 1)
    assert query(db, "SELECT count(*) FROM page_versions") == [(0,)]


def test_stored_digests_are_found_when_the_configured_api_base_is_not_in_normal_form(tmp_path):
    """Pages are stored under the URL Scrapy fetched (scheme and host lower-cased), so the
    spider's plan must look them up under that form, whatever case the config spells the base
    in."""
    db = tmp_path / "tracker.db"
    config = db.with_suffix(".toml")
    base = "HTTPS://Open.Assembly.go.kr/portal/openapi/"
    config.write_text(
        f'[tracker]\ndb = "{db.as_posix()}"\n[sources.assembly]\napi_base = "{base}"\n',
        encoding="utf-8",
    )
    with closing(open_store(db)) as store:
        store.validators.save_pages([Validators(PAGE_KEY, "hash", None)])
        ctx = RunContext(load_config(str(config), env={}), store=store)
        assert list(assembly_plan(store, ctx).stored_pages) == [PAGE_KEY]
