"""Slack delivery through slack-sdk: ``chat.postMessage`` with a bot token, or a webhook."""

from __future__ import annotations

import contextlib
import re
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

from notifiers.base import WithoutHistory
from notifiers.messages import format_alert
from tracker.errors import DeliveryError

# Marks our messages so that an attempt cut short can be checked against the channel history.
METADATA_EVENT = "tracker_alert"
# Clock skew allowance when reading the history back.
HISTORY_SLACK_SECONDS = 120

# Slack API errors of the configuration: no alert can go until someone fixes it; what to do.
TOKEN_ERRORS = {
    "invalid_auth": "set $SLACK_BOT_TOKEN to the bot token (xoxb-…) of the Slack app",
    "not_authed": "set $SLACK_BOT_TOKEN to the bot token (xoxb-…) of the Slack app",
    "account_inactive": "the app's bot was deactivated: reinstall the app, set $SLACK_BOT_TOKEN",
    "token_revoked": "the bot token was revoked: reinstall the app, set $SLACK_BOT_TOKEN",
    "token_expired": "the bot token expired: set $SLACK_BOT_TOKEN to a current one",
    "missing_scope": "add the chat:write scope to the Slack app and reinstall it",
    "no_permission": "the Slack workspace does not let the bot post: ask its admin",
}
CHANNEL_ERRORS = {
    "channel_not_found": "no channel {channel} that the bot can see: fix [slack] channel",
    "not_in_channel": "the bot is not a member of {channel}: invite it (/invite @app name)",
    "is_archived": "{channel} is archived: unarchive it or change [slack] channel",
    "restricted_action": "{channel} lets only some members post: allow the app there",
}
# Errors about the message itself: sending it again would be refused again.
MESSAGE_ERRORS = frozenset(
    {"invalid_blocks", "msg_too_long", "no_text", "invalid_arguments", "too_many_attachments"}
)
# A conversation id (public C…, private G…, direct D…) as opposed to a channel name.
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
# Alert kinds for the operator, sent to [slack] ops_channel when it is set.
OPS_KINDS = frozenset({"source_failure", "delivery_problem"})


# Alert kinds that, posted in a bill's thread, are broadcast to the channel as well.
BROADCAST_KINDS = frozenset({"stage_change"})


class _ThreadGone(Exception):
    """Slack no longer knows the thread a reply was meant for."""


def _find(response: Any, dedupe_key: str) -> dict[str, Any] | None:
    """The message of ``response`` that carries the alert's metadata."""
    for message in response.get("messages", []):
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == METADATA_EVENT
            and metadata.get("event_payload", {}).get("dedupe_key") == dedupe_key
        ):
            return message
    return None


def slack_error(error: str | None, channel: str, status: int) -> DeliveryError:
    """The DeliveryError for a refused Web API call: what went wrong and what to do."""
    code = error or "no error code"
    if error in TOKEN_ERRORS:
        return DeliveryError(f"Slack refused the token ({code}): {TOKEN_ERRORS[error]}", setup=True)
    if error in CHANNEL_ERRORS:
        hint = CHANNEL_ERRORS[error].format(channel=channel)
        message = f"Slack refused {channel} ({code}): {hint}"
        return DeliveryError(message, setup=True, blocks=channel)
    return DeliveryError(
        f"slack: chat.postMessage failed: HTTP {status}, {code}", permanent=error in MESSAGE_ERRORS
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
    """Posts each alert with ``chat.postMessage`` (Block Kit plus a plain ``text`` fallback).

    A channel given by name is resolved to its id once (from the answer to a post, or
    ``conversations.list``) and kept: ``conversations.history`` takes only ids.
    """

    name = "slack"
    can_verify = True

    def __init__(
        self,
        token: str,
        channel: str,
        api_base: str,
        timeout: float = 10,
        max_retries: int = 2,
        ops_channel: str = "",
    ) -> None:
        self.channel = channel
        self.ops_channel = ops_channel or channel
        self.client = WebClient(
            token=token,
            base_url=api_base if api_base.endswith("/") else api_base + "/",
            timeout=int(timeout),
            retry_handlers=_retry_handlers(max_retries),
        )
        self.ids: dict[str, str] = {}

    def destination(self, kind: str, payload: dict[str, Any]) -> str:
        if payload.get("to"):
            return str(payload["to"])
        return self.ops_channel if kind in OPS_KINDS else self.channel

    def destinations(self) -> list[str]:
        """The operator's channel first: a notice about another channel (a route's) goes
        there."""
        return list(dict.fromkeys([self.ops_channel, self.channel]))

    def send(
        self, kind: str, payload: dict[str, Any], dedupe_key: str, thread_ts: str | None = None
    ) -> str | None:
        """Post the alert, as a reply in ``thread_ts`` when given (a stage change broadcast
        to the channel too); return the ts of the thread the message is in. A thread Slack
        no longer knows (its first message deleted) gives way to a new one."""
        channel = self.destination(kind, payload)
        try:
            response = self._post(kind, payload, dedupe_key, channel, thread_ts)
        except _ThreadGone:
            thread_ts = None
            response = self._post(kind, payload, dedupe_key, channel, None)
        if isinstance(response.get("channel"), str):
            self.ids[channel] = response["channel"]
        return thread_ts or response.get("ts")

    def _post(
        self,
        kind: str,
        payload: dict[str, Any],
        dedupe_key: str,
        channel: str,
        thread_ts: str | None,
    ) -> Any:
        message = format_alert(kind, payload)
        thread: dict[str, Any] = {}
        if thread_ts:
            thread = {"thread_ts": thread_ts, "reply_broadcast": kind in BROADCAST_KINDS}
        try:
            return self.client.chat_postMessage(
                channel=self.ids.get(channel, channel),
                text=message.text,
                blocks=message.blocks,
                unfurl_links=False,
                metadata={
                    "event_type": METADATA_EVENT,
                    "event_payload": {"dedupe_key": dedupe_key},
                },
                **thread,
            )
        except SlackApiError as exc:
            response = exc.response
            error = response.get("error") if isinstance(response.data, dict) else None
            if error == "thread_not_found" and thread_ts:
                raise _ThreadGone from None
            failure = slack_error(error, channel, response.status_code)
            failure.retry_after = _retry_after(response.headers)
            raise failure from None
        except (SlackClientError, OSError, ValueError) as exc:
            raise DeliveryError(f"slack: {exc.__class__.__name__}: {exc}", unknown=True) from None

    def channel_id(self, channel: str) -> str | None:
        """The id of ``channel`` (an id already, or a name looked up once); None if unknown.

        Public channels first (scope ``channels:read``), then private ones (``groups:read``,
        often not granted: a refusal there only means the name stays unknown).
        """
        if CHANNEL_ID.match(channel):
            return channel
        for types in ("public_channel", "private_channel"):
            if channel in self.ids:
                break
            with contextlib.suppress(SlackApiError):
                self._list_channels(types, channel)
        return self.ids.get(channel)

    def _list_channels(self, types: str, wanted: str) -> None:
        cursor = None
        while wanted not in self.ids:
            response = self.client.conversations_list(
                types=types, exclude_archived=True, limit=1000, cursor=cursor
            )
            channels: list[dict[str, Any]] = response.get("channels", [])
            for found in channels:
                self.ids.setdefault(f"#{found['name']}", found["id"])
                self.ids.setdefault(found["name"], found["id"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    def was_delivered(
        self,
        kind: str,
        payload: dict[str, Any],
        dedupe_key: str,
        since: datetime,
        thread_ts: str | None = None,
    ) -> str | bool | None:
        """Look for the alert's metadata since ``since``: in its thread (replies are not in
        the channel's history), else in the channel's history. Returns the ts of the thread
        it is in when found, False when it is not there, None when we cannot tell."""
        oldest = f"{since.timestamp() - HISTORY_SLACK_SECONDS:.6f}"
        try:
            channel_id = self.channel_id(self.destination(kind, payload))
            if channel_id is None:
                return None
            if thread_ts and self._in_thread(channel_id, thread_ts, oldest, dedupe_key):
                return thread_ts
            response = self.client.conversations_history(
                channel=channel_id, oldest=oldest, include_all_metadata=True, limit=200
            )
        except (SlackClientError, OSError, ValueError):
            return None
        found = _find(response, dedupe_key)
        if found is None:
            return False
        return str(found.get("thread_ts") or found["ts"])

    def _in_thread(self, channel_id: str, thread_ts: str, oldest: str, dedupe_key: str) -> bool:
        """Whether the alert is a reply in ``thread_ts``. A thread Slack no longer knows holds
        no reply (the send started a new thread: it is in the history); any other error
        raises, as we cannot tell."""
        try:
            replies = self.client.conversations_replies(
                channel=channel_id, ts=thread_ts, oldest=oldest, include_all_metadata=True,
                limit=200,
            )  # fmt: skip
        except SlackApiError as exc:
            if exc.response.get("error") == "thread_not_found":
                return False
            raise
        return _find(replies, dedupe_key) is not None


class SlackWebhookNotifier(WithoutHistory):
    """Posts each alert to an incoming webhook."""

    name = "slack-webhook"

    def __init__(self, url: str, timeout: float = 10, max_retries: int = 2) -> None:
        self.client = WebhookClient(
            url, timeout=int(timeout), retry_handlers=_retry_handlers(max_retries)
        )

    def destination(self, kind: str, payload: dict[str, Any]) -> str:
        return self.name

    def destinations(self) -> list[str]:
        return [self.name]

    def send(
        self, kind: str, payload: dict[str, Any], dedupe_key: str, thread_ts: str | None = None
    ) -> str | None:
        message = format_alert(kind, payload)
        try:
            response = self.client.send(text=message.text, blocks=message.blocks)
        except (SlackClientError, OSError, ValueError) as exc:
            raise DeliveryError(f"slack webhook: {exc.__class__.__name__}", unknown=True) from None
        status = response.status_code
        if status in (401, 403, 404, 410):
            raise DeliveryError(
                f"Slack refused the webhook (HTTP {status}): set $SLACK_WEBHOOK_URL to the"
                " URL of a current incoming webhook",
                setup=True,
            )
        if status != 200:
            raise DeliveryError(
                f"slack webhook: HTTP {status}, {response.body[:100]}",
                retry_after=_retry_after(response.headers),
                permanent=status == 400,
            )
        return None
