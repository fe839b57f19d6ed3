"""The meeting tables (소관위 / 소위 / 법사위 회의정보): one ``Meeting`` a row."""

from __future__ import annotations

from lxml import etree

from tracker.domain.bills import Meeting
from tracker.domain.stages import squash
from tracker.parsers.likms.document import FIND, parse_date
from tracker.parsers.likms.urls import INFO_SOURCE

# The meetings that took a bill up, by committee: each table lists one row a meeting.
MEETING_TABLES = {
    "소관위 회의정보": "소관위",
    "소위 회의정보": "소위",
    "법사위 회의정보": "법사위",
}


# The extra cell a row's minutes link is kept under (no td class of the site has this name).
MINUTES = "minutesUrl"


def minutes_link(tr: etree._Element) -> dict[str, str]:
    """The link to a meeting's minutes (``a[href*="pdf.do?id="]`` in its 회의록 cell)."""
    for href in FIND["a[href*=pdf.do?id=] @href"](tr):
        if href.strip().startswith(("http://", "https://")):
            return {MINUTES: href.strip()}
    return {}


def meetings(tables: dict[str, list[dict[str, str]]]) -> tuple[Meeting, ...]:
    """Every row of the meeting tables; a row without a name or a date is not a meeting
    (the site shows an empty row before the first one)."""
    found = []
    for caption, committee in MEETING_TABLES.items():
        for row in tables.get(squash(caption), []):
            name, day = row.get("mtngName"), row.get("mtngDt")
            if not (name and day):
                continue
            held_on = parse_date(day, INFO_SOURCE, f"{caption} td.mtngDt")
            result = row.get("procResultName") or row.get("inscResultCd")
            found.append(Meeting(committee, name, held_on, result, row.get(MINUTES)))
    return tuple(found)
