"""Draining the alert outbox: each alert is sent at most once and never dropped."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from notifiers.base import Notifier
from tracker.config import Config
from tracker.domain import alerts
from tracker.errors import DeliveryError
from tracker.store.database import Store
from tracker.timeutil import now, parse_iso

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600.0


@dataclass
class DeliveryReport:
    """What a drain did: alerts sent now; pending and failed ones in the outbox after it."""

    sent: int = 0
    failed: int = 0
    pending: int = 0
    # One line per configuration problem that kept alerts waiting: what to fix.
    problems: list[str] = field(default_factory=list)


def make_notifier(config: Config) -> Notifier:
    """Slack by bot token, else by webhook, else the console; with email too when a route
    has recipients."""
    chat = make_chat_notifier(config)
    if not any(route.recipients for route in config.routes):
        return chat
    from notifiers.email_alert import EmailAlertNotifier, RoutedNotifier

    return RoutedNotifier(chat, EmailAlertNotifier(config.email, config.secrets.smtp_password))


def make_chat_notifier(config: Config) -> Notifier:
    """Slack by bot token, else by webhook, else the console."""
    secrets = config.secrets
    if secrets.slack_bot_token:
        from notifiers.slack import SlackBotNotifier

        return SlackBotNotifier(
            secrets.slack_bot_token,
            config.slack.channel,
            config.slack.api_base,
            config.slack.timeout_seconds,
            config.slack.max_retries,
            config.slack.ops_channel,
        )
    if secrets.slack_webhook_url:
        from notifiers.slack import SlackWebhookNotifier

        return SlackWebhookNotifier(
            secrets.slack_webhook_url, config.slack.timeout_seconds, config.slack.max_retries
        )
    from notifiers.console import ConsoleNotifier

    return ConsoleNotifier()


def backoff_seconds(attempts: int, base: float, retry_after: float | None) -> float:
    """Exponential backoff after ``attempts`` failures, never sooner than ``Retry-After``."""
    delay = min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF_SECONDS)
    return max(delay, retry_after or 0.0)


def _arrived_earlier(
    notifier: Notifier, alert: dict[str, Any], thread: str | None
) -> str | bool | None:
    """For an alert whose last send was cut short: did it arrive (the ts of its thread when
    known)? None: we cannot tell yet."""
    if not alert["claimed_at"] or not notifier.can_verify:
        return False
    return notifier.was_delivered(
        alert["kind"],
        alert["payload"],
        alert["dedupe_key"],
        parse_iso(alert["claimed_at"]),
        thread,
    )


class _Drain:
    """One pass over the due alerts. A failure holds up only what it concerns: one alert
    (its fate unknown, or its message refused), one destination (a channel Slack refuses),
    or the rest of the pass (Slack down, rate limited, or refusing the token)."""

    def __init__(self, store: Store, notifier: Notifier, config: Config) -> None:
        self.store, self.notifier, self.config = store, notifier, config
        self.report = DeliveryReport()
        # Destination (or "*": all) -> the error that keeps its alerts waiting, and the id of
        # the first alert it held up.
        self.blocked: dict[str, tuple[DeliveryError, int]] = {}
        # Destinations failing for now (an SMTP server down): the others go on.
        self.paused: set[str] = set()
        self.stopped = False

    def run(self, kind: str | None = None) -> None:
        for alert in self.store.outbox.due():
            if self.stopped:
                return
            if kind and alert["kind"] != kind:
                continue
            destination = self.notifier.destination(alert["kind"], alert["payload"])
            if "*" in self.blocked or destination in self.blocked or destination in self.paused:
                continue
            self._deliver(alert, destination)

    def _thread(self, alert: dict[str, Any], destination: str) -> str | None:
        if alert["kind"] not in alerts.BILL_KINDS or not alert["bill_id"]:
            return None
        return self.store.outbox.thread_ts(alert["bill_id"], destination)

    def _deliver(self, alert: dict[str, Any], destination: str) -> None:
        thread = self._thread(alert, destination)
        try:
            arrived = _arrived_earlier(self.notifier, alert, thread)
            if arrived is None:
                self._retry_later(alert, DeliveryError("could not check whether it arrived"))
                return
            root = arrived if isinstance(arrived, str) else None
            if not arrived:
                self.store.outbox.claim(alert["id"])
                root = self.notifier.send(
                    alert["kind"], alert["payload"], alert["dedupe_key"], thread
                )
        except DeliveryError as exc:
            self._failed(alert, destination, exc)
        else:
            started = None
            if root and root != thread and alert["kind"] in alerts.BILL_KINDS and alert["bill_id"]:
                started = (alert["bill_id"], destination, root)
            self.store.outbox.mark_sent(alert["id"], started)
            self.report.sent += 1

    def _failed(self, alert: dict[str, Any], destination: str, exc: DeliveryError) -> None:
        message = self.config.scrub(str(exc))
        if exc.setup:
            # Not the alert's fault: it waits as it is, due again as soon as this is fixed.
            self.store.outbox.note_waiting(alert["id"], message)
            self.blocked[destination if exc.blocks != "*" else "*"] = (exc, alert["id"])
            logger.info("alert %s waits: %s", alert["id"], message)
            return
        if exc.permanent:
            self.store.outbox.mark_failed(alert["id"], message, None, permanent=True)
            logger.error("alert %s failed for good: %s", alert["dedupe_key"], message)
            return
        delay = self._retry_later(alert, exc)
        logger.warning("alert %s not sent, retry in %.0fs: %s", alert["id"], delay, message)
        if exc.blocks != "*":
            self.paused.add(exc.blocks)
            return
        # Slack is down or limiting us: the rest would fail the same way.
        self.stopped = True

    def _retry_later(self, alert: dict[str, Any], exc: DeliveryError) -> float:
        delay = backoff_seconds(
            alert["attempts"] + 1, self.config.slack.backoff_seconds, exc.retry_after
        )
        self.store.outbox.mark_failed(
            alert["id"],
            self.config.scrub(str(exc)),
            now(self.store.tz) + timedelta(seconds=delay),
            maybe_delivered=exc.unknown or alert["claimed_at"] is not None,
        )
        return delay

    def notify_operator(self) -> bool:
        """Tell the operator, in a destination that still works, of each blocked one (once
        per episode: the key names the oldest alert it holds up). True when one was added."""
        added = False
        working = [d for d in self.notifier.destinations() if d not in self.blocked]
        if "*" in self.blocked or not working:
            return False
        for destination, (exc, first) in self.blocked.items():
            payload = {
                "to": working[0],
                "destination": destination,
                "problem": self.config.scrub(str(exc)),
                "waiting": self.store.count("alerts", "status = 'pending'"),
            }
            key = alerts.delivery_problem_key(destination, first)
            added |= self.store.outbox.enqueue(key, "delivery_problem", payload)
        return added


def deliver_pending(store: Store, notifier: Notifier, config: Config) -> DeliveryReport:
    """Send every due alert; a failure leaves the alert pending with its next attempt time.

    A configuration problem (a refused token or channel) leaves the alerts it concerns
    pending, as they were, and is reported in ``problems``; where another destination
    works, the operator is told there.
    """
    from tracker.routes import route_pending

    route_pending(store, config)
    drain = _Drain(store, notifier, config)
    drain.run()
    if drain.notify_operator() and not drain.stopped:
        drain.run("delivery_problem")
    report = drain.report
    report.problems = [config.scrub(str(exc)) for exc, _ in drain.blocked.values()]
    report.pending = store.count("alerts", "status = 'pending'")
    report.failed = store.count("alerts", "status = 'failed'")
    return report
