"""One check cycle: crawl every source, store the changes, deliver pending alerts."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from notifiers.outbox import DeliveryReport, deliver_pending, make_notifier
from tracker import exit_codes
from tracker.config import Config
from tracker.crawl.context import RunContext
from tracker.errors import DatabaseUnusable
from tracker.interrupt import StopOnSignal
from tracker.locks import cycle_lock
from tracker.store.database import Store, open_store, unusable

logger = logging.getLogger(__name__)


@dataclass
class CheckResult:
    run_id: int
    status: str
    # Each failed source and why, in one line.
    failures: dict[str, str]
    changes: int
    delivery: DeliveryReport
    # Per source, as stored in ``runs.stats``.
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """2 when Slack refused the configuration (alerts wait), else 3 when a source failed."""
        if self.delivery.problems:
            return exit_codes.USAGE
        return exit_codes.OK if self.status == "ok" else exit_codes.SOURCE_FAILED


_COUNTS = ("requests", "items", "changes", "skipped", "failures")


def source_summary(stats: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per source of a run's stats: requests, items, changes, failures.

    A source's results about one subject (``bill_page:<bill_id>``) count with the source.
    """
    totals: dict[str, dict[str, int]] = {}
    for name, counts in stats.items():
        parent, _, _ = name.partition(":")
        total = totals.setdefault(parent if parent in stats else name, dict.fromkeys(_COUNTS, 0))
        for key in _COUNTS[:-1]:
            total[key] += int(counts.get(key) or 0)
        total["failures"] += len(counts.get("errors") or ())
    lines = []
    for name, total in sorted(totals.items()):
        skipped = f", {total['skipped']} skipped" if total["skipped"] else ""
        lines.append(
            f"{name}: {total['requests']} requests, {total['items']} items, "
            f"{total['changes']} changes, {total['failures']} failures{skipped}"
        )
    return lines


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
        store.runs.record_source_result(
            name,
            "; ".join(dict.fromkeys(stats.errors)) if stats.errors else None,
            threshold=schedule.failure_threshold,
            reminder_seconds=schedule.reminder_hours * 3600,
        )


def _publish(config: Config, store: Store) -> None:
    """Rewrite the status page and feed; a failure is logged, the cycle's work stands."""
    from tracker.publish import publish

    try:
        publish(config, store, config.publish.dir)
    except Exception:
        logger.exception("writing the status page into %s failed", config.publish.dir)


def run_check(
    config: Config,
    full: bool = False,
    lock_wait_seconds: float = 0,
    guard: StopOnSignal | None = None,
) -> CheckResult:
    """Run one full cycle and return what happened; never raises for a source failure.

    Raises LockBusy when another check holds the database for longer than ``lock_wait_seconds``.
    ``guard``, when given, learns the run's id, to close it if the process is stopped.
    """
    lock = cycle_lock(config.tracker.db)
    lock.acquire(lock_wait_seconds)
    try:
        return _run_locked(config, full, guard)
    finally:
        lock.release()


def _run_locked(
    config: Config,
    full: bool,
    guard: StopOnSignal | None,
) -> CheckResult:
    db, tz = config.tracker.db, config.tracker.timezone
    store = open_store(db, tz)
    run_id = None
    try:
        stale = store.runs.fail_unfinished("interrupted: the check ended before it finished")
        if stale:
            logger.warning("marked %d unfinished earlier run(s) as failed", stale)
        quiet = store.runs.is_first()
        run_id = store.runs.start()
        if guard is not None:
            guard.run_id = run_id
        return _cycle(store, config, run_id, full, quiet)
    except sqlite3.Error as exc:
        if run_id is None:
            raise unusable(db, exc) from None
        error = unusable(db, exc, exit_codes.SOURCE_FAILED)
        store.close()
        _close_failed_run(db, tz, run_id, str(error))
        raise error from None
    finally:
        store.close()


def _close_failed_run(db: str, tz: str, run_id: int, reason: str) -> None:
    """Record the run as failed on a fresh connection (SQLite may refuse every further write
    on one that failed to write); if the database takes no write at all, the next check
    closes it."""
    try:
        store = open_store(db, tz)
    except DatabaseUnusable:
        return
    try:
        store.runs.fail(run_id, "database", reason)
    except sqlite3.Error:
        pass
    finally:
        store.close()


def _cycle(
    store: Store,
    config: Config,
    run_id: int,
    full: bool,
    quiet: bool,
) -> CheckResult:
    """One cycle; ``quiet``: a new database's first, which sums up instead of alerting."""
    from tracker.crawl.runner import run_crawl

    ctx = RunContext(
        config, run_id, full, quiet=quiet, tracking_since=store.runs.tracking_since(), store=store
    )
    try:
        run_crawl(ctx)
    except Exception as exc:  # a crash of the crawl itself is a failure of this run
        logger.exception("crawl crashed")
        ctx.source("crawl").errors.append(config.scrub(f"crawl: {exc}"))
    # News and bills are crawled in parallel: link this cycle's articles to bills found
    # in the same cycle.
    store.news.link_to_bills()
    record_source_health(store, ctx)
    status = run_status(ctx)
    stats = {name: s.as_dict() for name, s in sorted(ctx.stats.items())}
    store.runs.finish(run_id, status, stats, summarize=quiet)
    failures = {name: failure_line(name, ctx.stats[name].errors) for name in ctx.failed_sources()}
    delivery = deliver_pending(store, make_notifier(config), config)
    if config.publish.dir:
        _publish(config, store)
    changes = sum(s.changes for s in ctx.stats.values())
    return CheckResult(run_id, status, failures, changes, delivery, stats)


# A failure line is cut here: a source may have failed a thousand requests alike.
MAX_FAILURE_LINE = 300


def failure_line(name: str, errors: list[str]) -> str:
    """``name: why`` in one line: the first error, and how many other kinds there were."""
    distinct = list(dict.fromkeys(" ".join(e.split()) for e in errors))
    first = distinct[0]
    base = name.split(":", 1)[0]
    for prefix in (f"{name}: ", f"{base}: "):
        first = first.removeprefix(prefix)
    more = f" (and {len(distinct) - 1} other error(s))" if len(distinct) > 1 else ""
    line = f"{name}: {first}"
    if len(line) > MAX_FAILURE_LINE:
        line = line[: MAX_FAILURE_LINE - 1] + "…"
    return line + more
