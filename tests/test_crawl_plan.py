"""What each spider is told to do, read from a real database before a crawl, without one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tracker.config import load_config
from tracker.crawl.context import RunContext
from tracker.crawl.plan import (
    WATCHLIST,
    AssemblyPlan,
    BillPagesPlan,
    assembly_plan,
    bill_pages_plan,
    news_plan,
)
from tracker.domain.bills import BillRecord
from tracker.domain.validators import Validators
from tracker.parsers.likms import detail_url
from tracker.store.database import Store, open_store

AT = datetime.fromisoformat("2026-07-01T09:00:00+09:00")
PAGES = "https://likms.assembly.go.kr/bill"
API = "https://open.assembly.go.kr/portal/openapi/TVBPMBILL11"


def write_config(db: Path, extra: str = "") -> Path:
    config = db.with_suffix(".toml")
    config.write_text(
        f'[tracker]\ndb = "{db.as_posix()}"\n{extra}',
        encoding="utf-8",
    )
    return config


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with closing(open_store(tmp_path / "tracker.db")) as store:
        yield store


def context(store: Store, tmp_path: Path, extra: str = "", **kwargs: Any) -> RunContext:
    config = load_config(str(write_config(tmp_path / "tracker.db", extra)), env={})
    return RunContext(config, store=store, **kwargs)


def bill(bill_id: str, stage: str, days_ago: int, bill_no: str) -> BillRecord:
    """A bill whose latest dated step (its proposal) was ``days_ago`` days before AT."""
    proposed = (AT - timedelta(days=days_ago)).date().isoformat()
    return BillRecord(
        bill_id, "assembly_api", stage=stage, bill_no=bill_no, title=bill_id, proposed_on=proposed
    )


def read_pages(store: Store, when: datetime, *bill_ids: str) -> None:
    with time_machine.travel(when, tick=False):
        store.validators.save_pages(
            [Validators(detail_url(PAGES, b), None, None) for b in bill_ids]
        )


@pytest.fixture
def bills(store: Store) -> int:
    """Bills in every state a plan tells apart; returns the run the check is in."""
    store.bills.apply_bills(
        [
            bill("ACTIVE", "committee_review", 5, "2200001"),
            bill("QUIET_OLD", "committee_review", 60, "2200002"),
            bill("QUIET_NEW", "committee_review", 60, "2200003"),
            bill("QUIET_NEVER_READ", "committee_review", 60, "2200004"),
            bill("QUIET_FAILING", "committee_review", 60, "2200005"),
            bill("PROMULGATED", "promulgated", 60, "2200006"),
            bill("FOLDED", "replaced_by_alternative", 60, "2200007"),
            bill("ENDING", "committee_review", 60, "2200008"),
            bill("UNFOLLOWED", "committee_review", 5, "2200009"),
        ],
        store.runs.start(),
    )
    read_pages(store, AT - timedelta(hours=3), "ACTIVE", "QUIET_OLD", "QUIET_FAILING", "ENDING")
    read_pages(store, AT - timedelta(hours=2), "QUIET_NEW", "PROMULGATED", "FOLDED")
    store.runs.record_source_result("bill_page:QUIET_FAILING", "layout", 3, 86400)
    store.follows.set_state("2200009", "unfollowed")
    run = store.runs.start()
    store.bills.apply_bills([bill("ENDING", "passed", 60, "2200008")], run)
    store.bills.apply_bills([bill("ENDING", "promulgated", 60, "2200008")], run)
    return run


ONE_QUIET = "[sources.assembly]\nquiet_pages_per_cycle = 1\n"


def test_a_cycle_reads_active_new_failing_and_ending_bills_and_one_quiet_bill_in_turn(
    store, bills, tmp_path
):
    watch = '[watch]\nbill_ids = ["NOT_STORED_YET", "UNFOLLOWED", "ACTIVE"]\n'
    ctx = context(store, tmp_path, ONE_QUIET + watch, run_id=bills)
    plan = bill_pages_plan(store, ctx, AT)
    assert plan.visits == {
        "ACTIVE": None,
        "QUIET_NEVER_READ": None,  # never read: at once
        "QUIET_FAILING": None,  # its last read failed: again
        "QUIET_OLD": None,  # the quiet bill checked longest ago takes this cycle's turn
        "NOT_STORED_YET": WATCHLIST,
        "ENDING": None,  # moved to a final stage in this very cycle
        "FOLDED": None,  # folded into an alternative not known yet
    }
    assert plan.skipped == 1  # QUIET_NEW waits for its turn
    assert plan.known_numbers["2200007"] == "FOLDED"


def test_the_next_cycle_gives_the_turn_to_the_other_quiet_bill(store, bills, tmp_path):
    ctx = context(store, tmp_path, ONE_QUIET, run_id=bills + 1)
    read_pages(store, AT - timedelta(hours=1), "QUIET_OLD")
    plan = bill_pages_plan(store, ctx, AT)
    assert "QUIET_NEW" in plan.visits and "QUIET_OLD" not in plan.visits
    assert "ENDING" not in plan.visits  # it ended in an earlier cycle


def test_a_full_check_reads_every_tracked_bill_but_the_unfollowed(store, bills, tmp_path):
    ctx = context(store, tmp_path, ONE_QUIET, run_id=bills, full=True)
    plan = bill_pages_plan(store, ctx, AT)
    tracked = {"ACTIVE", "QUIET_OLD", "QUIET_NEW", "QUIET_NEVER_READ", "QUIET_FAILING"}
    assert set(plan.visits) == tracked | {"PROMULGATED", "FOLDED", "ENDING"}
    assert plan.skipped == 0


def test_without_bill_pages_the_plan_is_empty(store, bills, tmp_path):
    ctx = context(store, tmp_path, "[sources.assembly]\nbill_pages = false\n", run_id=bills)
    assert bill_pages_plan(store, ctx, AT) == BillPagesPlan({}, 0, {})


def test_the_api_plan_has_its_own_pages_and_the_numbers_followed(store, tmp_path):
    api_page = Validators(f"{API}?Type=json&pIndex=1", "digest", None)
    with time_machine.travel(AT, tick=False):
        store.validators.save_pages([api_page, Validators(detail_url(PAGES, "A"), None, None)])
    store.follows.set_state("2200002", "followed")
    store.follows.set_state("2200003", "unfollowed")
    ctx = context(store, tmp_path, '[watch]\nbill_nos = ["2200001", "2200003"]\n')
    later = AT + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        plan = assembly_plan(store, ctx)
    assert plan == AssemblyPlan(
        {api_page.url: plan.stored_pages[api_page.url]}, ["2200001", "2200002"], later
    )
    assert plan.stored_pages[api_page.url].validators == api_page
    assert plan.stored_pages[api_page.url].fetched_at == AT


def test_the_news_plan_has_each_feeds_validators(store, tmp_path):
    feed = Validators("https://k.kr/rss", '"v1"', "Mon, 01 Jun 2026 00:00:00 GMT")
    store.news.add([], [feed], store.runs.start())
    assert news_plan(store, context(store, tmp_path)).validators == {feed.url: feed}


def test_a_context_gives_plans_from_its_store_only(store, tmp_path):
    ctx = context(store, tmp_path)
    assert ctx.plan_for(news_plan).validators == {}
    ctx.store = None
    with pytest.raises(RuntimeError, match="no open store"):
        ctx.plan_for(news_plan)
