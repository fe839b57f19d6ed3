"""Timezone-aware clock helpers: every stored time is ISO 8601 in the configured zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Seoul"


def now(tz: str = DEFAULT_TZ) -> datetime:
    """The current time, aware, in ``tz``."""
    return datetime.now(ZoneInfo(tz))


def iso(dt: datetime, tz: str = DEFAULT_TZ) -> str:
    """``dt`` as ISO 8601 with offset in ``tz`` (seconds precision)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: tracker stores only timezone-aware times")
    return dt.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def now_iso(tz: str = DEFAULT_TZ) -> str:
    return iso(now(tz), tz)


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)
