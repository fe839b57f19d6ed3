"""The digest's periods: which one is due, which one a preview shows.

Periods follow each other without gaps: one starts where the last sent (or skipped) digest
ended, or 7 days before its end when none was, and a scheduled one ends at the latest due time
of ``[schedule] digest``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tracker.domain.schedule import DigestSpec
from tracker.errors import ConfigError
from tracker.store.database import Store

DEFAULT_PERIOD = timedelta(days=7)


@dataclass(frozen=True)
class Period:
    """A digest's time range ``[start, end)``, timezone-aware."""

    start: datetime
    end: datetime

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} ~ {self.end:%Y-%m-%d %H:%M}"


def digest_due(store: Store, spec: DigestSpec, now: datetime) -> Period | None:
    """The period to send at ``now``, or None when the latest scheduled one is done.

    It ends at the latest due time at or before ``now``, so a missed run is caught up once
    and repeating the call sends nothing more.
    """
    end = spec.last_due(now)
    start = store.digests.covered_until() or end - DEFAULT_PERIOD
    return Period(start, end) if start < end else None


def preview_period(store: Store, spec: DigestSpec, now: datetime) -> Period:
    """The period a preview shows: the one due, else the one in progress up to ``now``."""
    due = digest_due(store, spec, now)
    if due is not None:
        return due
    return Period(store.digests.covered_until() or now - DEFAULT_PERIOD, now)


def period_since(since: date, now: datetime) -> Period:
    """From the start of day ``since`` to ``now`` (``--since``); a day to come is refused."""
    start = datetime.combine(since, time(), now.tzinfo)
    if start > now:
        raise ConfigError(f"--since {since} is in the future")
    return Period(start, now)
