"""Bills: the plain dataclasses that flow from parsers through the pipeline into the store,
and the rules of how a source's report changes a stored bill."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, NamedTuple

from tracker.domain import stages


class _Unknown:
    """A field the source did not deliver: never compared, never stored over a known value."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()

# The bill columns a source can report; the order is the order changes are written in.
BILL_FIELDS: tuple[str, ...] = (
    "stage",
    "result",
    "title",
    "bill_no",
    "age",
    "proposer",
    "proposed_on",
    "committee",
    "detail_url",
    "summary",
)


@dataclass(frozen=True)
class BillEvent:
    """One dated step of a bill's progress as the Assembly reports it."""

    stage: str
    happened_on: str
    description: str = ""


@dataclass(frozen=True)
class Meeting:
    """One meeting that took a bill up: which committee's table lists it (소관위, 소위,
    법사위), its name and date, its result and the link to its minutes."""

    committee: str
    name: str
    held_on: str
    result: str | None = None
    minutes_url: str | None = None


@dataclass
class BillRecord:
    """What one source said about one bill. ``UNKNOWN`` marks what it did not say."""

    bill_id: str
    source: str
    stage: Any = UNKNOWN
    result: Any = UNKNOWN
    title: Any = UNKNOWN
    bill_no: Any = UNKNOWN
    age: Any = UNKNOWN
    proposer: Any = UNKNOWN
    proposed_on: Any = UNKNOWN
    committee: Any = UNKNOWN
    detail_url: Any = UNKNOWN
    summary: Any = UNKNOWN
    events: list[BillEvent] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    replaced_by: str | None = None
    replaced_by_title: str | None = None
    matched_by: str | None = None

    def known(self) -> dict[str, Any]:
        """The bill columns this source delivered, name → value (None is a known empty)."""
        return {
            name: value
            for name in _RECORD_BILL_FIELDS
            if (value := getattr(self, name)) is not UNKNOWN
        }


# BillRecord's bill columns in declaration order, looked up once rather than per record.
_RECORD_BILL_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(BillRecord) if f.name in BILL_FIELDS
)


@dataclass(frozen=True)
class AlternativeFold:
    """A committee alternative (대안) and the bills folded into it: (의안번호, bill id or None)."""

    alternative_id: str
    folded: tuple[tuple[str, str | None], ...]


# Columns that describe where a bill stands: a change to either is a status change.
STATUS_FIELDS = ("stage", "result")
_STATUS_SET = frozenset(STATUS_FIELDS)

# A bill first seen this long after it was proposed was not news: it is newly followed.
NEW_BILL_DAYS = 30


class Change(NamedTuple):
    """One stored field change of one bill (a tuple: a pass makes one per changed bill)."""

    bill_id: str
    kind: str
    field: str
    old_value: Any
    new_value: Any


def as_text(value: Any) -> str | None:
    """A column value as the text it is stored and compared as."""
    return None if value is None else str(value)


def date_of(text: str | None) -> date | None:
    """The date an ISO 8601 date or time starts with, None when there is none."""
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


_NOTHING: frozenset[str] = frozenset()
_RESULT = frozenset({"result"})


def held_back(known: dict[str, Any], stored: dict[str, Any]) -> frozenset[str]:
    """The names in ``known`` that cannot change the stored bill: a stage never moves back (an
    older report, as the API lags the bill pages), and an unknown result does not clear one."""
    new, old = known.get("stage"), stored.get("stage")
    if not (new and old):
        return _NOTHING
    # Compared first: the same stage again is by far the most common report.
    if new == old:
        return _RESULT if "result" in known and known["result"] is None else _NOTHING
    return _STATUS_SET if stages.rank(new) < stages.rank(old) else _NOTHING


def diff_bill(bill_id: str, known: dict[str, Any], stored: dict[str, Any]) -> list[Change]:
    """The changes ``known`` (what a source reports) makes to the ``stored`` bill row."""
    skipped = held_back(known, stored)
    changes = []
    for name, value in known.items():
        if name in skipped:
            continue
        old = stored.get(name)
        # Same type and equal means the same text; anything else is compared as text.
        if (type(value) is type(old) and value == old) or as_text(value) == as_text(old):
            continue
        changes.append(Change(bill_id, "changed", name, old, value))
    return changes


def is_status_change(names: Iterable[str]) -> bool:
    """Whether changes to these columns move where the bill stands."""
    return not _STATUS_SET.isdisjoint(names)


def found_late(known: dict[str, Any], at: str) -> bool:
    """Whether a bill seen for the first time at ``at`` is past the start of its life (beyond
    committee review, or proposed over NEW_BILL_DAYS ago): "newly followed", not a new bill."""
    stage = known.get("stage")
    if stage in stages.BY_CODE and stages.rank(stage) > stages.rank("committee_review"):
        return True
    proposed = date_of(str(known.get("proposed_on") or ""))
    return proposed is not None and (date.fromisoformat(at[:10]) - proposed).days > NEW_BILL_DAYS
