"""The context one check cycle hands to its spiders and pipeline."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from tracker.config import Config, load_config

if TYPE_CHECKING:
    from tracker.store.database import Store

logger = logging.getLogger("tracker.progress")

# At most one progress line this often (seconds).
PROGRESS_SECONDS = 2.0

Plan = TypeVar("Plan")


@dataclass
class SourceStats:
    requests: int = 0
    items: int = 0
    changes: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    # Requests answered or failed, for the progress log (``requests`` are those made so far).
    done: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "items": self.items,
            "changes": self.changes,
            "skipped": self.skipped,
            "errors": self.errors,
        }


def subject_source(source: str, subject: str | None) -> str:
    """The name a source's results about one subject (one bill's page) are tracked under,
    so that one broken page fails, alerts and recovers on its own."""
    return f"{source}:{subject}" if subject else source


@dataclass
class RunContext:
    """Config, run id, open store and per-source counters of one cycle."""

    config: Config
    run_id: int | None = None
    full: bool = False
    stats: dict[str, SourceStats] = field(default_factory=dict)
    # A new database's first run stores everything and sums it up in one alert (quiet), and
    # news published before tracking began is stored, not alerted.
    quiet: bool = False
    tracking_since: str | None = None
    # The cycle's store, opened by its owner (the check) and closed by it: the spiders' plans
    # read it and the pipeline writes through it. sqlite3 binds a connection to the thread
    # that opened it, which is the one the crawl's reactor runs in.
    store: Store | None = None

    progress_logged_at: float = 0.0

    def cycle_store(self) -> Store:
        """The cycle's store; a context without one is a wiring error."""
        if self.store is None:
            raise RuntimeError("the run context has no open store")
        return self.store

    def plan_for(self, planner: Callable[[Store, RunContext], Plan]) -> Plan:
        """What a spider needs to know from the database, read by ``planner`` from the
        cycle's store (see :mod:`tracker.crawl.plan`)."""
        return planner(self.cycle_store(), self)

    def source(self, name: str) -> SourceStats:
        return self.stats.setdefault(name, SourceStats())

    def page_done(self, source: str) -> None:
        """One request of ``source`` answered or failed; logs the progress (``-v``) at most
        every ``PROGRESS_SECONDS``."""
        self.source(source).done += 1
        at = time.monotonic()
        if at - self.progress_logged_at >= PROGRESS_SECONDS:
            self.progress_logged_at = at
            logger.info("%s", self.progress_line())

    def progress_line(self) -> str:
        """Pages done of those requested so far, per source: ``assembly_api 3/4 pages, …``."""
        parts = [
            f"{name} {stats.done}/{stats.requests} pages"
            for name, stats in sorted(self.stats.items())
            if stats.requests
        ]
        return f"progress: {', '.join(parts)}"

    def failed_sources(self) -> list[str]:
        return sorted(name for name, s in self.stats.items() if s.errors)

    @classmethod
    def from_environment(cls) -> RunContext:
        """A context for spiders started by ``scrapy crawl`` rather than by tracker: its
        store stays open as long as the process."""
        from tracker.store.database import open_store

        config = load_config(os.environ.get("TRACKER_CONFIG"))
        return cls(config, store=open_store(config.tracker.db, config.tracker.timezone))
