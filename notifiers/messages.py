"""Alert texts in Korean: a plain-text fallback and Slack Block Kit blocks, from a payload.

Every value that comes from outside (titles, outlets, names, error texts) is escaped for
Slack's mrkdwn (``&``, ``<``, ``>``), and a message is built within Slack's limits: sections
of at most 3,000 characters, at most 50 blocks, a ``text`` of at most 40,000 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.domain import stages
from tracker.domain.fields import INTERNAL_FIELDS, field_label
from tracker.domain.links import bill_url

# Slack's limits (Block Kit reference, chat.postMessage), less a margin for what we add.
MAX_SECTION_TEXT = 3000
MAX_BLOCKS = 50
MAX_TEXT = 40000
# Longest value of one field shown: a title, an error text, a changed field's value.
MAX_FIELD = 300
# A longer URL is not linked (the title is shown alone).
MAX_URL = 1000

_SOURCE_EVENTS = {
    "failure": "🚨 수집 실패",
    "reminder": "⏰ 수집 실패 지속",
    "recovery": "✅ 수집 복구",
}


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True)
class _Style:
    """How values are written: Slack blocks (escaped, linked), Slack's ``text`` fallback
    (escaped) or the console (as they are)."""

    escape: bool
    links: bool

    def __call__(self, value: Any, limit: int = MAX_FIELD) -> str:
        text = str(value)
        if len(text) > limit:
            text = text[: limit - 1] + "…"
        if self.escape:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text

    def link(self, url: str | None, label: Any) -> str:
        if not (self.links and url and len(url) <= MAX_URL and url.startswith("http")):
            return self(label)
        target = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
        return f"<{target.replace('|', '%7C')}|{self(label)}>"

    def code(self, value: Any) -> str:
        text = self(str(value).replace("`", "'"))
        return f"`{text}`" if self.links else text


_BLOCKS = _Style(escape=True, links=True)
_SLACK_TEXT = _Style(escape=True, links=False)
_PLAIN = _Style(escape=False, links=False)


def _bill_link(payload: dict[str, Any], s: _Style) -> str:
    """``2209418 title``, the title linked to the bill's page."""
    title = payload.get("title") or payload.get("bill_id") or "의안"
    number = f"{s(payload['bill_no'])} " if payload.get("bill_no") else ""
    url = bill_url(payload.get("bill_id"), payload.get("detail_url"))
    return f"{number}{s.link(url, title)}"


def _next_step(stage: str | None) -> list[str]:
    following = stages.next_stage(stage)
    return [f"다음 단계: {stages.shown(following)}"] if following else []


def _stage_change_lines(payload: dict[str, Any], s: _Style) -> list[str]:
    lines = [f"📌 의안 상태 변경: {_bill_link(payload, s)}"]
    old, new = payload.get("old_stage"), payload.get("new_stage")
    result = payload.get("new_result")
    new_result = result if result and result != payload.get("old_result") else None
    # A result that only names the ending (대안반영폐기 as the stage) is not said twice.
    if new_result and stages.stage_for_result(new_result) == new:
        new_result = None
    if old != new:
        outcome = f" ({s(new_result)})" if new_result else ""
        lines.append(f"{stages.shown(old)} → {stages.shown(new)}{outcome}")
    elif new_result:
        lines.append(f"처리 결과: {s(new_result)}")
    others = [
        c
        for c in payload.get("changes", [])
        if c["field"] not in ("stage", "result") and c["field"] not in INTERNAL_FIELDS
    ]
    for change in others:
        lines.append(
            f"{field_label(change['field'])}: {s(change['old'] or '-')} → {s(change['new'] or '-')}"
        )
    if payload.get("replaced_by"):
        carrier = payload.get("replaced_by_title") or payload["replaced_by"]
        linked = s.link(bill_url(payload["replaced_by"]), carrier)
        lines.append(f"이 법안은 위원회 대안 「{linked}」에 반영되어 계속 추적합니다.")
    return lines + _next_step(new)


def _new_bill_lines(payload: dict[str, Any], s: _Style) -> list[str]:
    head = "🔎 신규 추적" if payload.get("newly_followed") else "🆕 새 의안"
    lines = [f"{head}: {_bill_link(payload, s)}"]
    details = [s(d) for d in (payload.get("proposer"), payload.get("committee")) if d]
    stage = stages.shown(payload.get("new_stage"))
    lines.append(" · ".join([*details, f"현재 단계: {stage}"]))
    matched = payload.get("matched_by") or ""
    if matched.startswith("alternative:"):
        folded = payload.get("folded") or [{"bill_id": matched.split(":", 1)[1]}]
        names = ", ".join(s(f.get("bill_no") or f["bill_id"]) for f in folded)
        lines.append(f"반영된 의안 {names}: 이 위원회 대안으로 추적을 이어갑니다.")
    elif payload.get("newly_followed"):
        lines.append("이미 진행 중인 의안을 새로 찾아 추적을 시작합니다.")
    return lines + _next_step(payload.get("new_stage"))


def _meeting_lines(payload: dict[str, Any], s: _Style) -> list[str]:
    """ "행정안전위원회 법안심사제1소위원회 (2026-06-20)에서 심사, 회의록"."""
    name, day = s(payload.get("meeting") or "위원회 회의"), s(payload.get("held_on") or "")
    line = f"{name} ({day})에서 심사"
    if payload.get("minutes_url"):
        line += f", {s.link(payload['minutes_url'], '회의록')}"
        if not s.links:
            line += f" {s(payload['minutes_url'], MAX_URL)}"
    lines = [f"🏛️ 위원회 회의: {_bill_link(payload, s)}", line]
    if payload.get("result") and payload["result"] != "심사":
        lines.append(f"회의 결과: {s(payload['result'])}")
    return lines


def source_name(source: str, payload: dict[str, Any]) -> str:
    """A source as staff know it (``assembly_api`` is 국회 Open API)."""
    kind, _, subject = source.partition(":")
    if kind == "assembly_api":
        return "국회 Open API (의안 목록)"
    if kind == "bill_page":
        bill = " ".join(str(x) for x in (payload.get("bill_no"), payload.get("title")) if x)
        return f"의안정보시스템 페이지 (의안 {bill or subject})"
    if kind == "google_news":
        return "구글 뉴스"
    if kind == "naver_news":
        return "네이버 뉴스"
    if kind == "feed":
        return f"뉴스 피드 {subject}"
    if kind == "crawl":
        return "수집 프로그램 자체"
    return source


# What a failure's error text means, in the staff's words (first match wins).
_CAUSES = (
    (re.compile(r"ERROR-290|ERROR-300|invalid key", re.I), "API 키가 받아들여지지 않음"),
    (re.compile(r"ERROR-337"), "오늘의 API 호출 한도 초과"),
    (re.compile(r"HTTP 429"), "요청이 너무 많다며 거절됨 (HTTP 429)"),
    (re.compile(r"HTTP (401|403)"), "접근이 거부됨"),
    (re.compile(r"HTTP 404"), "주소를 찾을 수 없음 (HTTP 404)"),
    (re.compile(r"HTTP 5\d\d"), "출처 서버 오류"),
    (re.compile(r"timeout|timed out", re.I), "응답 시간 초과"),
    (re.compile(r"DNS|lookup|refused|unreachable|Connection", re.I), "출처에 연결할 수 없음"),
    (re.compile(r"not JSON|not a feed|missing|no longer|parse", re.I), "응답 형식이 예상과 다름"),
    (re.compile(r"storing"), "데이터베이스에 저장하지 못함"),
)


def _cause(error: str) -> str:
    return next((text for pattern, text in _CAUSES if pattern.search(error)), "수집 오류")


def _what_to_do(source: str, error: str) -> str:
    kind = source.partition(":")[0]
    if kind == "assembly_api":
        if "ERROR-337" in error:
            return (
                "한도는 매일 초기화되어 자동으로 다시 수집합니다."
                " 자주 반복되면 API 키 한도를 늘리세요."
            )
        return "open.assembly.go.kr 접속과 $ASSEMBLY_API_KEY(만료·오타)를 확인하세요."
    if kind == "bill_page":
        if _cause(error) == "응답 형식이 예상과 다름":
            return (
                "사이트 개편으로 페이지 구조가 바뀌었을 수 있습니다: tracker 업데이트를 확인하세요."
            )
        return "likms.assembly.go.kr 에 브라우저로 접속되는지 확인하세요."
    if kind == "naver_news":
        return "$NAVER_CLIENT_ID / $NAVER_CLIENT_SECRET 와 네이버 API 사용량을 확인하세요."
    if kind == "feed":
        return "피드 주소가 바뀌지 않았는지 확인하고 [sources.news] feeds 를 고치세요."
    if kind == "google_news":
        return "news.google.com 에 접속되는지 확인하세요."
    return "tracker check -v 의 로그를 확인하세요."


def _impact(source: str) -> str:
    kind = source.partition(":")[0]
    if kind in ("google_news", "naver_news", "feed"):
        return "이 출처의 기사가 알림에서 빠질 수 있음 (다른 출처는 계속 수집)"
    if kind == "bill_page":
        return "이 의안의 변동이 늦게 알려질 수 있음"
    return "새 의안과 단계 변동이 늦게 알려질 수 있음"


def _source_lines(payload: dict[str, Any], s: _Style) -> list[str]:
    source = str(payload.get("source") or "")
    event = payload.get("event", "")
    head = _SOURCE_EVENTS.get(event, "수집 상태")
    lines = [f"{head}: {s(source_name(source, payload))}"]
    since = _short_time(payload.get("since"))
    failures = payload.get("failures")
    if event == "recovery":
        until = _short_time(payload.get("at"))
        span = f"{since}부터 {failures}회 연속 실패" if since else f"{failures}회 연속 실패"
        lines.append(f"• {span} 뒤 {until or '이번 수집'}에 다시 정상 수집되었습니다.")
        return lines
    if since:
        lines.append(f"• 언제부터: {since} (연속 {failures}회 실패)")
    lines.append(f"• 영향: {_impact(source)}")
    # The error names the source by its internal name first ("assembly_api: HTTP 500 …").
    error = str(payload.get("error") or "").removeprefix(f"{source}: ")
    error = error.removeprefix(f"{source.partition(':')[0]}: ")
    if error:
        lines.append(f"• 원인: {_cause(error)} {s.code(error)}")
    lines.append(f"• 할 일: {_what_to_do(source, error)} 매 주기 다시 시도하며, 복구되면 알립니다.")
    return lines


def _delivery_problem_lines(payload: dict[str, Any], s: _Style) -> list[str]:
    return [
        f"⚠️ 알림 전송 문제: {s(payload.get('destination'))}",
        f"• 원인과 할 일: {s(payload.get('problem'))}",
        f"• 대기 중인 알림 {payload.get('waiting', 0)}건은 사라지지 않고, 고치는 대로 전송됩니다"
        " (목록: tracker alerts).",
    ]


def _summary_lines(payload: dict[str, Any], s: _Style) -> list[str]:
    head = f"📋 {payload.get('total', 0)}건 추적 시작"
    if payload.get("articles"):
        head += f" (관련 기사 {payload['articles']}건 저장)"
    lines = [head + ": 지금까지의 의안을 단계별로 정리했습니다."]
    for group in payload.get("stages", []):
        bills = group.get("bills", [])
        lines.append(f"{stages.shown(group.get('stage'))} {group.get('count', len(bills))}건")
        lines += [f"• {_bill_link(bill, s)}" for bill in bills]
        if group.get("count", 0) > len(bills):
            lines.append(f"… 외 {group['count'] - len(bills)}건")
    lines.append("앞으로는 새 의안과 단계 변동, 새 기사를 하나씩 알립니다.")
    return lines


def _short_time(value: str | None) -> str | None:
    """``2026-06-01T09:00:00+09:00`` as ``2026-06-01 09:00`` (already in the tracker's zone)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def _news_lines(payload: dict[str, Any], s: _Style) -> list[str]:
    articles = payload.get("articles", [])
    total = payload.get("total", len(articles))
    lines = [f"📰 새 기사 {total}건"]
    for a in articles:
        link = s.link(a.get("url"), a.get("title", ""))
        outlet = s(a["source"]) if a.get("source") else None
        if outlet and a.get("other_sources"):
            outlet += f" 외 {len(a['other_sources'])}곳"
        meta = " · ".join(x for x in (outlet, _short_time(a.get("published_at"))) if x)
        lines.append(f"• {link}" + (f" ({meta})" if meta else ""))
    if total > len(articles):
        rest = s.link(payload.get("more_url"), f"외 {total - len(articles)}건")
        lines.append(f"… {rest} (주간 요약과 tracker query 로 모두 볼 수 있음)")
    return lines


def _notify_test_lines(payload: dict[str, Any], s: _Style) -> list[str]:
    uses = ", ".join(s(u) for u in payload.get("uses", []))
    return [
        f"🔔 tracker 알림 시험: {s(payload.get('target'))}",
        f"• 이곳으로 오는 알림: {uses}" if uses else "• 이곳으로 알림이 옵니다.",
        "• tracker notify --test 가 보낸 시험 메시지입니다. 따로 할 일은 없습니다.",
    ]


_LINES = {
    "notify_test": _notify_test_lines,
    "stage_change": _stage_change_lines,
    "new_bill": _new_bill_lines,
    "news": _news_lines,
    "summary": _summary_lines,
    "delivery_problem": _delivery_problem_lines,
    "meeting": _meeting_lines,
}


def _lines(kind: str, payload: dict[str, Any], s: _Style) -> list[str]:
    return _LINES.get(kind, _source_lines)(payload, s)


def _sections(lines: list[str]) -> list[dict[str, Any]]:
    """Lines packed into as few sections as fit Slack's limits; what does not fit in the
    last allowed block is counted, not dropped silently."""
    chunks: list[str] = []
    for line in lines:
        if chunks and len(chunks[-1]) + 1 + len(line) <= MAX_SECTION_TEXT:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line[:MAX_SECTION_TEXT])
    if len(chunks) > MAX_BLOCKS:
        rest = sum(chunk.count("\n") + 1 for chunk in chunks[MAX_BLOCKS - 1 :])
        chunks = [*chunks[: MAX_BLOCKS - 1], f"… 외 {rest}줄"]
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in chunks]


def format_alert(kind: str, payload: dict[str, Any]) -> Message:
    """The alert as Slack would show it: mrkdwn blocks plus an escaped ``text`` fallback."""
    text = "\n".join(_lines(kind, payload, _SLACK_TEXT))
    return Message(text[:MAX_TEXT], _sections(_lines(kind, payload, _BLOCKS)))


def format_plain(kind: str, payload: dict[str, Any]) -> str:
    """The alert as plain text, unescaped (for the console)."""
    return "\n".join(_lines(kind, payload, _PLAIN))
