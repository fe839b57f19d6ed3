"""Alerts by email, sent at once: a short multipart message per alert to a route's recipients.

The subject names the bill by 의안번호 and what happened ("[의안 2203257] 소관위 심사 →
대안반영폐기"); the body is the alert's text with a link to the bill's page.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from html import escape
from typing import Any

from notifiers.base import WithoutHistory
from notifiers.email import send_message
from notifiers.messages import format_plain
from tracker.config import EmailSection
from tracker.digest.mail import build_message
from tracker.digest.render import RenderedDigest
from tracker.domain import stages
from tracker.errors import DeliveryError
from tracker.timeutil import now

# Where a failing SMTP server holds up alerts: every email copy, never the Slack ones.
EMAIL_DESTINATION = "email"
SUBJECT_MAX = 150


def alert_subject(kind: str, payload: dict[str, Any]) -> str:
    """A one-line Korean subject: the bill by number and what happened to it."""
    bill = f"[의안 {payload['bill_no']}] " if payload.get("bill_no") else ""
    if kind == "stage_change":
        old, new = payload.get("old_stage"), payload.get("new_stage")
        if old != new:
            subject = f"{bill}{stages.shown(old)} → {stages.shown(new)}"
        else:
            subject = f"{bill}{payload.get('title') or ''} 변경"
    elif kind == "new_bill":
        subject = f"{bill}새 의안: {payload.get('title') or ''}"
    else:
        subject = format_plain(kind, payload).splitlines()[0]
    subject = " ".join(subject.split())
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"


def render_alert(kind: str, payload: dict[str, Any]) -> RenderedDigest:
    """The subject, plain-text and HTML parts of an alert email."""
    lines = format_plain(kind, payload).splitlines()
    url = payload.get("detail_url")
    text = "\n".join(lines) + (f"\n\n의안 정보: {url}\n" if url else "\n")
    body = "<br>\n".join(escape(line) for line in lines)
    if url and str(url).startswith("http"):
        link = escape(str(url), quote=True)
        body += f'<br>\n<br>\n<a href="{link}">의안 정보 보기</a>'
    html = (
        '<!DOCTYPE html>\n<html lang="ko"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif;font-size:15px">{body}</body></html>\n'
    )
    return RenderedDigest(alert_subject(kind, payload), text, html)


class EmailAlertNotifier(WithoutHistory):
    """Sends an alert copy to the recipients in its payload (``email``) over [email] SMTP."""

    name = "email"

    def __init__(self, settings: EmailSection, password: str, timeout: float = 30) -> None:
        self.settings, self.password, self.timeout = settings, password, timeout

    def destination(self, kind: str, payload: dict[str, Any]) -> str:
        return EMAIL_DESTINATION

    def destinations(self) -> list[str]:
        return [EMAIL_DESTINATION]

    def send(
        self, kind: str, payload: dict[str, Any], dedupe_key: str, thread_ts: str | None = None
    ) -> str | None:
        self.deliver(render_alert(kind, payload), list(payload["email"]), dedupe_key)
        return None

    def deliver(self, rendered: RenderedDigest, recipients: list[str], key: str) -> None:
        """Send one message; a resend after a cut-short attempt has the same Message-ID, so
        mail clients show it once."""
        s = self.settings
        msg = build_message(rendered, s.sender, recipients, now())
        domain = s.sender.rpartition("@")[2].strip(">") or "tracker.invalid"
        del msg["Message-ID"]
        msg["Message-ID"] = f"<alert-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"
        try:
            send_message(
                msg, s.smtp_host, s.smtp_port, s.starttls, s.username, self.password, self.timeout
            )
        except DeliveryError as exc:
            if exc.blocks == "*":
                # An SMTP fault holds up the email copies only; Slack goes on.
                exc.blocks = EMAIL_DESTINATION
            raise


class RoutedNotifier:
    """Route copies: to Slack (or the console) by channel, by email to recipients."""

    def __init__(self, chat: Any, mail: EmailAlertNotifier) -> None:
        self.chat, self.mail = chat, mail
        self.name = chat.name
        self.can_verify = chat.can_verify

    def _for(self, payload: dict[str, Any]) -> Any:
        return self.mail if payload.get("email") else self.chat

    def destination(self, kind: str, payload: dict[str, Any]) -> str:
        return self._for(payload).destination(kind, payload)

    def destinations(self) -> list[str]:
        """Where a notice to the operator can go: the chat destinations."""
        return list(self.chat.destinations())

    def send(
        self, kind: str, payload: dict[str, Any], dedupe_key: str, thread_ts: str | None = None
    ) -> str | None:
        return self._for(payload).send(kind, payload, dedupe_key, thread_ts)

    def was_delivered(
        self,
        kind: str,
        payload: dict[str, Any],
        dedupe_key: str,
        since: datetime,
        thread_ts: str | None = None,
    ) -> str | bool | None:
        return self._for(payload).was_delivered(kind, payload, dedupe_key, since, thread_ts)
