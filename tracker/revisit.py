"""When to read a tracked bill's pages again: every cycle while it moves, less often when quiet.

The Open API is asked about every tracked bill every cycle; the bill pages cost a request or
two per bill, so they are visited by how likely they are to have moved. A bill with a dated
step in the last ``active_days`` days (or none known yet) is *active*: its pages are checked
every cycle. Any other bill is *quiet*: its pages are checked once every ``recheck_hours``,
each bill at its own point of that interval (between half of it and all of it, fixed by the
bill id), so that a term's worth of quiet bills found in one scan is not all due in one cycle.

A check is a conditional GET of the shell page while its last full read is younger than
``refresh_hours`` and the shell shows the stage (not at the plenary, whose shell stays the same
when it votes); otherwise the pages are read in full. A bill never read, or whose last read
failed, is read in full at once. When a quiet bill moves (the Open API shows a new step, or its
page does when it is next checked), its new step makes it active again.
"""

from __future__ import annotations

import enum
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta


class Visit(enum.Enum):
    SKIP = "skip"
    CONDITIONAL = "conditional"
    FULL = "full"


@dataclass(frozen=True)
class RevisitPolicy:
    active_days: float
    recheck_hours: float
    refresh_hours: float


@dataclass(frozen=True)
class PageState:
    """What the store knows of a bill's pages: the last step's date and the last two reads."""

    last_step_on: date | None
    fetched_at: datetime | None
    checked_at: datetime | None


def stagger(bill_id: str) -> float:
    """A fixed share of the recheck interval in [0.5, 1) for this bill."""
    return 0.5 + (zlib.crc32(bill_id.encode()) % 1000) / 2000


def is_quiet(state: PageState, today: date, policy: RevisitPolicy) -> bool:
    if state.last_step_on is None:
        return False
    return state.last_step_on < today - timedelta(days=policy.active_days)


def plan_visit(
    bill_id: str,
    state: PageState,
    now: datetime,
    policy: RevisitPolicy,
    *,
    shell_blind: bool = False,
    failing: bool = False,
) -> Visit:
    """How to visit one bill's pages in a regular (not ``--full``) check."""
    if failing or state.fetched_at is None:
        return Visit.FULL
    checked_at = state.checked_at or state.fetched_at
    interval = timedelta(hours=policy.recheck_hours * stagger(bill_id))
    if is_quiet(state, now.date(), policy) and now - checked_at < interval:
        return Visit.SKIP
    if shell_blind or now - state.fetched_at >= timedelta(hours=policy.refresh_hours):
        return Visit.FULL
    return Visit.CONDITIONAL
