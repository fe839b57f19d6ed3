"""Render the Assembly's bill pages (likms) for the local replica, in the live site's format.

``render_detail_page`` gives the shell page ``billDetailPage.do`` and ``render_bill_info`` the
fragment ``billInfo.do`` returns; ``tracker.parsers.likms`` reads both back.

Keys of ``bill`` (missing optional keys render as the site renders absent data):

- ``bill_id``, ``bill_no``, ``title``, ``proposer``: identity; the shell page heading reads
  ``[bill_no] title(proposer)``.
- ``csrf``: the token in ``<meta name="_csrf">`` (shell page).
- ``current_step``: the step as the site names it, one of ``STEP_BAR`` (``currCmtName`` on the
  shell page; the ``on`` item of the fragment's step bar, earlier items marked ``end``).
- ``proposed_on`` (``YYYY-MM-DD``), optional ``committee``: the fragment's receipt row.
- optional ``bill_kind_cd`` (default ``BKC_0004``), ``head_memo_info``: shell page form fields.
- optional ``committee_referred_on``, ``committee_presented_on``, ``committee_decided_on``,
  ``committee_result``: the fragment's committee section (shown when ``committee`` is set).
- optional ``plenary_on``, ``plenary_result``: the plenary section (shown when a result is set).

Each of ``steps`` has ``name``, ``date`` (``YYYY-MM-DD`` or None) and ``description``; with no
steps the fragment's step section holds only its heading, as the live site serves it before
its script fills it. ``alternative`` has ``bill_id``, ``bill_no``, ``title``, ``proposed_on``.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

STEP_BAR: tuple[str, ...] = (
    "접수",
    "위원회 심사",
    "체계자구 심사",
    "본회의 심의",
    "정부이송",
    "공포",
)

_env = Environment(
    loader=PackageLoader("tracker.replica", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_detail_page(bill: dict[str, Any]) -> str:
    """The shell page ``billDetailPage.do`` of ``bill``."""
    return _env.get_template("likms_detail_page.html").render(bill=bill)


def render_bill_info(
    bill: dict[str, Any],
    steps: list[dict[str, Any]],
    summary: str | None,
    alternative: dict[str, Any] | None,
) -> str:
    """The ``billInfo.do`` fragment of ``bill``."""
    return _env.get_template("likms_bill_info.html").render(
        bill=bill,
        steps=steps,
        step_bar=_step_bar(bill.get("current_step")),
        summary=_indent(summary) if summary is not None else None,
        alternative=alternative,
    )


def _step_bar(current: str | None) -> list[tuple[str, str]]:
    if current not in STEP_BAR:
        return [(name, "") for name in STEP_BAR]
    position = STEP_BAR.index(current)
    return [
        (name, "end" if i < position else "on" if i == position else "")
        for i, name in enumerate(STEP_BAR)
    ]


def _indent(summary: str) -> str:
    # The site indents each paragraph of the summary by two spaces.
    return "\n".join(f"  {line}" if line else "" for line in summary.splitlines())
