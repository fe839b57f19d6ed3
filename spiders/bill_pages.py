"""Bill pages spider: reads each tracked bill's page on the Assembly's bill information system.

For each bill it GETs the shell page ``{bill_page_base}/bi/billDetailPage.do?billId=…`` and
POSTs every field of its ``form#form`` to ``{bill_page_base}/bi/bill/detail/billInfo.do`` with
the page's ``_csrf`` meta as ``X-CSRF-TOKEN`` and the shell as Referer. Each bill has its own
cookie jar, so a page's token always goes back with the session it was issued to. URLs are
built from ``bill_page_base`` and the BILL_ID only; the API's ``LINK_URL`` is never fetched.

When the fragment says the bill was folded into a committee alternative (대안반영폐기,
본회의불부의) or the bill is one (proposed by a committee chair), the same form goes to
``anBillInfo.do``: its first 대안반영 table names the alternative, its first 대안반영폐기
table every bill folded into it. The relation is stored for each of them; a number the rows
give without a bill id is turned into one with the Open API (``BILL_NO=``). The alternative's
pages are read in the same crawl and it is stored with ``matched_by = 'alternative:<id>'``.
So a bill costs two requests a cycle, three when the alternative endpoint has something to
say, and one Open API request the first time an alternative is found.

Failures are per bill: an HTTP error, a maintenance page or a page that no longer parses is a
``SourceFailure`` with the bill as its subject, tracked as the source ``bill_page:<bill_id>``,
and changes nothing stored. A bill whose pages parsed counts as a success of that source, so
a broken page alerts once after the failure threshold and sends a recovery notice when fixed.
When only the alternative endpoint fails, what ``billInfo.do`` said is stored and the bill's
source fails for the run.

Which bills are visited is planned from the database when the spider starts
(:func:`tracker.crawl.plan.bill_pages_plan`, by the rule explained in
:mod:`tracker.domain.revisit`). ``page_versions`` keeps when each bill's pages were last read
in full, for the quiet bills' turns, and only for pages that parsed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from twisted.python.failure import Failure

from spiders.base import TrackerSpider
from tracker.crawl.context import subject_source
from tracker.crawl.items import PageRead, SourceFailure
from tracker.crawl.plan import bill_pages_plan
from tracker.domain.bills import AlternativeFold, BillRecord
from tracker.domain.validators import Validators
from tracker.errors import ParseError, SourceError
from tracker.parsers import assembly as api
from tracker.parsers.likms import (
    ALTERNATIVE,
    ALTERNATIVE_SOURCE,
    ALTERNATIVES_PATH,
    CSRF_HEADER,
    DETAIL_SOURCE,
    FOLDED,
    INFO_PATH,
    Alternatives,
    BillRef,
    DetailPage,
    bill_from_pages,
    detail_url,
    needs_alternatives,
    parse_alternatives,
    parse_bill_info,
    parse_detail_page,
)

SOURCE = DETAIL_SOURCE
OWN_META = ("source", "subject", "cookiejar", "matched_by")
FOLDED_RESULT = "대안반영폐기"


class BillPagesSpider(TrackerSpider):
    name = "bill_pages"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        plan = self.ctx.plan_for(bill_pages_plan)
        self.known_numbers = dict(plan.known_numbers)
        self.requested: set[str] = set()
        self.ctx.source(SOURCE).skipped += plan.skipped
        for bill_id, matched_by in plan.visits.items():
            yield self.detail_request(bill_id, matched_by)

    def base(self) -> str:
        return self.ctx.config.sources.assembly.bill_page_base.rstrip("/")

    def detail_url(self, bill_id: str) -> str:
        return detail_url(self.base(), bill_id)

    def detail_request(self, bill_id: str, matched_by: str | None) -> scrapy.Request:
        self.requested.add(bill_id)
        meta = {"subject": bill_id, "cookiejar": bill_id, "matched_by": matched_by}
        return self.source_request(self.detail_url(bill_id), SOURCE, self.parse_detail, meta)

    def form_request(
        self,
        response: scrapy.http.Response,
        path: str,
        callback: Any,
        errback: Any = None,
        **meta: Any,
    ) -> scrapy.Request:
        """POST the shell's whole ``form#form`` to one of its fragments, with its token."""
        page: DetailPage = meta["page"]
        return self.source_request(
            f"{self.base()}{path}",
            SOURCE,
            callback,
            {**_own_meta(response), **meta},
            scrapy.FormRequest,
            errback,
            formdata=page.form_fields,
            headers={CSRF_HEADER: page.csrf_token, "Referer": meta["referer"]},
        )

    def parse_detail(self, response: scrapy.http.Response) -> Iterator[Any]:
        bill_id = response.meta["subject"]
        try:
            page = parse_detail_page(response.text)
            if page.bill_id != bill_id:
                raise ParseError(SOURCE, f"page of {page.bill_id} served for {bill_id}")
            if not page.csrf_token:
                raise ParseError(SOURCE, 'meta[name="_csrf"] missing')
        except (ParseError, SourceError) as exc:
            yield self.failure_from_error(SOURCE, exc, bill_id)
            return
        # No validators: the page is never asked for conditionally (see tracker.domain.revisit).
        version = Validators(self.detail_url(bill_id), None, None)
        yield self.form_request(
            response, INFO_PATH, self.parse_info, page=page, version=version, referer=response.url
        )

    def parse_info(self, response: scrapy.http.Response) -> Iterator[Any]:
        page: DetailPage = response.meta["page"]
        try:
            info = parse_bill_info(response.text)
            record = bill_from_pages(page, info)
        except (ParseError, SourceError) as exc:
            yield self.failure_from_error(SOURCE, exc, page.bill_id)
            return
        record.matched_by = response.meta["matched_by"]
        if needs_alternatives(page, info):
            yield self.form_request(
                response,
                ALTERNATIVES_PATH,
                self.parse_alternatives,
                errback=self.on_alternatives_error,
                record=record,
                **_keep(response.meta, "page", "version", "referer"),
            )
            return
        yield from self.finish(record, response.meta["version"])

    def parse_alternatives(self, response: scrapy.http.Response) -> Iterator[Any]:
        page: DetailPage = response.meta["page"]
        record: BillRecord = response.meta["record"]
        try:
            found = parse_alternatives(response.text)
            # Only a bill without an alternative tab (본회의불부의) may answer without them.
            if not found.found and record.result == FOLDED_RESULT:
                missing = f"tables captioned {ALTERNATIVE}/{FOLDED} missing"
                raise ParseError(ALTERNATIVE_SOURCE, missing)
        except (ParseError, SourceError) as exc:
            failure = self.failure_from_error(SOURCE, exc, page.bill_id)
            yield from self.store_without_alternative(record, failure)
            return
        ref = found.alternative
        if ref is None:
            # Not named yet: the bill stays without a known alternative and is asked again.
            yield from self.finish(record, response.meta["version"])
            return
        alternative_id = self.bill_id_of(ref, page)
        if alternative_id is None:
            yield self.lookup_request(response, ref, found)
            return
        yield from self.conclude(response.meta, found, alternative_id)

    def bill_id_of(self, ref: BillRef, page: DetailPage) -> str | None:
        if ref.bill_no == page.bill_no:
            return page.bill_id
        return ref.bill_id or self.known_numbers.get(ref.bill_no)

    def lookup_request(
        self, response: scrapy.http.Response, ref: BillRef, found: Alternatives
    ) -> scrapy.Request:
        """Ask the Open API which bill id the alternative's number is."""
        assembly = self.ctx.config.sources.assembly
        key = self.ctx.config.secrets.assembly_api_key
        url = api.api_url(assembly.api_base, assembly.endpoint, key, {"BILL_NO": ref.bill_no})
        meta = {**_keep(response.meta, "page", "version", "record", "matched_by"), "found": found}
        return self.source_request(
            url, api.SOURCE, self.parse_lookup, meta, errback=self.on_alternatives_error
        )

    def parse_lookup(self, response: scrapy.http.Response) -> Iterator[Any]:
        found: Alternatives = response.meta["found"]
        assert found.alternative is not None
        wanted = found.alternative.bill_no
        try:
            rows = api.parse_api_page(response.body, self.ctx.config.sources.assembly.endpoint).rows
        except (ParseError, SourceError) as exc:
            failure = self.failure_from_error(SOURCE, exc, response.meta["page"].bill_id)
            yield from self.store_without_alternative(response.meta["record"], failure)
            return
        matching = (r for r in rows if str(r.get("BILL_NO")) == wanted and api.row_bill_id(r))
        row = next(matching, None)
        if row is None:
            # The API does not list it yet: the bill stays without a known alternative.
            yield from self.finish(response.meta["record"], response.meta["version"])
            return
        alternative = api.bill_from_row(row)
        alternative.matched_by = f"alternative:{response.meta['page'].bill_id}"
        self.known_numbers[wanted] = alternative.bill_id
        yield alternative
        yield from self.conclude(response.meta, found, alternative.bill_id)

    def conclude(
        self, meta: dict[str, Any], found: Alternatives, alternative_id: str
    ) -> Iterator[Any]:
        """Store the bill (naming its alternative when it was folded into one), the relation,
        and follow the alternative."""
        page: DetailPage = meta["page"]
        record: BillRecord = meta["record"]
        assert found.alternative is not None
        if alternative_id != page.bill_id and record.result in (FOLDED_RESULT, "본회의불부의"):
            record.replaced_by = alternative_id
            record.replaced_by_title = found.alternative.title
        yield from self.finish(record, meta["version"])
        known = self.known_numbers
        folded = tuple((ref.bill_no, ref.bill_id or known.get(ref.bill_no)) for ref in found.folded)
        yield AlternativeFold(alternative_id, folded)
        if alternative_id not in self.requested:
            yield self.detail_request(alternative_id, f"alternative:{page.bill_id}")

    def finish(self, record: BillRecord, version: Validators | None) -> Iterator[Any]:
        # This bill's own source, without errors, is what records its page as working again.
        self.ctx.source(subject_source(SOURCE, record.bill_id)).items += 1
        yield record
        if version is not None:
            yield PageRead(version)

    def store_without_alternative(self, record: BillRecord, failure: Any) -> Iterator[Any]:
        """What billInfo.do said is stored; the bill's source fails for the run, and with no
        validators saved its pages are read in full next time."""
        yield from self.finish(record, None)
        yield failure

    def on_alternatives_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        for item in self.on_request_error(failure):
            bill_failure = SourceFailure(SOURCE, item.message, request.meta["page"].bill_id)
            yield from self.store_without_alternative(request.meta["record"], bill_failure)


def _own_meta(response: scrapy.http.Response) -> dict[str, Any]:
    """The request meta this spider set, without what Scrapy added on the way."""
    return {key: response.meta[key] for key in OWN_META}


def _keep(meta: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: meta[key] for key in keys}
