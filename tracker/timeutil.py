"""Timezone-aware clock helpers: every stored time is ISO 8601 in the configured zone.

Everything that asks for the current time asks :func:`now`. For demos and tests,
``$TRACKER_CLOCK`` (an ISO 8601 time with offset, e.g. ``2026-06-01T09:00:00+09:00``) sets the
clock of one process: it reads that time when the process first asks, and runs on from there
at the normal pace, so a scripted story can be played in seconds with the dates it tells.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.errors import ConfigError

DEFAULT_TZ = "Asia/Seoul"
CLOCK_ENV = "TRACKER_CLOCK"
# SQLite's date and time functions, and the position of their time value.
_SQL_TIME_FUNCTIONS = {"date": 0, "time": 0, "datetime": 0, "julianday": 0, "strftime": 1}
SqlValue = str | bytes | int | float | None


@functools.cache
def _offset_from(value: str) -> timedelta:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"${CLOCK_ENV}: not an ISO 8601 time: {value!r}") from None
    if start.tzinfo is None:
        raise ConfigError(f"${CLOCK_ENV}: {value!r} needs a UTC offset, e.g. +09:00")
    return start - datetime.now(UTC)


def clock_offset() -> timedelta:
    """How far ``$TRACKER_CLOCK`` sets this process's clock from the real one (zero when unset);
    raises :class:`ConfigError` when the variable is not a time with an offset."""
    value = os.environ.get(CLOCK_ENV)
    return _offset_from(value) if value else timedelta(0)


def now(tz: str = DEFAULT_TZ) -> datetime:
    """The current time, aware, in ``tz``."""
    offset = clock_offset()  # first: on the first call it reads the real clock itself
    return (datetime.now(UTC) + offset).astimezone(ZoneInfo(tz))


def iso(dt: datetime, tz: str = DEFAULT_TZ) -> str:
    """``dt`` as ISO 8601 with offset in ``tz`` (seconds precision)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: tracker stores only timezone-aware times")
    return dt.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def minute(moment: datetime | str) -> str:
    """A time (or its ISO 8601 text) to the minute, as people read it: ``2026-06-01 09:00``."""
    text = moment if isinstance(moment, str) else moment.isoformat()
    return text[:16].replace("T", " ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def sql_clock(conn: sqlite3.Connection) -> None:
    """Make ``'now'`` in ``conn``'s SQL (views such as ``recent_changes`` included) mean
    :func:`now` while ``$TRACKER_CLOCK`` is set; without it SQLite's own clock stays."""
    if not clock_offset():
        return
    builtin = sqlite3.connect(":memory:", check_same_thread=False)
    for name, position in _SQL_TIME_FUNCTIONS.items():
        conn.create_function(name, -1, functools.partial(_at_clock, builtin, name, position))


def _at_clock(builtin: sqlite3.Connection, name: str, position: int, *args: SqlValue) -> SqlValue:
    """SQLite's own ``name(*args)`` with the time value ``'now'`` (or a missing one) replaced
    by :func:`now` in UTC, as SQLite reads ``'now'``."""
    current = now("UTC").strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    values = list(args)
    if len(values) <= position:
        values.append(current)
    elif isinstance(value := values[position], str) and value.lower() == "now":
        values[position] = current
    placeholders = ", ".join("?" for _ in values)
    return builtin.execute(f"SELECT {name}({placeholders})", values).fetchone()[0]
