"""Building a period's digest from the database: bills, changes, articles, meetings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tracker.digest.model import (
    BillRef,
    Digest,
    DigestArticle,
    DigestBill,
    DigestChange,
    DigestMeeting,
    is_stalled,
    shown_changes,
)
from tracker.digest.period import Period
from tracker.domain.article import Article
from tracker.domain.links import bill_url
from tracker.domain.stages import PROGRESS_CODES, is_final, rank
from tracker.domain.stories import dedupe
from tracker.store.database import Store


def _time(value: str | None, zone: ZoneInfo) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _reached(stage: str, seen: set[str]) -> str | None:
    """For a bill that ended without becoming law, the furthest progress stage it reached."""
    if stage in PROGRESS_CODES or not is_final(stage):
        return None
    progress = [s for s in seen if s in PROGRESS_CODES]
    return max(progress, key=rank) if progress else None


def _other_sources(value: Any) -> list[str]:
    """The ``other_sources`` column: a JSON list, or names separated by commas."""
    if not value:
        return []
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            return [str(s) for s in json.loads(value) if s]
        except ValueError:
            pass
    return [s.strip() for s in str(value).split(",") if s.strip()]


def _articles(rows: list[dict[str, Any]], zone: ZoneInfo) -> list[DigestArticle]:
    """One entry per story: stored articles of one story in the same period are merged."""
    items = [
        Article(
            url=row["url"],
            title=row["title"],
            source=row["source"],
            published_at=_time(row["published_at"], zone),
            summary=row["summary"] or "",
        )
        for row in rows
    ]
    others = {row["url"]: _other_sources(row.get("other_sources")) for row in rows}
    articles = []
    for story in dedupe(items):
        sources = [s for item in story.items for s in (item.source, *others[item.url]) if s]
        first = story.article
        articles.append(
            DigestArticle(
                title=first.title,
                url=first.url,
                source=first.source,
                published_at=first.published_at,
                other_sources=[s for s in dict.fromkeys(sources) if s != first.source],
            )
        )
    return articles


def _refs(rows: list[dict[str, Any]]) -> dict[str, BillRef]:
    return {
        row["bill_id"]: BillRef(
            row["bill_id"],
            row["bill_no"],
            row["title"] or row["bill_id"],
            bill_url(row["bill_id"], row["detail_url"]),
        )
        for row in rows
    }


@dataclass(frozen=True)
class _Facts:
    """What the digest's bill cards need besides the bills' own rows."""

    seen: dict[str, set[str]]
    steps: dict[str, date]
    alternatives: dict[str, str]
    refs: dict[str, BillRef]


def _bill(row: dict[str, Any], facts: _Facts, period: Period, zone: ZoneInfo) -> DigestBill:
    bill_id = row["bill_id"]
    stage = row["stage"] or "received"
    alternative = facts.alternatives.get(bill_id)
    bill = DigestBill(
        bill_id=bill_id,
        bill_no=row["bill_no"],
        title=row["title"] or bill_id,
        proposer=row["proposer"],
        committee=row["committee"],
        stage=stage,
        result=row["result"],
        detail_url=row["detail_url"],
        matched_by=row["matched_by"],
        last_changed_at=_time(row["last_changed_at"], zone),
        reached_stage=_reached(stage, facts.seen.get(bill_id, set())),
        last_step_on=facts.steps.get(bill_id),
        alternative=facts.refs.get(alternative) if alternative else None,
        folded=[
            facts.refs[old]
            for old, alt in sorted(facts.alternatives.items())
            if alt == bill_id and old in facts.refs
        ],
    )
    bill.stalled = is_stalled(bill.last_moved(zone), period.end, stage=stage)
    return bill


def build_digest(store: Store, period: Period) -> Digest:
    """The digest of ``period`` from the database."""
    zone = ZoneInfo(store.tz)
    rows = store.digests.bills(period.end)
    facts = _Facts(
        seen=store.digests.stages_seen(),
        # Steps up to the period's last day: a later one had not happened yet.
        steps=store.bills.last_step_dates(before=period.end.astimezone(zone).date() + timedelta(1)),
        alternatives=store.digests.alternatives(),
        refs=_refs(rows),
    )
    bills = [_bill(row, facts, period, zone) for row in rows]
    changes = [
        DigestChange(
            bill_id=row["bill_id"],
            bill_title=row["bill_title"] or row["bill_id"],
            field=row["field"],
            old_value=row["old_value"],
            new_value=row["new_value"],
            observed_at=datetime.fromisoformat(row["observed_at"]),
            kind=row["kind"],
        )
        for row in store.digests.changes_between(period.start, period.end)
    ]
    articles = _articles(store.digests.articles_between(period.start, period.end), zone)
    meetings = [
        DigestMeeting(
            bill_id=row["bill_id"],
            bill_no=row["bill_no"],
            bill_title=row["bill_title"] or row["bill_id"],
            committee=row["committee"],
            meeting=row["meeting"],
            held_on=row["held_on"],
            result=row["result"],
            minutes_url=row["minutes_url"],
        )
        for row in store.digests.meetings_between(period.start, period.end)
    ]
    return Digest(period.start, period.end, bills, shown_changes(changes), articles, meetings)
