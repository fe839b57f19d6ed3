"""The fragment's captioned tables and their cells, read into dated steps, a result, laws."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from tracker.domain.bills import BillEvent
from tracker.domain.stages import PASSING_RESULTS, squash, stage_for_result
from tracker.parsers.likms.document import FIND, parse_date, text_of
from tracker.parsers.likms.urls import INFO_SOURCE

# Section captions, as the site writes them (spacing aside).
RECEIPT = "의안접수정보"
COMMITTEE = "소관위 심사정보"
SUBCOMMITTEE = "소위 심사정보"
JUDICIARY = "법사위 체계자구 심사정보"
PLENARY = "본회의 심의정보"
# Spelled so on the site.
GOVERNMENT = "정보이송정보"
PROMULGATION = "공포정보"
RECONSIDERATION = "정부재의안"
ALTERNATIVE = "대안반영"
FOLDED = "대안반영폐기"


@dataclass(frozen=True)
class Promulgation:
    """One law a bill promulgated (a bill can promulgate several, each under its own name)."""

    date: str | None
    number: str | None
    law: str | None


class Sections:
    """The caption tables of a fragment, read into dated steps, a result and a committee."""

    def __init__(self, tables: dict[str, list[dict[str, str]]]) -> None:
        self.tables = tables

    def rows(self, caption: str) -> list[dict[str, str]]:
        return self.tables.get(squash(caption), [])

    def row(self, caption: str) -> dict[str, str]:
        rows = self.rows(caption)
        return rows[0] if rows else {}

    def date(self, caption: str, cell: str) -> str | None:
        value = self.row(caption).get(cell)
        return parse_date(value, INFO_SOURCE, f"{caption} td.{cell}") if value else None

    def committee(self) -> str | None:
        return self.row(COMMITTEE).get("committeeName")

    def outcome(self) -> str | None:
        # The site's own parsers disagree on the cell's class: both are read.
        row = self.row(PLENARY)
        outcome = row.get("procResultName") or row.get("inscResultCd")
        return squash(outcome) if outcome else None

    def plenary_stage(self) -> str:
        """``passed`` or ``rejected`` once the plenary has voted, else ``plenary``."""
        outcome = self.outcome()
        if outcome in PASSING_RESULTS:
            return "passed"
        return stage_for_result(outcome) or "plenary"

    def result(self) -> str | None:
        cells = (
            self.row(COMMITTEE).get("inscResultCd"),
            self.row(JUDICIARY).get("inscResultCd"),
            self.outcome(),
            self.row(RECONSIDERATION).get("procResultName"),
        )
        endings = [squash(text) for text in cells if text and stage_for_result(text)]
        if endings:
            return endings[-1]
        plenary = self.outcome()
        return plenary if plenary in PASSING_RESULTS else None

    def promulgations(self) -> tuple[Promulgation, ...]:
        return tuple(
            Promulgation(
                parse_date(row["announceDt"], INFO_SOURCE, f"{PROMULGATION} td.announceDt")
                if row.get("announceDt")
                else None,
                row.get("announceNo"),
                row.get("lawName"),
            )
            for row in self.rows(PROMULGATION)
        )

    def events(self) -> list[BillEvent]:
        """The dated steps the tables show, each with the stage it stands for."""
        committee = self.row(COMMITTEE)
        judiciary = self.row(JUDICIARY)
        dated = [
            (COMMITTEE, "submitDt", "committee_review", joined("소관위 회부", self.committee())),
            (COMMITTEE, "presentDt", "committee_review", "소관위 상정"),
            (
                COMMITTEE,
                "procDt",
                stage_for_result(committee.get("inscResultCd")) or "committee_review",
                joined("소관위 처리", committee.get("inscResultCd")),
            ),
            (SUBCOMMITTEE, "presentDt", "committee_review", "소위 상정"),
            (SUBCOMMITTEE, "procDt", "committee_review", "소위 처리"),
            (JUDICIARY, "submitDt", "judiciary_review", "법사위 회부"),
            (JUDICIARY, "presentDt", "judiciary_review", "법사위 상정"),
            (
                JUDICIARY,
                "procDt",
                stage_for_result(judiciary.get("inscResultCd")) or "judiciary_review",
                joined("법사위 처리", judiciary.get("inscResultCd")),
            ),
            (PLENARY, "presentDt", "plenary", "본회의 상정"),
            (PLENARY, "procDt", self.plenary_stage(), joined("본회의 의결", self.outcome())),
            (GOVERNMENT, "govTransDt", "sent_to_government", "정부이송"),
        ]
        events = [
            BillEvent(stage, day, description)
            for caption, cell, stage, description in dated
            if (day := self.date(caption, cell))
        ]
        for law in self.promulgations():
            if law.date:
                number = f"법률 제{law.number}호" if law.number else None
                events.append(BillEvent("promulgated", law.date, joined("공포", number, law.law)))
        return events


def joined(name: str, *details: str | None) -> str:
    """``name`` with the details the page gave, as ``소관위 처리 (대안반영폐기)``."""
    given = [d for d in details if d]
    return f"{name} ({', '.join(given)})" if given else name


def read_tables(
    root: etree._Element, row_extra: Callable[[etree._Element], dict[str, str]] | None = None
) -> dict[str, list[dict[str, str]]]:
    """Each captioned table's rows (cell class → value), by squashed caption; the first table
    of a caption wins."""
    tables: dict[str, list[dict[str, str]]] = {}
    for caption in FIND["table > caption"](root):
        name = squash(text_of(caption).split(" :")[0].split(":")[0])
        if name in tables:
            continue
        table = caption.getparent()
        rows = []
        for tr in FIND["tr with td"](table):
            cells: dict[str, str] = {}
            for td in tr.iterchildren("td"):
                value = _cell_value(td)
                for name_ in td.get("class", "").split():
                    cells.setdefault(name_, value)
            if row_extra is not None:
                cells.update(row_extra(tr))
            if any(cells.values()):
                rows.append({k: v for k, v in cells.items() if v})
        tables[name] = rows
    return tables


def _cell_value(td: etree._Element) -> str:
    span = next(td.iterchildren("span"), None)
    text = text_of(span) if span is not None else _own_text(td)
    # Some values carry a double-escaped "<br>" and a note after it: keep what comes before.
    return _BR_TAIL.split(text, maxsplit=1)[0].strip()


_BR_TAIL = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)


def _own_text(td: etree._Element) -> str:
    """A cell's text without its label (``<i>``): a value not in a ``<span>`` (공포정보's law
    name is a link)."""
    parts = [td.text or ""]
    for child in td:
        if child.tag not in ("i", "button") and isinstance(child.tag, str):
            parts.append(text_of(child))
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())
