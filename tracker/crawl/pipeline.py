"""The Scrapy item pipeline: a thin adapter that hands each item to the cycle's store.

Bill records are stored in batches. News hits are collected and stored when the spider closes,
in one transaction with the feeds' validators, so that the cycle's stories are deduplicated
across every source and announced in one alert.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from tracker.crawl.context import RunContext, subject_source
from tracker.crawl.items import BillRecords, FeedRead, PageRead, SourceFailure, UnchangedPage
from tracker.domain.bills import AlternativeFold, BillRecord
from tracker.domain.relevance import NewsHit, search_page
from tracker.domain.validators import Validators
from tracker.store.database import Store

logger = logging.getLogger(__name__)


# Records are written in batches of this size (each batch is one transaction).
BATCH_SIZE = 500


class StorePipeline:
    """Writes BillRecords (one by one or a page's at once as BillRecords), the validators of
    PageReads and FeedReads, AlternativeFolds and UnchangedPages through the store; records
    SourceFailures in the run's stats, under ``source:subject`` when about one subject."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.store: Store = ctx.cycle_store()
        self.pending: list[BillRecord] = []
        self.page_versions: list[Validators] = []
        self.pages_checked: list[str] = []
        self.bills_seen: list[str] = []
        self.folds: list[AlternativeFold] = []
        # Set once records failed to store: the pages they came from are not known here.
        self.records_lost = False
        self.sources: dict[str, str] = {}
        self.news: list[NewsHit] = []
        self.feeds: list[Validators] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler.spider.ctx)  # type: ignore[union-attr]

    def close_spider(self, spider: Any = None) -> None:
        self.flush()
        if self.news or self.feeds:
            self._store_news()

    def flush(self) -> None:
        records, self.pending = self.pending, []
        # Validators only once the pages they describe are stored: a 304 or an equal hash
        # must never hide a page whose record was lost. Taken before the records are written,
        # so that they are dropped with them when writing fails, and none is saved after
        # such a failure: a page's validators may arrive after its lost records.
        versions, self.page_versions = self.page_versions, []
        checked, self.pages_checked = self.pages_checked, []
        seen, self.bills_seen = self.bills_seen, []
        folds, self.folds = self.folds, []
        alert_fields = tuple(self.ctx.config.watch.alert_fields)
        try:
            changes = self.store.bills.apply_bills(
                records, self.ctx.run_id, alert_fields, quiet=self.ctx.quiet
            )
        except Exception as exc:
            self.records_lost = True
            self._storing_failed({r.source for r in records}, "bills", exc)
            return
        for change in changes:
            self.ctx.source(self.sources[change.bill_id]).changes += 1
        if not self.records_lost:
            self.store.validators.save_pages(versions)
        # After the bills: a folded bill's id is filled in from its stored row.
        for fold in folds:
            self.store.bills.record_alternative(fold)
        self.store.validators.mark_pages_checked(checked)
        self.store.bills.mark_checked(seen)

    def _store_news(self) -> None:
        alert = self.ctx.config.sources.news.alerts
        try:
            config = self.ctx.config
            stored = self.store.news.add(
                self.news,
                self.feeds,
                self.ctx.run_id,
                alert,
                alert_since=self.ctx.tracking_since,
                more_url=search_page(config.sources.news.google_news_base, config.watch.keywords),
            )
        except Exception as exc:
            self._storing_failed({hit.source for hit in self.news} or {"news"}, "news", exc)
            return
        for hit in stored:
            self.ctx.source(hit.source).changes += 1

    def _storing_failed(self, sources: set[str], what: str, exc: Exception) -> None:
        """Scrapy would only log an error raised here: make it a failure of this run's sources."""
        for source in sorted(sources):
            message = self.ctx.config.scrub(f"{source}: storing {what} failed: {exc}")
            self.ctx.source(source).errors.append(message)
        logger.exception("storing %s failed", what)

    def _add_record(self, record: BillRecord) -> None:
        self.ctx.source(record.source).items += 1
        self.sources[record.bill_id] = record.source
        self.pending.append(record)
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, SourceFailure):
            self.ctx.source(subject_source(item.source, item.subject)).errors.append(item.message)
            # The check ends with one line for each failed source; this is the detail.
            logger.info("%s", item.message)
        elif isinstance(item, BillRecords):
            for record in item.records:
                self._add_record(record)
        elif isinstance(item, BillRecord):
            self._add_record(item)
        elif isinstance(item, NewsHit):
            self.ctx.source(item.source).items += 1
            self.news.append(item)
        elif isinstance(item, FeedRead):
            self.feeds.append(item.validators)
        elif isinstance(item, PageRead):
            self.page_versions.append(item.validators)
        elif isinstance(item, AlternativeFold):
            self.folds.append(item)
        elif isinstance(item, UnchangedPage):
            # Delivered as much as when its records were stored, so stats and status agree.
            self.ctx.source(item.source).items += len(item.bill_ids)
            self.bills_seen += item.bill_ids
            self.pages_checked.append(item.url)
        return item
