"""Assembly Open API spider: scans each term by bill name for every watch keyword and hands
each page's bills to the pipeline as one item.

The API sends no validators (``ETag``, ``Last-Modified``), so the spider makes its own: a page
stored in full leaves a hash of its body (and of the parser's version) in ``page_versions``,
under its URL without the API key. A page whose body has that hash again is not parsed
into records: its bills are handed on as seen unchanged, which moves only their
``last_checked_at``. A page is parsed in full anyway in a ``--full`` check and once its last
full read is ``page_refresh_hours`` old. A page with a row that does not parse gets no hash,
so its skipped row is counted every cycle.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy

from spiders.base import TrackerSpider
from tracker.crawl.items import BillRecords, PageRead, UnchangedPage
from tracker.crawl.plan import WATCHLIST, assembly_plan
from tracker.domain.bills import BillRecord
from tracker.domain.validators import StoredPage, Validators
from tracker.errors import ParseError, SourceError
from tracker.parsers.assembly import (
    KEY_PARAM,
    SOURCE,
    api_url,
    bill_from_row,
    body_hash,
    parse_api_page,
    row_bill_id,
)

logger = logging.getLogger(__name__)

# Without a key the API serves sample access: at most 5 rows a call.
SAMPLE_PAGE_SIZE = 5
# ``matched_by`` of a bill found by its 의안번호 ([watch] bill_nos, ``tracker follow``).
FOLLOWED_BY_NUMBER = "number"


def page_key(url: str) -> str:
    """A page's name in ``page_versions``: its URL without the API key, a secret."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    return urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in query if k != KEY_PARAM])))


def unchanged_since_read(
    stored: StoredPage | None, page_hash: str, at: datetime, refresh_hours: float
) -> bool:
    """Whether a page with ``page_hash`` is the one last stored in full, less than
    ``refresh_hours`` before ``at``."""
    return (
        stored is not None
        and stored.validators.etag == page_hash
        and at - stored.fetched_at < timedelta(hours=refresh_hours)
    )


def keyword_variants(keywords: list[str]) -> list[tuple[str, str]]:
    """(search text, keyword) pairs: each keyword as written and without spaces, since the
    API matches substrings literally."""
    variants: list[tuple[str, str]] = []
    seen: set[str] = set()
    for keyword in keywords:
        for variant in (keyword.strip(), "".join(keyword.split())):
            if variant and variant not in seen:
                seen.add(variant)
                variants.append((variant, keyword.strip()))
    return variants


class AssemblyApiSpider(TrackerSpider):
    name = "assembly_api"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.plan = self.ctx.plan_for(assembly_plan)
        assembly = self.ctx.config.sources.assembly
        key = self.ctx.config.secrets.assembly_api_key
        self.page_size = assembly.page_size if key else min(assembly.page_size, SAMPLE_PAGE_SIZE)
        if not key:
            logger.warning(
                "ASSEMBLY_API_KEY is not set: using the Open API's sample access (%d rows a call)",
                SAMPLE_PAGE_SIZE,
            )
        for age in self.ctx.config.watch.ages:
            for text, keyword in keyword_variants(self.ctx.config.watch.keywords):
                yield self.api_request({"AGE": age, "BILL_NAME": text}, 1, matched_by=keyword)
        for bill_id in self.ctx.config.watch.bill_ids:
            yield self.api_request({"BILL_ID": bill_id}, 1, matched_by=WATCHLIST)
        for bill_no in self.plan.followed_numbers:
            yield self.api_request({"BILL_NO": bill_no}, 1, matched_by=FOLLOWED_BY_NUMBER)

    def api_request(self, query: dict[str, Any], page: int, matched_by: str) -> scrapy.Request:
        assembly = self.ctx.config.sources.assembly
        key = self.ctx.config.secrets.assembly_api_key
        url = api_url(assembly.api_base, assembly.endpoint, key, query, page, self.page_size)
        return self.source_request(
            url,
            SOURCE,
            self.parse_page,
            {"query": query, "page": page, "matched_by": matched_by},
        )

    def parse_page(self, response: scrapy.http.Response) -> Iterator[Any]:
        endpoint = self.ctx.config.sources.assembly.endpoint
        meta = response.meta
        try:
            page = parse_api_page(response.body, endpoint)
        except (ParseError, SourceError) as exc:
            yield self.failure_from_error(SOURCE, exc)
            return
        yield from self.page_items(response, page.rows, meta["matched_by"])
        if page.rows and meta["page"] * self.page_size < page.total:
            yield self.api_request(meta["query"], meta["page"] + 1, meta["matched_by"])

    def page_items(
        self, response: scrapy.http.Response, rows: list[dict[str, Any]], matched_by: str
    ) -> Iterator[Any]:
        """The page's bills: seen unchanged, or as records followed by the page's hash."""
        if not rows:
            return
        key, page_hash = page_key(response.url), body_hash(response.body)
        refresh_hours = self.ctx.config.sources.assembly.page_refresh_hours
        stored = self.plan.stored_pages.get(key)
        if not self.ctx.full and unchanged_since_read(
            stored, page_hash, self.plan.started_at, refresh_hours
        ):
            bill_ids = tuple(bill_id for row in rows if (bill_id := row_bill_id(row)))
            yield UnchangedPage(SOURCE, key, bill_ids)
            return
        records = self.records_from_rows(rows, matched_by)
        # One item a page, not a row: Scrapy spends 50-80 µs of middlewares, signals and
        # tasks on every item, whatever its size.
        if records:
            yield BillRecords(SOURCE, records)
        # A page with a row left out gets no hash: it is parsed, and the row counted as
        # skipped, every cycle.
        if len(records) == len(rows):
            yield PageRead(Validators(key, page_hash, None))

    def records_from_rows(self, rows: list[dict[str, Any]], matched_by: str) -> list[BillRecord]:
        """The rows as records found by ``matched_by``; a row that does not parse is logged,
        counted as skipped and left out."""
        records: list[BillRecord] = []
        for row in rows:
            try:
                record = bill_from_row(row)
            except ParseError as exc:
                self.ctx.source(SOURCE).skipped += 1
                logger.warning("%s", exc)
                continue
            record.matched_by = matched_by
            records.append(record)
        return records
