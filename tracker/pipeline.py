"""The Scrapy item pipeline: a thin adapter that hands each item to the store."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from tracker.models import BillRecord, PageVersion, SourceFailure
from tracker.runcontext import RunContext, subject_source
from tracker.store import Store, open_store

logger = logging.getLogger(__name__)


class StorePipeline:
    """Writes BillRecords and PageVersions through the store; records SourceFailures in the
    run's stats, under ``source:subject`` when the failure is about one subject."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler.spider.ctx)  # type: ignore[union-attr]

    def open_spider(self, spider: Any = None) -> None:
        self.store = open_store(self.ctx.config.tracker.db, self.ctx.config.tracker.timezone)

    def close_spider(self, spider: Any = None) -> None:
        if self.store is not None:
            self.store.close()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        assert self.store is not None
        if isinstance(item, SourceFailure):
            self.ctx.source(subject_source(item.source, item.subject)).errors.append(item.message)
            logger.warning("%s", item.message)
        elif isinstance(item, BillRecord):
            stats = self.ctx.source(item.source)
            stats.items += 1
            alert_fields = tuple(self.ctx.config.watch.alert_fields)
            changes = self.store.apply_bill(item, self.ctx.run_id, alert_fields)
            stats.changes += len(changes)
        elif isinstance(item, PageVersion):
            self.store.save_page_version(item)
        return item
