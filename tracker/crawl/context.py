"""The context one check cycle hands to its spiders and pipeline."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from tracker.config import Config, load_config

logger = logging.getLogger("tracker.progress")

# At most one progress line this often (seconds).
PROGRESS_SECONDS = 2.0


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
    """Config, run id and per-source counters of one cycle."""

    config: Config
    run_id: int | None = None
    full: bool = False
    stats: dict[str, SourceStats] = field(default_factory=dict)
    # A new database's first run stores everything and sums it up in one alert (quiet), and
    # news published before tracking began is stored, not alerted.
    quiet: bool = False
    tracking_since: str | None = None

    progress_logged_at: float = 0.0

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
        """A context for spiders started by ``scrapy crawl`` rather than by tracker."""
        return cls(load_config(os.environ.get("TRACKER_CONFIG")))
