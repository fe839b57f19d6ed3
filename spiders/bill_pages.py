"""Bill pages spider: reads each tracked bill's page on the Assembly's bill information system.

For every bill in the store that is not in a final stage (every bill with ``tracker check
--full``) and every ``[watch] bill_ids`` entry not stored yet, it GETs the shell page
``{bill_page_base}/bi/billDetailPage.do?billId=…`` and then POSTs its hidden form to
``{bill_page_base}/bi/bill/detail/billInfo.do`` with the CSRF token in the header the page
names and the shell as Referer. Each bill has its own cookie jar, so a page's token always
goes back with the session it was issued to. URLs are built from ``bill_page_base`` and the
BILL_ID only; the API's ``LINK_URL`` is never fetched.

A bill folded into a committee alternative names it in ``#altr_list``: the alternative's pages
are read in the same crawl and stored with ``matched_by = 'alternative:<old bill_id>'``.

Failures are per bill: an HTTP error, a maintenance page or a page that no longer parses is a
``SourceFailure`` with the bill as its subject, tracked as the source ``bill_page:<bill_id>``,
and changes nothing stored. A bill whose pages parsed counts as a success of that source, so
a broken page alerts once after the failure threshold and sends a recovery notice when fixed.

Which bills are visited, and how, is ``tracker.revisit``'s decision: every cycle for a bill
with a recent dated step, ``quiet_pages_per_cycle`` quiet ones a cycle in turn, in full when
never read, when its last read failed, at least every ``page_refresh_hours`` and at the
plenary; otherwise conditionally. A conditional visit sends the shell's stored ``ETag`` /
``Last-Modified``, and a 304 ends the bill's visit: nothing is parsed, posted or stored but the
time of the check. The fragment is a POST, never answered conditionally, so the decision rests
on the shell: its ``currCmtName`` is the bill's current step (an ending such as 대안반영폐기
where the site shows one), which moves with every stage change but one: the step stays 본회의
심의 when the plenary votes. So a bill stored at ``plenary`` is always read in full, and for
the others an unchanged shell stands for an unchanged stage. What the shell does not carry (a
new dated step within a stage, a corrected summary, an ending the site might not put in
``currCmtName``) is read at the latest when the refresh interval runs out, and the Open API is
still asked every cycle. Every bill in a ``--full`` check is fetched unconditionally.
Validators are stored after the bill's record, only for pages that parsed. (The live shell
embeds a per-session CSRF token; if the site's validators follow it, it simply never answers
304 and every page is read in full.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy

from spiders.base import TrackerSpider, conditional_headers, response_validators
from tracker.config import AssemblySection
from tracker.errors import ParseError, SourceError
from tracker.models import PageChecked, PageVersion
from tracker.parsers.likms import (
    DETAIL_SOURCE,
    DetailPage,
    bill_from_pages,
    parse_bill_info,
    parse_detail_page,
)
from tracker.revisit import PageState, RevisitPolicy, Visit, plan_visits
from tracker.runcontext import subject_source
from tracker.store import open_store
from tracker.timeutil import now

SOURCE = DETAIL_SOURCE
MENU_NO = "2600044"
# The shell's step stays 본회의 심의 when the plenary votes: only the fragment shows the vote.
SHELL_BLIND_STAGE = "plenary"
OWN_META = ("source", "subject", "cookiejar", "matched_by", "handle_httpstatus_list")


class BillPagesSpider(TrackerSpider):
    name = "bill_pages"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        config = self.ctx.config
        if not config.sources.assembly.bill_pages:
            return
        store = open_store(config.tracker.db, config.tracker.timezone)
        try:
            bill_ids = store.tracked_bill_ids(include_final=self.ctx.full)
            tracked = set(bill_ids)
            watched = [b for b in config.watch.bill_ids if store.get_bill(b) is None]
            failing = store.failing_sources()
            blind = {b["bill_id"] for b in store.bills("stage = ?", [SHELL_BLIND_STAGE])}
            pages = store.page_versions(f"{self.detail_page()}?")
            last_steps = store.last_step_dates()
        finally:
            store.close()
        self.versions = {url: page.version for url, page in pages.items()}
        self.requested: set[str] = set()
        states = {}
        for bill_id in dict.fromkeys([*bill_ids, *watched]):
            page = pages.get(self.detail_url(bill_id))
            states[bill_id] = PageState(
                last_steps.get(bill_id),
                page.fetched_at if page else None,
                page.checked_at if page else None,
                shell_blind=bill_id in blind,
                failing=subject_source(SOURCE, bill_id) in failing,
            )
        at = now(config.tracker.timezone)
        plan = (
            dict.fromkeys(states, Visit.FULL)
            if self.ctx.full
            else plan_visits(states, at, revisit_policy(config.sources.assembly))
        )
        for bill_id, visit in plan.items():
            if visit is Visit.SKIP:
                self.ctx.source(SOURCE).skipped += 1
                continue
            matched_by = None if bill_id in tracked else "watchlist"
            yield self.detail_request(bill_id, matched_by, visit is Visit.CONDITIONAL)

    def detail_page(self) -> str:
        """The bill page's URL without its query."""
        return f"{self.ctx.config.sources.assembly.bill_page_base.rstrip('/')}/bi/billDetailPage.do"

    def detail_url(self, bill_id: str) -> str:
        query = urlencode({"billId": bill_id, "currMenuNo": MENU_NO})
        return f"{self.detail_page()}?{query}"

    def detail_request(
        self, bill_id: str, matched_by: str | None, conditional: bool = False
    ) -> scrapy.Request:
        self.requested.add(bill_id)
        url = self.detail_url(bill_id)
        headers = conditional_headers(self.versions.get(url) if conditional else None)
        meta = {
            "subject": bill_id,
            "cookiejar": bill_id,
            "matched_by": matched_by,
            "handle_httpstatus_list": [304],
        }
        return self.source_request(url, SOURCE, self.parse_detail, meta, headers=headers)

    def parse_detail(self, response: scrapy.http.Response) -> Iterator[Any]:
        bill_id = response.meta["subject"]
        if response.status == 304:
            self.ctx.source(SOURCE).skipped += 1
            yield PageChecked(self.detail_url(bill_id))
            return
        try:
            page = parse_detail_page(response.text)
            if page.bill_id != bill_id:
                raise ParseError(SOURCE, f"page of {page.bill_id} served for {bill_id}")
            if not page.csrf_token:
                raise ParseError(SOURCE, 'meta[name="_csrf"] missing')
        except (ParseError, SourceError) as exc:
            yield self.failure_from_error(SOURCE, exc, bill_id)
            return
        version = PageVersion(self.detail_url(bill_id), *response_validators(response))
        base = self.ctx.config.sources.assembly.bill_page_base.rstrip("/")
        yield self.source_request(
            f"{base}/bi/bill/detail/billInfo.do",
            SOURCE,
            self.parse_info,
            {**_own_meta(response), "page": page, "version": version},
            scrapy.FormRequest,
            formdata=page.form_fields,
            headers={page.csrf_header: page.csrf_token, "Referer": response.url},
        )

    def parse_info(self, response: scrapy.http.Response) -> Iterator[Any]:
        page: DetailPage = response.meta["page"]
        try:
            record = bill_from_pages(page, parse_bill_info(response.text))
        except (ParseError, SourceError) as exc:
            yield self.failure_from_error(SOURCE, exc, page.bill_id)
            return
        record.matched_by = response.meta["matched_by"]
        # This bill's own source, without errors, is what records its page as working again.
        self.ctx.source(subject_source(SOURCE, page.bill_id)).items += 1
        yield record
        yield response.meta["version"]
        if record.replaced_by and record.replaced_by not in self.requested:
            yield self.detail_request(record.replaced_by, f"alternative:{page.bill_id}")


def revisit_policy(section: AssemblySection) -> RevisitPolicy:
    return RevisitPolicy(
        section.active_days, section.quiet_pages_per_cycle, section.page_refresh_hours
    )


def _own_meta(response: scrapy.http.Response) -> dict[str, Any]:
    """The request meta this spider set, without what Scrapy added on the way."""
    return {key: response.meta[key] for key in OWN_META}
