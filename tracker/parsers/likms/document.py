"""Reading a page's markup: the parsed tree, its elements by selector, text, dates, error pages."""

from __future__ import annotations

import datetime as dt
import re

from lxml import etree

from tracker.errors import ParseError, SourceError
from tracker.parsers.likms.urls import INFO_SOURCE

# Texts that mark a maintenance, error or block page; looked for in the page title and its
# top headings only, since bill summaries can mention "점검" or "오류" in passing.
_ERROR_MARKERS = (
    "서비스 점검",
    "시스템 점검",
    "점검 중",
    "점검 안내",
    "서비스 이용이 원활하지",
    "일시적인 오류",
    "오류가 발생",
    "페이지를 찾을 수 없",
    "접근이 차단",
    "접근이 제한",
    "비정상적인 접근",
)


# Parsing bytes in the encoding given lets a page declare another (an XML declaration, a
# meta charset) without lxml refusing the text or decoding it again.
_PARSER = etree.HTMLParser(encoding="utf-8")


def _class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _id(name: str) -> str:
    # Not //*[@id = ...], which finds the same more slowly (bench/RESULTS.md): libxml2 is slow
    # to test a predicate on every element and quick to walk the attributes.
    return f"//@id[. = '{name}']/.."


# What the parsers look for, by the CSS selector their errors name.
FIND = {
    css: etree.XPath(xpath)
    for css, xpath in {
        "#maintenance": _id("maintenance"),
        "title, h1, h2": "//title | //h1 | //h2",
        "h1": "//h1",
        "title": "//title",
        "h3.detailh3": f"//h3[{_class('detailh3')}]",
        "form#form": "//form[@id = 'form']",
        "input[type=hidden]": "descendant::input[translate(@type, 'HIDEN', 'hiden') = 'hidden']",
        "div.law_meta_table": f"//div[{_class('law_meta_table')}]",
        "div.bill_step_list#insc-step-sect": (
            f"//div[@id = 'insc-step-sect'][{_class('bill_step_list')}]"
        ),
        "div[data-gbn]": "child::div[@data-gbn]",
        "div.title": f"descendant::div[{_class('title')}]",
        "div.stepdate": f"descendant::div[{_class('stepdate')}]",
        "table > caption": "//table/caption",
        "tr with td": "descendant::tr[td]",
        "@data-bill-id": "descendant::*/@data-bill-id",
        "a[href*=pdf.do?id=] @href": "descendant::a[contains(@href, 'pdf.do?id=')]/@href",
        "pre#prntSummary": "//pre[@id = 'prntSummary']",
        "pre.bill_memo": f"//pre[{_class('bill_memo')}]",
    }.items()
}
# Script, style and template contents and ruby annotations are not text a reader sees.
STRINGS = etree.XPath(
    "descendant::text()[not(ancestor::script or ancestor::style or ancestor::template"
    " or ancestor::rt or ancestor::rp)]",
    smart_strings=False,
)
_META = etree.XPath("string((//meta[@name = $name])[1]/@content)")


def parse_html(html: str) -> etree._Element:
    # A lone surrogate, which no page holds, cannot be encoded; it becomes "?".
    root = etree.fromstring(html.encode(errors="replace"), _PARSER)
    # lxml gives no tree for a page without an element (empty, blank, a lone comment).
    return root if root is not None else etree.Element("html")


def text_of(element: etree._Element) -> str:
    return " ".join(" ".join(STRINGS(element)).split())


def has_class(element: etree._Element, name: str) -> bool:
    return name in element.get("class", "").split()


def first(root: etree._Element, selector: str) -> etree._Element | None:
    found = FIND[selector](root)
    return found[0] if found else None


def one(root: etree._Element, selector: str, source: str) -> etree._Element:
    found = first(root, selector)
    if found is None:
        raise ParseError(source, f"{selector} missing")
    return found


def optional_text(root: etree._Element, selector: str) -> str | None:
    found = first(root, selector)
    return (text_of(found) or None) if found is not None else None


def meta_content(root: etree._Element, name: str) -> str | None:
    return _META(root, name=name).strip() or None


def is_error_page(html: str) -> bool:
    """Whether the page is a maintenance, error or block notice rather than a bill page."""
    return is_error_document(parse_html(html))


def is_error_document(root: etree._Element) -> bool:
    if first(root, "#maintenance") is not None:
        return True
    for tag in FIND["title, h1, h2"](root):
        text = text_of(tag)
        if any(marker in text for marker in _ERROR_MARKERS):
            return True
    return False


def raise_if_error_page(root: etree._Element, source: str) -> None:
    if is_error_document(root):
        notice = first(root, "h1")
        if notice is None:
            notice = first(root, "title")
        message = text_of(notice) if notice is not None else "error page served with HTTP 200"
        raise SourceError(source, message)


def required(row: dict[str, str], cell: str, caption: str, source: str = INFO_SOURCE) -> str:
    value = row.get(cell)
    if not value:
        raise ParseError(source, f"{caption} td.{cell} missing")
    return value


_DATE = re.compile(r"(\d{4})\s*[-./]?\s*(\d{1,2})\s*[-./]?\s*(\d{1,2})\.?")


def parse_date(text: str, source: str, what: str) -> str:
    """Normalise a date cell to YYYY-MM-DD."""
    match = _DATE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        raise ParseError(source, f"{what} is not a date: {text[:40]!r}") from None
