"""Sending the weekly digest once, and previewing it.

A period is emailed at most once; a failed attempt leaves it due, so the next attempt (the
scheduler's, or ``tracker digest``) sends it. Nothing here schedules anything:
:func:`send_due_digest` is safe to call at any time and as often as one likes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from notifiers.email import send_message
from tracker import timeutil
from tracker.config import Config
from tracker.digest.build import build_digest
from tracker.digest.mail import build_message
from tracker.digest.period import Period, digest_due, period_since, preview_period
from tracker.digest.render import RenderedDigest, render_digest
from tracker.domain.schedule import parse_digest_spec
from tracker.errors import DeliveryError
from tracker.locks import digest_lock
from tracker.store.database import Store, open_store

# How long a sender waits for another one's digest to go out (an SMTP time-out included).
DIGEST_LOCK_WAIT_SECONDS = 120


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
        period = period_since(since, at) if since else digest_due(store, spec, at)
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
        period = period_since(since, at) if since else preview_period(store, spec, at)
        rendered = render_digest(build_digest(store, period))
    finally:
        store.close()
    return Preview(period, rendered, digest_message(config, rendered, at))
