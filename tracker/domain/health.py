"""Source health: when a failing source is alerted, reminded of, and declared recovered.

A source is alerted once it has failed ``threshold`` times in a row, reminded of every
``reminder_seconds`` while it keeps failing, and declared recovered by its first success
after an alert. Failures that never reached the threshold pass without a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FAILURE = "failure"
REMINDER = "reminder"
RECOVERY = "recovery"


@dataclass(frozen=True)
class Health:
    """A source's health as stored: its failures in a row, since when, and the last alerts
    about them (ISO 8601 times)."""

    failures: int = 0
    first_failed_at: str | None = None
    alerted_at: str | None = None
    reminded_at: str | None = None


@dataclass(frozen=True)
class Transition:
    """A source's health after one result, and the alert it calls for (``event``: failure,
    reminder, recovery or None), which reports ``failures`` failures since ``since``."""

    health: Health
    event: str | None
    failures: int
    since: str | None


def after_result(
    health: Health,
    failed: bool,
    at: datetime,
    stamp: str,
    threshold: int,
    reminder_seconds: float,
) -> Transition:
    """The health of a source after it failed or succeeded (``failed``) at ``at``, whose
    stored form is ``stamp``."""
    if not failed:
        recovered = RECOVERY if health.alerted_at else None
        return Transition(Health(), recovered, health.failures, health.first_failed_at)
    failures = health.failures + 1
    first_failed = health.first_failed_at or stamp
    alerted_at, reminded_at = health.alerted_at, health.reminded_at
    event: str | None = None
    if failures >= threshold and not alerted_at:
        event, alerted_at, reminded_at = FAILURE, stamp, stamp
    elif (
        alerted_at
        and reminded_at
        and (at - datetime.fromisoformat(reminded_at)).total_seconds() >= reminder_seconds
    ):
        event, reminded_at = REMINDER, stamp
    return Transition(
        Health(failures, first_failed, alerted_at, reminded_at), event, failures, first_failed
    )
