"""Assembly Open API spider: scans each term by bill name for every watch keyword and hands
each page's bills to the pipeline as one item."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy

from spiders.base import TrackerSpider
from tracker.errors import ParseError, SourceError
from tracker.models import BillRecord, BillRecords
from tracker.parsers.assembly import SOURCE, bill_from_row, parse_api_page

logger = logging.getLogger(__name__)

# Without a key the API serves sample access: at most 5 rows a call.
SAMPLE_PAGE_SIZE = 5


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
            yield self.api_request({"BILL_ID": bill_id}, 1, matched_by="watchlist")

    def api_request(self, query: dict[str, Any], page: int, matched_by: str) -> scrapy.Request:
        assembly = self.ctx.config.sources.assembly
        params: dict[str, Any] = {"Type": "json", "pIndex": page, "pSize": self.page_size}
        key = self.ctx.config.secrets.assembly_api_key
        if key:
            params["KEY"] = key
        params.update(query)
        url = f"{assembly.api_base.rstrip('/')}/{assembly.endpoint}?{urlencode(params)}"
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
        records = self.records_from_rows(page.rows, meta["matched_by"])
        # One item a page, not a row: Scrapy spends 50-80 µs of middlewares, signals and
        # tasks on every item, whatever its size.
        if records:
            yield BillRecords(SOURCE, records)
        if page.rows and meta["page"] * self.page_size < page.total:
            yield self.api_request(meta["query"], meta["page"] + 1, meta["matched_by"])

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
