"""Which tracked bills' pages a cycle reads: every active bill, and a few quiet ones in turn.

The Open API is asked about every tracked bill every cycle; the bill pages cost a request or
two per bill, so they are visited by how likely they are to have moved. A bill with a dated
step in the last ``active_days`` days (or none known yet) is *active*: its pages are checked
every cycle. Any other bill is *quiet*: at most ``quiet_per_cycle`` quiet bills are checked a
cycle, those checked longest ago first. A team following a handful of bills has every page
checked every cycle; a term's worth of quiet bills is gone through in turn, at a cost per
cycle that does not grow with their number.

A check is a conditional GET of the shell page while its last full read is younger than
``refresh_hours`` and the shell shows the stage (not at the plenary, whose shell stays the same
when it votes); otherwise the pages are read in full. A bill never read, or whose last read
failed, is read in full at once. When a quiet bill moves (the Open API shows a new step, or its
page does when its turn comes), its new step makes it active again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta


class Visit(enum.Enum):
    SKIP = "skip"
    CONDITIONAL = "conditional"
    FULL = "full"


@dataclass(frozen=True)
class RevisitPolicy:
    active_days: float
    quiet_per_cycle: int
    refresh_hours: float


@dataclass(frozen=True)
class PageState:
    """What the store knows of a bill's pages: the last step's date and the last two reads."""

    last_step_on: date | None
    fetched_at: datetime | None
    checked_at: datetime | None
    shell_blind: bool = False
    failing: bool = False


def is_quiet(state: PageState, today: date, policy: RevisitPolicy) -> bool:
    if state.last_step_on is None:
        return False
    return state.last_step_on < today - timedelta(days=policy.active_days)


def _visit(state: PageState, now: datetime, policy: RevisitPolicy) -> Visit:
    """How to read the pages of a bill that is due."""
    assert state.fetched_at is not None
    if state.shell_blind or now - state.fetched_at >= timedelta(hours=policy.refresh_hours):
        return Visit.FULL
    return Visit.CONDITIONAL


def plan_visits(
    states: dict[str, PageState], now: datetime, policy: RevisitPolicy
) -> dict[str, Visit]:
    """How to visit each bill's pages in a regular (not ``--full``) check."""
    plan: dict[str, Visit] = {}
    quiet: list[tuple[datetime, str]] = []
    for bill_id, state in states.items():
        if state.failing or state.fetched_at is None:
            plan[bill_id] = Visit.FULL
        elif is_quiet(state, now.date(), policy):
            quiet.append((state.checked_at or state.fetched_at, bill_id))
            plan[bill_id] = Visit.SKIP
        else:
            plan[bill_id] = _visit(state, now, policy)
    for _, bill_id in sorted(quiet)[: policy.quiet_per_cycle]:
        plan[bill_id] = _visit(states[bill_id], now, policy)
    return plan
