"""The ``anBillInfo.do`` fragment: the committee alternative and the bills folded into it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from tracker.domain.stages import squash
from tracker.errors import ParseError
from tracker.parsers.likms.document import FIND, parse_html, raise_if_error_page, required
from tracker.parsers.likms.info import BillInfo
from tracker.parsers.likms.sections import ALTERNATIVE, FOLDED, read_tables
from tracker.parsers.likms.shell import DetailPage
from tracker.parsers.likms.urls import ALTERNATIVE_SOURCE

# Results after which the alternative endpoint names the bill that carries the act on.
ALTERNATIVE_RESULTS = frozenset({"대안반영폐기", "본회의불부의"})


@dataclass(frozen=True)
class BillRef:
    """A bill as a row of the alternative endpoint names it."""

    bill_no: str
    bill_id: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Alternatives:
    """The ``anBillInfo.do`` answer: the committee alternative and the bills folded into it."""

    alternative: BillRef | None
    folded: tuple[BillRef, ...] = field(default=())
    # Whether the answer had the two tables at all (bills without an alternative tab may not).
    found: bool = True


def parse_alternatives(html: str) -> Alternatives:
    """Parse the fragment POST ``/bill/bi/bill/detail/anBillInfo.do`` returns.

    The site repeats each table; the first of each caption is read. A response with neither
    caption has ``found`` False: the caller knows whether it expected them.
    """
    root = parse_html(html)
    raise_if_error_page(root, ALTERNATIVE_SOURCE)
    tables = read_tables(root, _bill_id_of_row)
    if squash(ALTERNATIVE) not in tables and squash(FOLDED) not in tables:
        return Alternatives(None, (), found=False)
    refs = {
        caption: tuple(_bill_ref(row, caption) for row in tables.get(squash(caption), []))
        for caption in (ALTERNATIVE, FOLDED)
    }
    alternatives = refs[ALTERNATIVE]
    return Alternatives(alternatives[0] if alternatives else None, refs[FOLDED])


def needs_alternatives(page: DetailPage, info: BillInfo) -> bool:
    """Whether the alternative endpoint has something to say about this bill: it was folded
    into an alternative, or it is one (proposed by a committee chair)."""
    proposer = page.proposer or info.proposer or ""
    return info.result in ALTERNATIVE_RESULTS or proposer.endswith("위원장")


_BILL_ID = re.compile(r"[A-Z]{3}_[A-Z0-9]+")


def _bill_id_of_row(tr: etree._Element) -> dict[str, str]:
    """The bill id a row carries in a ``data-bill-id`` attribute, if any (not in a capture)."""
    for value in FIND["@data-bill-id"](tr):
        if _BILL_ID.fullmatch(value.strip()):
            return {"billId": value.strip()}
    return {}


def _bill_ref(row: dict[str, str], caption: str) -> BillRef:
    bill_no = required(row, "billNo", caption, ALTERNATIVE_SOURCE)
    if not bill_no.isdigit():
        raise ParseError(ALTERNATIVE_SOURCE, f"{caption} td.billNo is not a number: {bill_no!r}")
    title = row.get("billName") or row.get("billNm") or row.get("subject")
    return BillRef(bill_no, row.get("billId"), title)
