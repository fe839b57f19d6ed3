"""The shell page ``billDetailPage.do``: heading, card, CSRF token and the form to POST."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from lxml import etree

from tracker.errors import ParseError
from tracker.parsers.likms.document import (
    FIND,
    meta_content,
    one,
    parse_html,
    raise_if_error_page,
    text_of,
)
from tracker.parsers.likms.urls import DETAIL_SOURCE

# What the card shows as the committee before the bill is referred.
UNDECIDED_COMMITTEE = "미확정"


@dataclass(frozen=True)
class DetailPage:
    """The shell page ``billDetailPage.do``: what identifies the bill and what to POST next."""

    bill_id: str
    bill_no: str
    title: str
    proposer: str | None
    committee: str | None
    csrf_token: str | None
    form_fields: dict[str, str]


def parse_detail_page(html: str) -> DetailPage:
    """Parse the shell page ``/bill/bi/billDetailPage.do``."""
    root = parse_html(html)
    raise_if_error_page(root, DETAIL_SOURCE)
    heading = one(root, "h3.detailh3", DETAIL_SOURCE)
    form = one(root, "form#form", DETAIL_SOURCE)
    fields = {
        name: tag.get("value", "")
        for tag in FIND["input[type=hidden]"](form)
        if (name := tag.get("name"))
    }
    bill_id = fields.get("billId", "").strip()
    if not bill_id:
        raise ParseError(DETAIL_SOURCE, "form#form input billId missing")
    heading_no, title, proposer = _split_heading(text_of(heading), DETAIL_SOURCE, "h3.detailh3")
    bill_no = fields.get("billNo", "").strip()
    if not bill_no:
        raise ParseError(DETAIL_SOURCE, "form#form input billNo missing")
    if bill_no != heading_no:
        raise ParseError(DETAIL_SOURCE, f"billNo {bill_no} differs from h3.detailh3 {heading_no}")
    committee = _card(root).get("소관위원회")
    return DetailPage(
        bill_id=bill_id,
        bill_no=bill_no,
        title=title,
        proposer=proposer,
        committee=committee if committee != UNDECIDED_COMMITTEE else None,
        csrf_token=meta_content(root, "_csrf"),
        form_fields=fields,
    )


def _card(root: etree._Element) -> dict[str, str]:
    """The shell's ``law_meta_table`` card: each ``<strong>`` label and the text after it."""
    card: dict[str, str] = {}
    for table in FIND["div.law_meta_table"](root):
        children = list(table)
        for label, value in itertools.pairwise(children):
            if label.tag == "strong":
                card.setdefault(text_of(label), text_of(value))
    return {k: v for k, v in card.items() if v}


_HEADING = re.compile(r"\[\s*(\d+)\s*\]\s*(.+)")


def _split_heading(text: str, source: str, selector: str) -> tuple[str, str, str | None]:
    """Split "[의안번호] 의안명(제안자)" into number, title and proposer."""
    match = _HEADING.fullmatch(text)
    if match is None:
        raise ParseError(source, f"{selector} is not '[bill number] title'")
    bill_no, rest = match.groups()
    title, proposer = _split_trailing_parenthesis(rest)
    if not title:
        raise ParseError(source, f"{selector} has no title")
    return bill_no, title, proposer


def _split_trailing_parenthesis(text: str) -> tuple[str, str | None]:
    # Only the last balanced group is the proposer: alternatives read "…법안(대안)(위원장)".
    text = text.strip()
    if not text.endswith(")"):
        return text, None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return text[:i].rstrip(), text[i + 1 : -1].strip() or None
    return text, None
