"""Which tracked bills' pages a cycle reads: every active bill, and a few quiet ones in turn.

The Open API is asked about every tracked bill every cycle; the bill pages cost two or three
requests per bill, so they are visited by how likely they are to have moved. A bill with a
dated step in the last ``active_days`` days (or none known yet) is *active*: its pages are read
every cycle. Any other bill is *quiet*: at most ``quiet_per_cycle`` quiet bills are read a
cycle, those checked longest ago first. A team following a handful of bills has every page
read every cycle; a term's worth of quiet bills is gone through in turn, at a cost per cycle
that does not grow with their number. A bill never read, or whose last read failed, is read
at once. When a quiet bill moves (the Open API shows a new step, or its page does when its
turn comes), its new step makes it active again.

Bills in a final stage are not visited, but for two kinds, read whatever their state: a bill
that a source moved to a final stage in this very cycle (its page may name an alternative the
Open API does not), and a bill folded into an alternative not known yet. A ``--full`` check
reads every tracked bill's pages.

Pages are always read in full: the shell's card shows the committee and the vote but not the
steps in between (체계자구 심사, 정부이송, 공포), so an unchanged shell (a 304) would not mean an
unchanged bill.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta


class Visit(enum.Enum):
    SKIP = "skip"
    READ = "read"


@dataclass(frozen=True)
class RevisitPolicy:
    active_days: float
    quiet_per_cycle: int


@dataclass(frozen=True)
class PageState:
    """What the store knows of a bill's pages: the last step's date and the last two reads."""

    last_step_on: date | None
    fetched_at: datetime | None
    checked_at: datetime | None
    failing: bool = False


def is_quiet(state: PageState, today: date, policy: RevisitPolicy) -> bool:
    if state.last_step_on is None:
        return False
    return state.last_step_on < today - timedelta(days=policy.active_days)


def plan_visits(
    states: dict[str, PageState], now: datetime, policy: RevisitPolicy
) -> dict[str, Visit]:
    """Whether to read each bill's pages in a regular (not ``--full``) check."""
    plan: dict[str, Visit] = {}
    quiet: list[tuple[datetime, str]] = []
    for bill_id, state in states.items():
        if state.failing or state.fetched_at is None or not is_quiet(state, now.date(), policy):
            plan[bill_id] = Visit.READ
        else:
            quiet.append((state.checked_at or state.fetched_at, bill_id))
            plan[bill_id] = Visit.SKIP
    for _, bill_id in sorted(quiet)[: policy.quiet_per_cycle]:
        plan[bill_id] = Visit.READ
    return plan
