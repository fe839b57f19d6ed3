"""The weekly digest rendered with Jinja2: a subject, a plain-text part and an HTML part.

The HTML part is built for mail clients, not browsers: tables and inline styles only, no
images, no scripts, nothing that depends on a ``<style>`` block, so Gmail and Outlook show
the same progress bars a browser does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tracker.digest.model import (
    BillRef,
    Digest,
    DigestArticle,
    DigestBill,
    DigestChange,
    DigestMeeting,
    shown_changes,
)
from tracker.domain.fields import field_label
from tracker.domain.links import bill_url, web_url
from tracker.domain.stages import BY_CODE, PROGRESS_CODES, is_final, next_stage, stage_for_result

DEFAULT_TITLE = "해오름 법안 주간 동향"
TEMPLATES = Path(__file__).parent / "templates"

# Progress-bar colours (background, text). Solid colours only: they survive every client.
COLOR_DONE = "#3b6fb6"
COLOR_CURRENT = "#f08c00"
COLOR_LAW = "#2f9e44"
COLOR_TODO = "#e9ecef"
COLOR_ENDING = "#c92a2a"
_CELL_COLORS: dict[str, tuple[str, str]] = {
    "done": (COLOR_DONE, "#ffffff"),
    "current": (COLOR_CURRENT, "#ffffff"),
    "law": (COLOR_LAW, "#ffffff"),
    "todo": (COLOR_TODO, "#868e96"),
    "ending": (COLOR_ENDING, "#ffffff"),
}

_WEEKDAYS = "월화수목금토일"
# Progress-bar cells are narrow on a phone (about 35 px at 360 px): words of at most three
# syllables, broken only between words.
_CELL_LABELS = {
    "judiciary_review": "법사위 심사",
    "sent_to_government": "정부 이송",
}


@dataclass(frozen=True)
class RenderedDigest:
    """A digest ready to send: subject line, plain-text part and HTML part."""

    subject: str
    text: str
    html: str


# --- rendering ---------------------------------------------------------------------------


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_ENV = _environment()


def _stage_label(code: str | None) -> str:
    if not code:
        return "없음"
    stage = BY_CODE.get(code)
    return stage.label if stage else code


def _date(dt: datetime | None, tz: Any) -> str:
    if dt is None:
        return ""
    if dt.tzinfo is not None:
        dt = dt.astimezone(tz)
    return f"{dt:%Y-%m-%d} ({_WEEKDAYS[dt.weekday()]})"


def _datetime(dt: datetime, tz: Any) -> str:
    if dt.tzinfo is not None:
        dt = dt.astimezone(tz)
    return f"{dt:%m-%d} ({_WEEKDAYS[dt.weekday()]}) {dt:%H:%M}"


def _matched_by(value: str | None) -> str:
    if not value:
        return ""
    if value == "watchlist":
        return "관심 목록"
    if value.startswith("alternative:"):
        return "위원회 대안"
    return f"키워드 “{value}”"


def _ref_view(ref: BillRef) -> dict[str, Any]:
    return {"title": ref.title, "bill_no": ref.bill_no or "", "url": ref.url}


def _cell_label(code: str) -> str:
    return _CELL_LABELS.get(code, _stage_label(code))


def _ending_cell_label(ending: str) -> str:
    """``대안반영폐기`` as ``대안반영 폐기``: two words the cell can put on two lines."""
    return f"{ending[:-2]} 폐기" if len(ending) > 4 and ending.endswith("폐기") else ending


def _cell(label: str, state: str, width: int) -> dict[str, Any]:
    bg, fg = _CELL_COLORS[state]
    return {"label": label, "state": state, "bg": bg, "fg": fg, "width": width}


def _progress(bill: DigestBill) -> dict[str, Any]:
    """The progress bar of one bill: cells from 접수 to 공포, plus an ending cell for a bill
    that ended without becoming law, and a one-line text version."""
    total = len(PROGRESS_CODES)
    ended = is_final(bill.stage) and bill.stage not in PROGRESS_CODES
    if ended:
        reached = bill.reached_stage if bill.reached_stage in PROGRESS_CODES else None
        upto = PROGRESS_CODES.index(reached) if reached else -1
        width = 12
    else:
        reached = bill.stage if bill.stage in PROGRESS_CODES else None
        upto = PROGRESS_CODES.index(reached) if reached else -1
        width = 100 // total

    cells = []
    for i, code in enumerate(PROGRESS_CODES):
        if i < upto or (ended and i == upto):
            state = "done"
        elif i == upto:
            state = "law" if code == "promulgated" else "current"
        else:
            state = "todo"
        cells.append(_cell(_cell_label(code), state, width))

    bar = "■" * (upto + 1) + "□" * (total - upto - 1)
    if ended:
        # 임기만료폐기 says more than the code's label 폐기.
        ending = bill.result if stage_for_result(bill.result) == bill.stage else None
        ending = ending or _stage_label(bill.stage)
        cells.append(_cell(_ending_cell_label(ending), "ending", 100 - width * total))
        where = f" ({_stage_label(reached)} 단계에서)" if reached else ""
        status = f"종료: {ending}{where}"
    elif reached:
        result = f", {bill.result}" if bill.result else ""
        status = f"{_stage_label(reached)} ({upto + 1}/{total}{result})"
    else:
        status = _stage_label(bill.stage)
    following = next_stage(bill.stage)
    return {
        "cells": cells,
        "status": status,
        "text": f"[{bar}] {status}",
        "ended": ended,
        "next": _stage_label(following) if following else "",
    }


def _what(change: DigestChange) -> str:
    if change.kind == "new":
        return f"신규 추적: {_stage_label(change.new_value)}"
    if change.field == "stage":
        return f"단계: {_stage_label(change.old_value)} → {_stage_label(change.new_value)}"
    name = field_label(change.field)
    return f"{name}: {change.old_value or '없음'} → {change.new_value or '없음'}"


def _change_groups(
    changes: list[DigestChange], refs: dict[str, BillRef], tz: Any
) -> list[dict[str, Any]]:
    """The changes bill by bill (a bill's first change decides its place), each oldest first.

    A result recorded with a stage change joins its line: ``본회의 의결 (원안가결)``.
    """
    groups: dict[str, dict[str, Any]] = {}
    for change in sorted(changes, key=lambda c: c.observed_at):
        ref = refs.get(change.bill_id)
        group = groups.setdefault(
            change.bill_id,
            {
                "title": change.bill_title,
                "bill_no": ref.bill_no if ref else "",
                "url": ref.url if ref else bill_url(change.bill_id),
                "entries": [],
                "stage_at": {},
            },
        )
        stage_item = group["stage_at"].get(change.observed_at)
        if change.field == "result" and change.new_value and stage_item is not None:
            stage_item["what"] += f" ({change.new_value})"
            continue
        item = {
            "when": _datetime(change.observed_at, tz),
            "what": _what(change),
            "kind": change.kind,
            "is_stage": change.kind == "changed" and change.field == "stage",
        }
        if item["is_stage"]:
            group["stage_at"][change.observed_at] = item
        group["entries"].append(item)
    return [{k: v for k, v in g.items() if k != "stage_at"} for g in groups.values()]


def _bill_view(bill: DigestBill, tz: Any, now: datetime) -> dict[str, Any]:
    meta = [
        (name, value)
        for name, value in (
            ("의안번호", bill.bill_no),
            ("제안자", bill.proposer),
            ("소관위", bill.committee),
        )
        if value
    ]
    moved = bill.last_moved(tz)
    stalled = bill.stalled and not is_final(bill.stage)
    idle = ""
    if stalled and moved is not None:
        idle = f"{(now.astimezone(tz).date() - moved.astimezone(tz).date()).days}일째 변동 없음"
    url = bill_url(bill.bill_id, bill.detail_url)
    return {
        "title": bill.title,
        "url": url,
        "raw_url": bill.detail_url if bill.detail_url and not url else "",
        "meta": " · ".join(f"{name} {value}" for name, value in meta),
        "matched_by": _matched_by(bill.matched_by),
        "stalled": stalled,
        "idle": idle,
        "last_changed": _date(moved, tz),
        # The date is the Assembly's when a step is recorded, else when tracker saw a change.
        "observed_only": bill.last_step_on is None,
        "progress": _progress(bill),
        "alternative": _ref_view(bill.alternative) if bill.alternative else None,
        "folded": [_ref_view(ref) for ref in bill.folded],
    }


def _article_view(article: DigestArticle, tz: Any) -> dict[str, Any]:
    others = [s for s in article.other_sources if s and s != article.source]
    line = article.source or "출처 미상"
    if others:
        line += f" 외 {len(others)}개 언론 ({', '.join(others)})"
    if article.published_at is not None:
        line += f" · {_date(article.published_at, tz)}"
    return {
        "title": article.title,
        "line": line,
        "url": web_url(article.url),
        "raw_url": article.url,
    }


def _meeting_view(meeting: DigestMeeting) -> dict[str, Any]:
    number = f"[{meeting.bill_no}] " if meeting.bill_no else ""
    what = f"{meeting.meeting}에서 심사"
    if meeting.result and meeting.result != "심사":
        what += f" · {meeting.result}"
    return {
        "when": meeting.held_on,
        "bill_title": f"{number}{meeting.bill_title}",
        "what": what,
        "url": web_url(meeting.minutes_url),
        "raw_url": meeting.minutes_url or "",
    }


def subject_line(digest: Digest, title: str = DEFAULT_TITLE) -> str:
    """The Korean subject: title, period and the headline counts."""
    s = digest.summary
    period = f"{digest.period_start:%Y-%m-%d} ~ {digest.last_day:%Y-%m-%d}"
    if s.empty and not shown_changes(digest.changes):
        return f"[{title}] {period}: 변동 없음"
    return (
        f"[{title}] {period}: 단계 변경 {s.stage_changes}건, "
        f"신규 {s.new_bills}건, 기사 {s.articles}건"
    )


def digest_context(digest: Digest, title: str = DEFAULT_TITLE) -> dict[str, Any]:
    """What the templates show of ``digest``: bills with their progress bars, changes,
    meetings and articles (the status page shows them too)."""
    tz = digest.period_start.tzinfo
    refs = {
        b.bill_id: BillRef(b.bill_id, b.bill_no, b.title, bill_url(b.bill_id, b.detail_url))
        for b in digest.bills
    }
    changes = shown_changes(digest.changes)
    summary = digest.summary
    return {
        "title": title,
        "period": f"{_date(digest.period_start, tz)} ~ {_date(digest.last_day, tz)}",
        "summary": summary,
        "bill_count": len(digest.bills),
        "change_groups": _change_groups(changes, refs, tz),
        "bills": [_bill_view(b, tz, digest.period_end) for b in digest.bills],
        "articles": [_article_view(a, tz) for a in digest.articles],
        "meetings": [_meeting_view(m) for m in digest.meetings],
        "empty": summary.empty and not changes and not digest.meetings,
    }


def render_digest(digest: Digest, *, title: str = DEFAULT_TITLE) -> RenderedDigest:
    """Render ``digest`` into a subject, a plain-text part and an HTML part."""
    context = digest_context(digest, title)
    return RenderedDigest(
        subject=subject_line(digest, title),
        text=_ENV.get_template("digest.txt.j2").render(context),
        html=_ENV.get_template("digest.html.j2").render(context),
    )
