"""What each spider needs to know from the database, read from the cycle's store when it starts.

Spiders never open the database: each asks its run context for its plan
(``ctx.plan_for(bill_pages_plan)``), plain values read here. So which pages a cycle visits is
decided, and can be tested, without a crawl.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from w3lib.url import safe_url_string

from tracker.config import AssemblySection
from tracker.crawl.context import RunContext, subject_source
from tracker.domain import stages
from tracker.domain.revisit import PageState, RevisitPolicy, Visit, plan_visits
from tracker.domain.validators import StoredPage, Validators
from tracker.parsers.assembly import endpoint_url
from tracker.parsers.likms import DETAIL_PATH, DETAIL_SOURCE, detail_url
from tracker.store.database import Store
from tracker.timeutil import now

# ``matched_by`` of a bill the config names by id that no source found yet.
WATCHLIST = "watchlist"


@dataclass(frozen=True)
class AssemblyPlan:
    """The Open API pages as last stored in full (by URL without the key), the 의안번호 to
    ask for one by one, and when the crawl started, which the pages' ages are taken at."""

    stored_pages: dict[str, StoredPage]
    followed_numbers: list[str]
    started_at: datetime


def assembly_plan(store: Store, ctx: RunContext) -> AssemblyPlan:
    config = ctx.config
    assembly = config.sources.assembly
    # Pages are stored under the URL Scrapy fetched, which a Request puts in its normal form
    # (scheme and host lower-cased, the path percent-encoded, as safe_url_string does): so
    # is the prefix.
    prefix = f"{safe_url_string(endpoint_url(assembly.api_base, assembly.endpoint))}?"
    return AssemblyPlan(
        store.validators.pages(prefix),
        store.follows.followed_numbers(config.watch.bill_nos),
        now(config.tracker.timezone),
    )


@dataclass(frozen=True)
class BillPagesPlan:
    """The bills whose pages to read, in order, with the ``matched_by`` to store a bill the
    pages find with (None for a tracked bill); how many tracked bills wait for their turn;
    and the stored bill ids by 의안번호, to name an alternative without asking the API."""

    visits: dict[str, str | None]
    skipped: int
    known_numbers: dict[str, str]


def bill_pages_plan(store: Store, ctx: RunContext, at: datetime | None = None) -> BillPagesPlan:
    """Which bills' pages the cycle ``ctx.run_id`` reads, by the rule explained in
    :mod:`tracker.domain.revisit`."""
    config = ctx.config
    section = config.sources.assembly
    if not section.bill_pages:
        return BillPagesPlan({}, 0, {})
    tracked = store.bills.tracked_stages()
    # A full check reads every tracked bill; any other, those not in a final stage.
    in_progress = [
        b for b, stage in tracked.items() if ctx.full or not (stage and stages.is_final(stage))
    ]
    unfollowed = store.follows.unfollowed_bill_ids()
    watched = [b for b in config.watch.bill_ids if b not in {*tracked, *unfollowed}]
    ended = store.bills.ended_in_run(ctx.run_id) + store.bills.folded_without_alternative()
    failing = store.runs.failing_sources()
    base = section.bill_page_base.rstrip("/")
    pages = store.validators.pages(f"{base}{DETAIL_PATH}?")
    last_steps = store.bills.last_step_dates()
    states = {}
    for bill_id in dict.fromkeys([*in_progress, *watched]):
        page = pages.get(detail_url(base, bill_id))
        states[bill_id] = PageState(
            last_steps.get(bill_id),
            page.fetched_at if page else None,
            page.checked_at if page else None,
            failing=subject_source(DETAIL_SOURCE, bill_id) in failing,
        )
    plan = (
        dict.fromkeys(states, Visit.READ)
        if ctx.full
        else plan_visits(states, at or now(config.tracker.timezone), revisit_policy(section))
    )
    plan.update(dict.fromkeys(ended, Visit.READ))
    return BillPagesPlan(
        {
            bill_id: None if bill_id in tracked else WATCHLIST
            for bill_id, visit in plan.items()
            if visit is Visit.READ
        },
        sum(visit is Visit.SKIP for visit in plan.values()),
        store.bills.ids_by_number(),
    )


def revisit_policy(section: AssemblySection) -> RevisitPolicy:
    return RevisitPolicy(section.active_days, section.quiet_pages_per_cycle)


@dataclass(frozen=True)
class NewsPlan:
    """Each feed's validators from its last full read, for a conditional GET."""

    validators: dict[str, Validators]


def news_plan(store: Store, ctx: RunContext) -> NewsPlan:
    return NewsPlan(store.validators.feeds())
