"""Following bills by 의안번호: ``tracker follow``, ``unfollow``, ``mute``, ``unmute``, ``list``
and ``status``. The state is kept in the database (``bill_follows``); the config's
``[watch] bill_nos`` are the seed, which the commands override."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from tracker.config import Config, is_bill_no
from tracker.domain import stages
from tracker.domain.fields import field_label
from tracker.errors import ConfigError
from tracker.store.database import Store, open_store
from tracker.timeutil import minute, now

# A value longer than this (a summary) is cut in ``status``.
VALUE_WIDTH = 60


def bill_no_argument(text: str) -> str:
    """The 의안번호 given on the command line, or a ConfigError saying what one looks like."""
    number = text.strip()
    if not is_bill_no(number):
        raise ConfigError(f"not a 의안번호 (seven digits, e.g. 2203257): {text!r}")
    return number


@contextmanager
def _store(config: Config) -> Iterator[Store]:
    store = open_store(config.tracker.db, config.tracker.timezone)
    try:
        yield store
    finally:
        store.close()


def _named(bill: dict[str, Any] | None, number: str) -> str:
    return f"{number} {bill['title']}" if bill and bill.get("title") else number


def _set_follow(config: Config, number: str, state: str) -> dict[str, Any] | None:
    """Record ``state`` for the number; the stored bill, if any."""
    with _store(config) as store:
        store.follows.set_state(number, state)
        return store.bills.by_number(number)


def follow(config: Config, number: str) -> str:
    """Follow a bill by its number from the next check on; what was done, in one line."""
    bill = _set_follow(config, number, "followed")
    if bill is None:
        return f"following {number}: the next check looks it up in the Open API"
    return f"following {_named(bill, number)}"


def unfollow(config: Config, number: str) -> str:
    """Stop following a bill: no keyword scan picks it up again, its pages are not read and it
    sends no alert. Its history stays."""
    bill = _set_follow(config, number, "unfollowed")
    if bill is None:
        return f"unfollowed {number}: not in the database; it will not be tracked when found"
    return f"unfollowed {_named(bill, number)}: its history stays, nothing more is read or alerted"


def mute(config: Config, number: str, days: float) -> str:
    """Store a bill's changes without alerting them for ``days`` days."""
    with _store(config) as store:
        bill = store.bills.by_number(number)
        if bill is None and number not in store.follows.followed_numbers(config.watch.bill_nos):
            raise ConfigError(f"no bill {number} in the database or followed: nothing to mute")
        until = now(config.tracker.timezone) + timedelta(days=days)
        store.follows.set_mute(number, until)
    return f"muted {_named(bill, number)} until {minute(until)}: changes are stored, not alerted"


def unmute(config: Config, number: str) -> str:
    with _store(config) as store:
        store.follows.set_mute(number, None)
        bill = store.bills.by_number(number)
    return f"unmuted {_named(bill, number)}"


def _why(bill: dict[str, Any], followed: set[str], numbers: dict[str, str]) -> str:
    """Why a bill is followed: its number, a keyword, its bill id or as an alternative."""
    matched = bill.get("matched_by") or ""
    if bill.get("bill_no") in followed or matched == "number":
        return "의안번호"
    if matched.startswith("alternative:"):
        folded = matched.split(":", 1)[1]
        return f"대안 ({numbers.get(folded, folded)} 반영)"
    if matched == "watchlist":
        return "bill_id"
    return f"키워드 {matched}" if matched else "알 수 없음"


def _last_step(events: list[dict[str, Any]]) -> str:
    if not events:
        return "-"
    last = max(events, key=lambda e: e["happened_on"])
    return f"{last['happened_on']} {last['description'] or stages.shown(last['stage'])}"


def _muted(row: dict[str, Any] | None, at: datetime) -> str | None:
    until = row and row.get("muted_until")
    if until and datetime.fromisoformat(until) > at:
        return minute(until)
    return None


def list_text(config: Config) -> str:
    """Every followed bill: number, title, why, stage, last dated step, muted until; then the
    numbers followed but not found yet and those unfollowed."""
    at = now(config.tracker.timezone)
    with _store(config) as store:
        follows = store.follows.by_number()
        followed = set(store.follows.followed_numbers(config.watch.bill_nos))
        bills = store.bills.rows(
            "bill_no IS NULL OR bill_no NOT IN (SELECT bill_no FROM bill_follows"
            " WHERE state = 'unfollowed') ORDER BY bill_no"
        )
        events = {b["bill_id"]: store.bills.events(b["bill_id"]) for b in bills}
        numbers = {b["bill_id"]: b["bill_no"] for b in store.bills.rows()}
    lines = []
    for bill in bills:
        parts = [
            f"이유: {_why(bill, followed, numbers)}",
            f"단계: {stages.shown(bill['stage'])}",
            f"마지막 단계: {_last_step(events[bill['bill_id']])}",
        ]
        if muted := _muted(follows.get(bill["bill_no"]), at):
            parts.append(f"알림 끔: {muted}까지")
        lines.append(f"{bill['bill_no'] or bill['bill_id']}  {bill['title']}")
        lines.append(f"    {' · '.join(parts)}")
    found = {b["bill_no"] for b in bills}
    for number in sorted(followed - found):
        lines.append(f"{number}  (아직 찾지 못함: 다음 확인에서 Open API로 찾습니다)")
    if not lines:
        lines.append("추적 중인 의안이 없습니다 (`tracker check`가 찾습니다).")
    unfollowed = sorted(n for n, r in follows.items() if r["state"] == "unfollowed")
    if unfollowed:
        lines.append(f"추적 해제: {', '.join(unfollowed)}")
    return "\n".join(lines) + "\n"


def _value(field: str, value: str | None) -> str:
    if value is None or value == "":
        return "-"
    text = stages.shown(value) if field == "stage" else " ".join(value.split())
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _change_line(change: dict[str, Any]) -> str:
    when = minute(change["observed_at"])
    if change["kind"] == "new":
        return f"  {when}  추적 시작 ({_value('stage', change['new_value'])})"
    field = change["field"]
    old, new = _value(field, change["old_value"]), _value(field, change["new_value"])
    return f"  {when}  {field_label(field)}: {old} → {new}"


def status_text(config: Config, number: str) -> str:
    """One bill's story: where it stands, its dated steps, its meetings and every change."""
    at = now(config.tracker.timezone)
    with _store(config) as store:
        bill = store.bills.by_number(number)
        if bill is None:
            raise ConfigError(f"no bill {number} in the database (`tracker list` shows them)")
        follow_row = store.follows.by_number().get(number)
        followed = set(store.follows.followed_numbers(config.watch.bill_nos))
        numbers = {b["bill_id"]: b["bill_no"] for b in store.bills.rows()}
        events = store.bills.events(bill["bill_id"])
        meetings = store.bills.meetings(bill["bill_id"])
        changes = store.bills.history(bill["bill_id"])
    stage = stages.shown(bill["stage"])
    if bill["result"]:
        stage += f" (처리 결과: {bill['result']})"
    if follow_row and follow_row["state"] == "unfollowed":
        why = "추적 해제됨"
    else:
        why = _why(bill, followed, numbers)
    lines = [
        f"[{number}] {bill['title']}",
        f"단계: {stage} · 소관위원회: {bill['committee'] or '-'} · 추적 이유: {why}",
        f"제안: {bill['proposer'] or '-'} ({bill['proposed_on'] or '-'})",
    ]
    if muted := _muted(follow_row, at):
        lines.append(f"알림 끔: {muted}까지")
    if bill["detail_url"]:
        lines.append(f"의안 페이지: {bill['detail_url']}")
    lines += ["", "진행 경과"]
    lines += [_event_line(e) for e in events] or ["  -"]
    lines += ["", "위원회 회의"]
    lines += [_meeting_line(m) for m in meetings] or ["  -"]
    lines += ["", "변경 기록"]
    lines += [_change_line(c) for c in changes] or ["  -"]
    return "\n".join(lines) + "\n"


def _event_line(event: dict[str, Any]) -> str:
    label, description = stages.shown(event["stage"]), event["description"] or ""
    said = f"  {description}" if description and description != label else ""
    return f"  {event['happened_on']}  {label}{said}"


def _meeting_line(meeting: dict[str, Any]) -> str:
    parts = [f"  {meeting['held_on']}  {meeting['committee']}  {meeting['meeting']}"]
    if meeting["result"]:
        parts.append(meeting["result"])
    if meeting["minutes_url"]:
        parts.append(f"회의록 {meeting['minutes_url']}")
    return " · ".join(parts)
