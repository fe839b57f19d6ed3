"""Plain dataclasses that flow from parsers through the pipeline into the store."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


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
