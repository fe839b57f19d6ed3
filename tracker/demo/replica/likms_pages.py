"""Render the Assembly's bill pages (likms) for the local replica, in the live site's layout.

``render_detail_page`` gives the shell page ``billDetailPage.do``, ``render_bill_info`` the
fragment ``billInfo.do`` returns and ``render_alternatives`` that of ``anBillInfo.do``;
``tracker.parsers.likms`` reads them back. The markup follows the real capture in
``tests/fixtures/likms/real/``: the step bar ``div.bill_step_list#insc-step-sect``, one table a
section found by its caption, cells ``<td class="…"><i>label</i><span>value</span></td>``.

Keys of ``bill`` (a missing optional key renders as the site renders absent data):

- ``bill_id``, ``bill_no``, ``title``, ``proposer``, ``proposed_on`` (``YYYY-MM-DD``),
  ``session`` (제안회기): identity and the 의안접수정보 row; ``csrf``: the shell's token.
- ``curr_cmt_name``: the shell form's ``currCmtName``, filled as the live site fills it
  ("위원회 심사" on a bill at 접수): not the bill's step.
- ``current``: the step bar's current step (its ``data-gbn``: RECEIVE … DCS) or None; ``ending``
  and ``ended_on``: how and when a bill ended without becoming law (the bar's last step).
- ``committee``, ``committee_referred_on``, ``committee_presented_on``, ``subcommittee``,
  ``committee_decided_on``, ``committee_result``: 소관위 and 소위 심사정보.
- ``judiciary_referred_on``, ``judiciary_decided_on``, ``judiciary_result``: 법사위 체계자구
  심사정보; ``plenary_presented_on``, ``plenary_on``, ``plenary_meeting``, ``plenary_result``:
  본회의 심의정보; ``sent_on``: 정보이송정보; ``laws`` (rows of ``announceDt``,
  ``announceNo``, ``lawName``): 공포정보; ``memo``: 부가정보.
- ``meetings``: rows of ``table`` (소관위 / 소위 / 법사위 회의정보), ``mtngName``, ``mtngDt``,
  ``procResultName`` and ``doc_href`` (the 회의록 link), shown with the committee's tables.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

# The step bar: code, title and the key of the date it shows (접수: 제안일, the reviews: 처리일,
# 본회의: 의결일).
STEP_BAR: tuple[tuple[str, str, str], ...] = (
    ("RECEIVE", "접수", "proposed_on"),
    ("CMT", "위원회 심사", "committee_decided_on"),
    ("EXAM", "체계자구 심사", "judiciary_decided_on"),
    ("MAIN", "본회의 심의", "plenary_on"),
    ("GOVTRANS", "정부이송", "sent_on"),
    ("DCS", "공포", "promulgated_on"),
)

_env = Environment(
    loader=PackageLoader("tracker.demo.replica", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_detail_page(bill: dict[str, Any]) -> str:
    """The shell page ``billDetailPage.do`` of ``bill``."""
    return _env.get_template("likms_detail_page.html").render(bill=bill)


def render_bill_info(bill: dict[str, Any], summary: str | None) -> str:
    """The ``billInfo.do`` fragment of ``bill``."""
    return _env.get_template("likms_bill_info.html").render(
        bill=bill,
        step_bar=step_bar(bill),
        summary=_indent(summary) if summary is not None else None,
    )


def render_alternatives(alternative: dict[str, Any] | None, folded: list[dict[str, Any]]) -> str:
    """The ``anBillInfo.do`` fragment: the alternative and the bills folded into it, each
    table twice, as the live site sends them."""
    return _env.get_template("likms_alternatives.html").render(
        alternative=alternative, folded=folded
    )


def step_bar(bill: dict[str, Any]) -> list[dict[str, Any]]:
    """The step bar's steps: a step with a date is reached, the current one is ``on``."""
    laws = bill.get("laws") or []
    dates = {**bill, "promulgated_on": laws[0]["announceDt"] if laws else None}
    bar = STEP_BAR
    if bill.get("ending"):
        # A bill that ended without becoming law: the bar is cut short, its last step is named
        # for the ending (접수 > 위원회 심사 > 대안반영폐기).
        bar = (*STEP_BAR[:2], ("DCS", bill["ending"], "ended_on"))
    steps = []
    for code, title, key in bar:
        current = bill.get("current") == code
        date = dates.get(key)
        # The class of a finished step is in no capture; "end" stands in for it.
        css = "on" if current else "end" if date else "proc"
        steps.append({"code": code, "title": title, "date": date, "current": current, "css": css})
    return steps


def _indent(summary: str) -> str:
    # The site indents each paragraph of the summary by two spaces.
    return "\n".join(f"  {line}" if line else "" for line in summary.splitlines())
