"""One check cycle: crawl every source, store the changes, deliver pending alerts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from tracker.config import Config
from tracker.delivery import DeliveryReport, deliver_pending, make_notifier
from tracker.locks import cycle_lock
from tracker.runcontext import RunContext
from tracker.store import Store, open_store

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_SETUP = 2
EXIT_SOURCE_FAILED = 3


@dataclass
class CheckResult:
    run_id: int
    status: str
    failed_sources: list[str]
    changes: int
    delivery: DeliveryReport

    @property
    def exit_code(self) -> int:
        """2 when Slack refused the configuration (alerts wait), else 3 when a source failed."""
        if self.delivery.problems:
            return EXIT_SETUP
        return EXIT_OK if self.status == "ok" else EXIT_SOURCE_FAILED


def _default_crawl(ctx: RunContext) -> None:
    from tracker.crawl import run_crawl

    run_crawl(ctx)


def run_status(ctx: RunContext) -> str:
    """``ok`` with no failures, ``failed`` when no source delivered anything, else ``partial``."""
    failed = ctx.failed_sources()
    if not failed:
        return "ok"
    delivered = any(s.items for s in ctx.stats.values())
    return "partial" if delivered or len(failed) < len(ctx.stats) else "failed"


def record_source_health(store: Store, ctx: RunContext) -> None:
    schedule = ctx.config.schedule
    for name, stats in sorted(ctx.stats.items()):
        store.record_source_result(
            name,
            "; ".join(dict.fromkeys(stats.errors)) if stats.errors else None,
            threshold=schedule.failure_threshold,
            reminder_seconds=schedule.reminder_hours * 3600,
        )


def _publish(config: Config) -> None:
    """Rewrite the status page and feed; a failure is logged, the cycle's work stands."""
    from tracker.publish import publish

    try:
        publish(config, config.publish.dir)
    except Exception:
        logger.exception("writing the status page into %s failed", config.publish.dir)


def run_check(
    config: Config,
    full: bool = False,
    crawl: Callable[[RunContext], None] = _default_crawl,
    lock_wait_seconds: float = 0,
) -> CheckResult:
    """Run one full cycle and return what happened; never raises for a source failure.

    Raises LockBusy when another check holds the database for longer than ``lock_wait_seconds``.
    """
    lock = cycle_lock(config.tracker.db)
    lock.acquire(lock_wait_seconds)
    try:
        return _run_locked(config, full, crawl)
    finally:
        lock.release()


def _run_locked(config: Config, full: bool, crawl: Callable[[RunContext], None]) -> CheckResult:
    store = open_store(config.tracker.db, config.tracker.timezone)
    try:
        stale = store.fail_unfinished_runs("interrupted: the check ended before it finished")
        if stale:
            logger.warning("marked %d unfinished earlier run(s) as failed", stale)
        quiet = store.is_first_run()
        run_id = store.start_run()
        ctx = RunContext(config, run_id, full, quiet=quiet, tracking_since=store.tracking_since())
        try:
            crawl(ctx)
        except Exception as exc:  # a crash of the crawl itself is a failure of this run
            logger.exception("crawl crashed")
            ctx.source("crawl").errors.append(config.scrub(f"crawl: {exc}"))
        # News and bills are crawled in parallel: link this cycle's articles to bills found
        # in the same cycle.
        store.link_news_to_bills()
        record_source_health(store, ctx)
        status = run_status(ctx)
        stats = {name: s.as_dict() for name, s in sorted(ctx.stats.items())}
        store.finish_run(run_id, status, stats, summarize=quiet)
        for name in ctx.failed_sources():
            logger.error("source failed: %s", "; ".join(ctx.stats[name].errors)[:300])
        delivery = deliver_pending(store, make_notifier(config), config)
        if config.publish.dir:
            _publish(config)
        changes = sum(s.changes for s in ctx.stats.values())
        return CheckResult(run_id, status, ctx.failed_sources(), changes, delivery)
    finally:
        store.close()
