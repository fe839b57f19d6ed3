"""The weekly digest from the database: which period is due, what it holds, sending it once.

Periods follow each other without gaps: one starts where the last sent (or skipped) digest
ended, or 7 days before its end when none was, and a scheduled one ends at the latest due time
of ``[schedule] digest``. A period is emailed at most once; a failed attempt leaves it due, so
the next attempt (the scheduler's, or ``tracker digest``) sends it. Nothing here schedules
anything: :func:`send_due_digest` is safe to call at any time and as often as one likes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from notifiers.email import send_message
from tracker import timeutil
from tracker.config import Config
from tracker.digest.mail import build_message
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
from tracker.digest.render import RenderedDigest, render_digest
from tracker.domain.article import Article
from tracker.domain.links import bill_url
from tracker.domain.schedule import DigestSpec, parse_digest_spec
from tracker.domain.stages import PROGRESS_CODES, is_final, rank
from tracker.domain.stories import dedupe
from tracker.errors import ConfigError, DeliveryError
from tracker.locks import digest_lock
from tracker.store.database import Store, open_store

DEFAULT_PERIOD = timedelta(days=7)
# How long a sender waits for another one's digest to go out (an SMTP time-out included).
DIGEST_LOCK_WAIT_SECONDS = 120


@dataclass(frozen=True)
class Period:
    """A digest's time range ``[start, end)``, timezone-aware."""

    start: datetime
    end: datetime

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} ~ {self.end:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class DigestOutcome:
    """What one attempt to send a digest did.

    ``status`` is ``sent``, ``failed`` (SMTP error, the period stays due), ``refused`` (the
    SMTP server refused the login: the period stays due until it is fixed), ``skipped`` (an
    empty week with ``skip_empty``, recorded as done), ``not_due`` (the latest period was
    already sent) or ``no_recipients`` (nothing emailed, nothing recorded). ``message`` is one
    line for people, free of secrets.
    """

    status: str
    message: str
    period: Period | None = None

    @property
    def ok(self) -> bool:
        return self.status not in ("failed", "refused")

    def __str__(self) -> str:
        return self.message


def _now(config: Config, now: datetime | None) -> datetime:
    # Whole seconds: the store keeps times to the second, and a period must end where the
    # next one, read back from the database, starts.
    zone = ZoneInfo(config.tracker.timezone)
    return (now or timeutil.now(config.tracker.timezone)).astimezone(zone).replace(microsecond=0)


def digest_due(store: Store, spec: DigestSpec, now: datetime) -> Period | None:
    """The period to send at ``now``, or None when the latest scheduled one is done.

    It ends at the latest due time at or before ``now``, so a missed run is caught up once
    and repeating the call sends nothing more.
    """
    end = spec.last_due(now)
    start = store.digests.covered_until() or end - DEFAULT_PERIOD
    return Period(start, end) if start < end else None


def preview_period(store: Store, spec: DigestSpec, now: datetime) -> Period:
    """The period a preview shows: the one due, else the one in progress up to ``now``."""
    due = digest_due(store, spec, now)
    if due is not None:
        return due
    return Period(store.digests.covered_until() or now - DEFAULT_PERIOD, now)


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


def digest_message(config: Config, rendered: RenderedDigest, now: datetime) -> EmailMessage:
    """The email of a rendered digest. With no recipients configured (a preview) it is
    addressed to the sender."""
    recipients = config.email.recipients or [config.email.sender]
    return build_message(rendered, config.email.sender, recipients, now)


def send_digest(config: Config, store: Store, period: Period, now: datetime) -> DigestOutcome:
    """Build, send and record the digest of ``period``; an SMTP failure is recorded on the
    period's row (``failed``, ``last_error``) and returned, never raised.

    It does not ask whether ``period`` is due: :func:`send_due_digest` does.
    """
    email = config.email
    if not email.recipients:
        return DigestOutcome(
            "no_recipients", f"digest {period}: not emailed, [email] recipients is empty", period
        )
    digest = build_digest(store, period)
    if email.skip_empty and digest.summary.empty and not digest.changes:
        store.digests.record(period.start, period.end, email.recipients, status="skipped")
        return DigestOutcome("skipped", f"digest {period}: nothing happened, not sent", period)
    message = digest_message(config, render_digest(digest), now)
    digest_id = store.digests.record(period.start, period.end, email.recipients)
    try:
        refused = send_message(
            message,
            email.smtp_host,
            email.smtp_port,
            email.starttls,
            email.username,
            config.secrets.smtp_password,
        )
    except DeliveryError as exc:
        error = config.scrub(str(exc))
        store.digests.mark_failed(digest_id, error)
        if exc.setup:
            # One notice for the operator (the next check sends it to Slack), per period.
            payload = {"destination": "email", "problem": error, "waiting": 1}
            store.outbox.enqueue(f"delivery_problem:email:{digest_id}", "delivery_problem", payload)
            return DigestOutcome("refused", f"digest {period} not sent: {error}", period)
        return DigestOutcome("failed", f"digest {period} not sent: {error}", period)
    note = f"refused: {', '.join(sorted(refused))}" if refused else None
    store.digests.mark_sent(digest_id, note)
    sent = len(email.recipients) - len(refused)
    text = f"digest {period} sent to {sent} recipient(s)" + (f" ({note})" if note else "")
    return DigestOutcome("sent", text, period)


def _since(since: date, now: datetime) -> Period:
    start = datetime.combine(since, time(), now.tzinfo)
    if start > now:
        raise ConfigError(f"--since {since} is in the future")
    return Period(start, now)


def send_due_digest(
    config: Config, now: datetime | None = None, since: date | None = None
) -> DigestOutcome:
    """Send the digest that is due at ``now`` (default: the current time), if any.

    The scheduler's entry point: call it at the scheduled time and once at start to catch up
    a missed one; repeated calls send nothing more, and after a failure the next call retries.
    ``since`` asks for the period from that day to ``now`` instead, due or not. Reporting
    the outcome (its ``message``) is the caller's job.
    """
    at = _now(config, now)
    spec = parse_digest_spec(config.schedule.digest)
    lock = digest_lock(config.tracker.db)
    # The daemon's digest and one sent by hand: the second waits, then finds it sent.
    lock.acquire(DIGEST_LOCK_WAIT_SECONDS)
    store = open_store(config.tracker.db, config.tracker.timezone)
    try:
        period = _since(since, at) if since else digest_due(store, spec, at)
        if period is None:
            until = store.digests.covered_until()
            return DigestOutcome("not_due", f"no digest due: sent up to {until:%Y-%m-%d %H:%M}")
        return send_digest(config, store, period, at)
    finally:
        store.close()
        lock.release()


@dataclass(frozen=True)
class Preview:
    """A digest built for people to look at: nothing sent, nothing recorded."""

    period: Period
    rendered: RenderedDigest
    message: EmailMessage


def preview_digest(
    config: Config, now: datetime | None = None, since: date | None = None
) -> Preview:
    """The digest ``send_due_digest`` would send now, or the one in progress when none is due."""
    at = _now(config, now)
    spec = parse_digest_spec(config.schedule.digest)
    store = open_store(config.tracker.db, config.tracker.timezone)
    try:
        period = _since(since, at) if since else preview_period(store, spec, at)
        rendered = render_digest(build_digest(store, period))
    finally:
        store.close()
    return Preview(period, rendered, digest_message(config, rendered, at))
