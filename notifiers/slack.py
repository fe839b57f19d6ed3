"""Slack delivery through slack-sdk: ``chat.postMessage`` with a bot token, or a webhook."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from notifiers.messages import format_alert
from tracker.errors import DeliveryError

# Marks our messages so that an attempt cut short can be checked against the channel history.
METADATA_EVENT = "tracker_alert"
# Clock skew allowance when reading the history back.
HISTORY_SLACK_SECONDS = 120

# Slack API errors that no retry can fix: the alert is marked failed, not retried forever.
PERMANENT_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "invalid_blocks",
        "msg_too_long",
        "no_permission",
        "missing_scope",
    }
)


# A Retry-After up to this many seconds is waited out in the send; a longer one leaves the alert
# pending until then (the outbox schedules it), so a rate limit never holds a check up.
MAX_INLINE_RETRY_AFTER = 5.0


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Retries a 429 in place only when Slack asks for a short wait."""

    def _can_retry(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        retry_after = _retry_after(response.headers)
        return retry_after is None or retry_after <= MAX_INLINE_RETRY_AFTER


def _retry_handlers(max_retries: int) -> list[Any]:
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return [
        # Only failures to connect: after a reset or a timeout the message may have been
        # posted, and the outbox checks the channel history instead of resending blindly.
        ConnectionErrorRetryHandler(
            max_retry_count=max_retries, interval_calculator=backoff, error_types=[URLError]
        ),
        ShortRateLimitRetryHandler(max_retry_count=max_retries),
        ServerErrorRetryHandler(max_retry_count=max_retries, interval_calculator=backoff),
    ]


def _retry_after(headers: Any) -> float | None:
    if not headers:
        return None
    for name, value in dict(headers).items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


class SlackBotNotifier:
    """Posts each alert with ``chat.postMessage`` (Block Kit plus a plain ``text`` fallback)."""

    name = "slack"
    can_verify = True

    def __init__(
        self, token: str, channel: str, api_base: str, timeout: float = 10, max_retries: int = 2
    ) -> None:
        self.channel = channel
        self.client = WebClient(
            token=token,
            base_url=api_base if api_base.endswith("/") else api_base + "/",
            timeout=int(timeout),
            retry_handlers=_retry_handlers(max_retries),
        )

    def send(self, kind: str, payload: dict[str, Any], dedupe_key: str) -> None:
        message = format_alert(kind, payload)
        try:
            self.client.chat_postMessage(
                channel=self.channel,
                text=message.text,
                blocks=message.blocks,
                unfurl_links=False,
                metadata={
                    "event_type": METADATA_EVENT,
                    "event_payload": {"dedupe_key": dedupe_key},
                },
            )
        except SlackApiError as exc:
            response = exc.response
            error = response.get("error") if isinstance(response.data, dict) else None
            status = response.status_code
            raise DeliveryError(
                f"slack: chat.postMessage failed: HTTP {status}, {error or 'no error code'}",
                retry_after=_retry_after(response.headers),
                permanent=error in PERMANENT_ERRORS,
            ) from None
        except (SlackClientError, OSError, ValueError) as exc:
            raise DeliveryError(f"slack: {exc.__class__.__name__}: {exc}", unknown=True) from None

    def was_delivered(self, dedupe_key: str, since: datetime) -> bool | None:
        """Look for the alert's metadata in the channel's history since ``since``."""
        try:
            response = self.client.conversations_history(
                channel=self.channel,
                oldest=f"{since.timestamp() - HISTORY_SLACK_SECONDS:.6f}",
                include_all_metadata=True,
                limit=200,
            )
        except (SlackClientError, OSError, ValueError):
            return None
        for message in response.get("messages", []):
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and metadata.get("event_payload", {}).get("dedupe_key") == dedupe_key
            ):
                return True
        return False


class SlackWebhookNotifier:
    """Posts each alert to an incoming webhook."""

    name = "slack-webhook"
    can_verify = False

    def __init__(self, url: str, timeout: float = 10, max_retries: int = 2) -> None:
        self.client = WebhookClient(
            url, timeout=int(timeout), retry_handlers=_retry_handlers(max_retries)
        )

    def send(self, kind: str, payload: dict[str, Any], dedupe_key: str) -> None:
        message = format_alert(kind, payload)
        try:
            response = self.client.send(text=message.text, blocks=message.blocks)
        except (SlackClientError, OSError, ValueError) as exc:
            raise DeliveryError(f"slack webhook: {exc.__class__.__name__}", unknown=True) from None
        if response.status_code != 200:
            raise DeliveryError(
                f"slack webhook: HTTP {response.status_code}, {response.body[:100]}",
                retry_after=_retry_after(response.headers),
                permanent=response.status_code in (403, 404, 410),
            )

    def was_delivered(self, dedupe_key: str, since: datetime) -> bool | None:
        return None
