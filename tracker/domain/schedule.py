"""The digest schedule spec (``"mon 09:00"``): parsing and the most recent due time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class DigestSpec:
    weekday: int
    hour: int
    minute: int

    @property
    def day_name(self) -> str:
        return WEEKDAYS[self.weekday]

    def last_due(self, now: datetime) -> datetime:
        """The latest scheduled time at or before ``now`` (same timezone as ``now``)."""
        candidate = now.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        candidate -= timedelta(days=(now.weekday() - self.weekday) % 7)
        if candidate > now:
            candidate -= timedelta(days=7)
        return candidate


def parse_digest_spec(text: str) -> DigestSpec:
    """A weekday (``mon`` or ``monday``, any case) and a 24-hour time."""
    m = re.fullmatch(r"\s*([a-zA-Z]+)\s+(\d{1,2}):(\d{2})\s*", text)
    day = m.group(1).lower() if m else ""
    if day in _FULL_NAMES:
        day = day[:3]
    if not m or day not in WEEKDAYS:
        raise ConfigError(f"config: 'schedule.digest' must look like \"mon 09:00\", not {text!r}")
    hour, minute = int(m.group(2)), int(m.group(3))
    if hour > 23 or minute > 59:
        raise ConfigError(f"config: 'schedule.digest' has an invalid time: {text!r}")
    return DigestSpec(WEEKDAYS.index(day), hour, minute)
