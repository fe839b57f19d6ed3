"""The context one check cycle hands to its spiders and pipeline."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from tracker.config import Config, load_config


@dataclass
class SourceStats:
    requests: int = 0
    items: int = 0
    changes: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

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

    def source(self, name: str) -> SourceStats:
        return self.stats.setdefault(name, SourceStats())

    def failed_sources(self) -> list[str]:
        return sorted(name for name, s in self.stats.items() if s.errors)

    @classmethod
    def from_environment(cls) -> RunContext:
        """A context for spiders started by ``scrapy crawl`` rather than by tracker."""
        return cls(load_config(os.environ.get("TRACKER_CONFIG")))
