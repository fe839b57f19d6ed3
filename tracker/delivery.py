"""Draining the alert outbox: each alert is sent at most once and never dropped."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from notifiers.base import Notifier
from tracker.config import Config
from tracker.errors import DeliveryError
from tracker.store import Store
from tracker.timeutil import now, parse_iso

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600.0


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    pending: int = 0


def make_notifier(config: Config) -> Notifier:
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


def _arrived_earlier(notifier: Notifier, alert: dict[str, Any]) -> bool:
    """For an alert whose last send was cut short: did it arrive? Raises if we cannot tell."""
    if not alert["claimed_at"] or not notifier.can_verify:
        return False
    delivered = notifier.was_delivered(alert["dedupe_key"], parse_iso(alert["claimed_at"]))
    if delivered is None:
        raise DeliveryError("could not check whether an interrupted send arrived", unknown=True)
    return delivered


def deliver_pending(store: Store, notifier: Notifier, config: Config) -> DeliveryReport:
    """Send every due alert; a failure leaves the alert pending with its next attempt time."""
    report = DeliveryReport()
    for alert in store.due_alerts():
        try:
            if not _arrived_earlier(notifier, alert):
                store.claim_alert(alert["id"])
                notifier.send(alert["kind"], alert["payload"], alert["dedupe_key"])
        except DeliveryError as exc:
            message = config.scrub(str(exc))
            delay = backoff_seconds(
                alert["attempts"] + 1, config.slack.backoff_seconds, exc.retry_after
            )
            store.mark_alert_failed(
                alert["id"],
                message,
                now(store.tz) + timedelta(seconds=delay),
                exc.permanent,
                maybe_delivered=exc.unknown,
            )
            if exc.permanent:
                report.failed += 1
                logger.error("alert %s failed for good: %s", alert["dedupe_key"], message)
                continue
            logger.warning("alert %s not sent, retry in %.0fs: %s", alert["id"], delay, message)
            # Slack is down or limiting us: the rest would fail the same way.
            break
        else:
            store.mark_alert_sent(alert["id"])
            report.sent += 1
    report.pending = store.count("alerts", "status = 'pending'")
    return report
