"""Alert texts in Korean: a plain-text fallback and Slack Block Kit blocks, from a payload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker import stages
from tracker.fields import INTERNAL_FIELDS, field_label
from tracker.links import bill_url

_SOURCE_EVENTS = {
    "failure": "🚨 수집 실패",
    "reminder": "⏰ 수집 실패 지속",
    "recovery": "✅ 수집 복구",
}


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[dict[str, Any]]


def _stage_label(code: str | None) -> str:
    return stages.label(code) if code in stages.BY_CODE else (code or "알 수 없음")


def _bill_link(payload: dict[str, Any], markup: bool) -> str:
    """``2209418 title``, the title linked to the bill's page."""
    title = payload.get("title") or payload.get("bill_id") or "의안"
    number = f"{payload['bill_no']} " if payload.get("bill_no") else ""
    url = bill_url(payload.get("bill_id"), payload.get("detail_url"))
    if markup and url:
        safe = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"{number}<{url}|{safe}>"
    return f"{number}{title}"


def _next_step(stage: str | None) -> list[str]:
    following = stages.next_stage(stage)
    return [f"다음 단계: {_stage_label(following)}"] if following else []


def _stage_change_lines(payload: dict[str, Any], markup: bool) -> list[str]:
    lines = [f"📌 의안 상태 변경: {_bill_link(payload, markup)}"]
    old, new = payload.get("old_stage"), payload.get("new_stage")
    result = payload.get("new_result")
    new_result = result if result and result != payload.get("old_result") else None
    # A result that only names the ending (대안반영폐기 as the stage) is not said twice.
    if new_result and stages.stage_for_result(new_result) == new:
        new_result = None
    if old != new:
        outcome = f" ({new_result})" if new_result else ""
        lines.append(f"{_stage_label(old)} → {_stage_label(new)}{outcome}")
    elif new_result:
        lines.append(f"처리 결과: {new_result}")
    others = [
        c
        for c in payload.get("changes", [])
        if c["field"] not in ("stage", "result") and c["field"] not in INTERNAL_FIELDS
    ]
    for change in others:
        lines.append(
            f"{field_label(change['field'])}: {change['old'] or '-'} → {change['new'] or '-'}"
        )
    if payload.get("replaced_by"):
        carrier = payload.get("replaced_by_title") or payload["replaced_by"]
        url = bill_url(payload["replaced_by"])
        if markup and url:
            carrier = f"<{url}|{carrier}>"
        lines.append(f"이 법안은 위원회 대안 「{carrier}」에 반영되어 계속 추적합니다.")
    return lines + _next_step(new)


def _new_bill_lines(payload: dict[str, Any], markup: bool) -> list[str]:
    lines = [f"🆕 새 의안: {_bill_link(payload, markup)}"]
    details = [payload.get("proposer"), payload.get("committee")]
    stage = _stage_label(payload.get("new_stage"))
    lines.append(" · ".join([d for d in details if d] + [f"현재 단계: {stage}"]))
    matched = payload.get("matched_by") or ""
    if matched.startswith("alternative:"):
        folded = payload.get("folded") or [{"bill_id": matched.split(":", 1)[1]}]
        names = ", ".join(f.get("bill_no") or f["bill_id"] for f in folded)
        lines.append(f"반영된 의안 {names}: 이 위원회 대안으로 추적을 이어갑니다.")
    return lines + _next_step(payload.get("new_stage"))


def _source_lines(payload: dict[str, Any]) -> list[str]:
    head = _SOURCE_EVENTS.get(payload.get("event", ""), "수집 상태")
    lines = [f"{head}: {payload.get('source')}"]
    if payload.get("error"):
        lines.append(f"오류: {payload['error']} (연속 {payload.get('failures')}회)")
    if payload.get("since"):
        lines.append(f"실패 시작: {payload['since']}")
    return lines


def _short_time(value: str | None) -> str | None:
    """``2026-06-01T09:00:00+09:00`` as ``2026-06-01 09:00`` (already in the tracker's zone)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def _news_lines(payload: dict[str, Any], markup: bool) -> list[str]:
    articles = payload.get("articles", [])
    total = payload.get("total", len(articles))
    lines = [f"📰 새 기사 {total}건"]
    for a in articles:
        title = a.get("title", "")
        link = f"<{a['url']}|{title}>" if markup and a.get("url") else title
        outlet = a.get("source")
        if outlet and a.get("other_sources"):
            outlet += f" 외 {len(a['other_sources'])}곳"
        meta = " · ".join(x for x in (outlet, _short_time(a.get("published_at"))) if x)
        lines.append(f"• {link}" + (f" ({meta})" if meta else ""))
    if total > len(articles):
        lines.append(f"… 외 {total - len(articles)}건")
    return lines


def _lines(kind: str, payload: dict[str, Any], markup: bool) -> list[str]:
    if kind == "stage_change":
        return _stage_change_lines(payload, markup)
    if kind == "new_bill":
        return _new_bill_lines(payload, markup)
    if kind == "news":
        return _news_lines(payload, markup)
    return _source_lines(payload)


def format_alert(kind: str, payload: dict[str, Any]) -> Message:
    """The alert as Slack would show it: mrkdwn blocks plus a plain ``text`` fallback."""
    plain = "\n".join(_lines(kind, payload, markup=False))
    rich = _lines(kind, payload, markup=True)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(rich)}}
    ]
    return Message(plain, blocks)
