"""Alerts as the outbox holds them: the dedupe key of each kind, and what each one says.

A key names the event an alert is about, so the same event found twice (two sources, a
retried cycle) is queued once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tracker.domain.bills import Change, Meeting, as_text

# Alerts about one bill: each follows the routes that follow the bill, and in each channel the
# first starts the bill's thread and the others reply in it.
BILL_KINDS = frozenset({"new_bill", "stage_change", "meeting"})
# The key of the one alert that sums up the bills of a database's first run.
SUMMARY_KEY = "summary:first_run"
# Bills listed per stage in the first run's summary (the rest are counted).
SUMMARY_BILLS_PER_STAGE = 10
# A news alert lists at most this many articles (Slack truncates long messages); it says how
# many more there were.
NEWS_ALERT_MAX_ARTICLES = 20
# An error is kept to its first line, at most this long.
ERROR_LENGTH = 500

_BILL_KEYS = ("bill_id", "bill_no", "title", "proposer", "committee", "detail_url", "matched_by")
_SUMMARY_KEYS = ("bill_id", "bill_no", "title", "detail_url")
_ARTICLE_KEYS = ("title", "url", "source", "published_at")


def error_line(text: str) -> str:
    """An error as it is stored and shown: its first line, at most ERROR_LENGTH long."""
    first = text.strip().splitlines()[0] if text.strip() else text
    return first[:ERROR_LENGTH]


def new_bill_key(bill_id: str) -> str:
    return f"new_bill:{bill_id}"


def stage_key(bill_id: str, stage: str | None, result: str | None) -> str:
    """A status change: once per stage and result a bill reaches."""
    return f"stage:{bill_id}:{stage}:{result or ''}"


def fields_key(bill_id: str, at: str, fields: Iterable[str]) -> str:
    """Other alerted fields: once per check that changed them."""
    return f"fields:{bill_id}:{at}:{','.join(sorted(fields))}"


def meeting_key(bill_id: str, meeting: Meeting) -> str:
    return f"meeting:{bill_id}:{meeting.held_on}:{meeting.name}"


def news_key(run_id: int | None, at: str) -> str:
    """The news of one run (of one moment, outside a run)."""
    return f"news:{run_id if run_id is not None else at}"


def source_key(source: str, event: str, at: str) -> str:
    return f"source:{source}:{event}:{at}"


def delivery_problem_key(destination: str, first_alert_id: int) -> str:
    """A destination refusing alerts: once per episode, named by the oldest alert it holds."""
    return f"delivery_problem:{destination}:{first_alert_id}"


def bill_payload(bill: dict[str, Any]) -> dict[str, Any]:
    """What every alert about a bill says of it."""
    return {k: bill.get(k) for k in _BILL_KEYS}


def new_bill_payload(bill: dict[str, Any], newly_followed: bool) -> dict[str, Any]:
    return {**bill_payload(bill), "new_stage": bill.get("stage"), "newly_followed": newly_followed}


def meeting_payload(bill: dict[str, Any], meeting: Meeting) -> dict[str, Any]:
    return {
        **bill_payload(bill),
        "committee_kind": meeting.committee,
        "meeting": meeting.name,
        "held_on": meeting.held_on,
        "result": meeting.result,
        "minutes_url": meeting.minutes_url,
    }


def stage_change_payload(
    bill: dict[str, Any],
    changes: Sequence[Change],
    replaced_by: str | None,
    replaced_by_title: str | None,
) -> dict[str, Any]:
    """The ``changes`` to ``bill``, the row already updated with them."""
    before = {c.field: c.old_value for c in changes}
    return {
        **bill_payload(bill),
        "old_stage": before.get("stage", bill["stage"]),
        "new_stage": bill["stage"],
        "old_result": before.get("result", bill["result"]),
        "new_result": bill["result"],
        "changes": [
            {"field": c.field, "old": as_text(c.old_value), "new": as_text(c.new_value)}
            for c in changes
        ],
        "replaced_by": replaced_by,
        "replaced_by_title": replaced_by_title,
    }


def news_payload(articles: Sequence[dict[str, Any]], more_url: str | None) -> dict[str, Any]:
    """One run's new articles (``news_articles`` rows, ``other_sources`` decoded): the newest
    first, at most NEWS_ALERT_MAX_ARTICLES of them, and a link to the rest."""
    newest = sorted(articles, key=lambda r: r["published_at"] or "", reverse=True)
    payload: dict[str, Any] = {
        "articles": [
            {**{k: r[k] for k in _ARTICLE_KEYS}, "other_sources": r["other_sources"]}
            for r in newest[:NEWS_ALERT_MAX_ARTICLES]
        ],
        "total": len(articles),
    }
    if more_url and len(articles) > NEWS_ALERT_MAX_ARTICLES:
        payload["more_url"] = more_url
    return payload


def source_payload(
    source: str, event: str, error: str | None, since: str | None, at: str, failures: int
) -> dict[str, Any]:
    """A source's failure, reminder or recovery (``event``)."""
    return {
        "source": source,
        "event": event,
        "error": error_line(error) if error else None,
        "since": since,
        "at": at,
        "failures": failures,
    }


def summary_payload(
    by_stage: Iterable[tuple[str, Sequence[dict[str, Any]]]], articles: int
) -> dict[str, Any]:
    """The first run's summary: the bills stored so far by stage code, and the articles."""
    groups = [
        {
            "stage": code,
            "count": len(bills),
            "bills": [{k: b[k] for k in _SUMMARY_KEYS} for b in bills[:SUMMARY_BILLS_PER_STAGE]],
        }
        for code, bills in by_stage
        if bills
    ]
    return {"total": sum(g["count"] for g in groups), "articles": articles, "stages": groups}
