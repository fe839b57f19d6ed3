"""The weekly digest by email: rendering (Jinja2, HTML + plain text), the MIME message,
SMTP delivery and writing a digest to a file.

The HTML part is built for mail clients, not browsers: tables and inline styles only, no
images, no scripts, nothing that depends on a ``<style>`` block, so Gmail and Outlook show
the same progress bars a browser does.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tracker.digest_model import Digest, DigestArticle, DigestBill, DigestChange, DigestMeeting
from tracker.errors import DeliveryError
from tracker.stages import BY_CODE, PROGRESS_CODES, is_final, stage_for_result

DEFAULT_TITLE = "해오름 법안 주간 동향"
TEMPLATES = Path(__file__).parent / "templates"

# Progress-bar colours (background, text). Solid colours only: they survive every client.
COLOR_DONE = "#3b6fb6"
COLOR_CURRENT = "#f08c00"
COLOR_LAW = "#2f9e44"
COLOR_TODO = "#e9ecef"
COLOR_ENDING = "#c92a2a"
_CELL_COLORS: dict[str, tuple[str, str]] = {
    "done": (COLOR_DONE, "#ffffff"),
    "current": (COLOR_CURRENT, "#ffffff"),
    "law": (COLOR_LAW, "#ffffff"),
    "todo": (COLOR_TODO, "#868e96"),
    "ending": (COLOR_ENDING, "#ffffff"),
}

_WEEKDAYS = "월화수목금토일"
_FIELD_LABELS = {
    "stage": "단계",
    "result": "처리결과",
    "title": "의안명",
    "proposer": "제안자",
    "committee": "소관위원회",
    "bill_no": "의안번호",
    "proposed_on": "제안일",
    "detail_url": "상세 링크",
}


@dataclass(frozen=True)
class RenderedDigest:
    """A digest ready to send: subject line, plain-text part and HTML part."""

    subject: str
    text: str
    html: str


# --- rendering ---------------------------------------------------------------------------


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_ENV = _environment()


def _stage_label(code: str | None) -> str:
    if not code:
        return "없음"
    stage = BY_CODE.get(code)
    return stage.label if stage else code


def _date(dt: datetime | None, tz: Any) -> str:
    if dt is None:
        return ""
    if dt.tzinfo is not None:
        dt = dt.astimezone(tz)
    return f"{dt:%Y-%m-%d} ({_WEEKDAYS[dt.weekday()]})"


def _datetime(dt: datetime, tz: Any) -> str:
    if dt.tzinfo is not None:
        dt = dt.astimezone(tz)
    return f"{dt:%m-%d} ({_WEEKDAYS[dt.weekday()]}) {dt:%H:%M}"


def _safe_url(url: str | None) -> str | None:
    """Only web links become hrefs: a feed could carry any scheme."""
    if url and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None


def _matched_by(value: str | None, titles: dict[str, str]) -> str:
    if not value:
        return ""
    if value == "watchlist":
        return "관심 목록"
    if value.startswith("alternative:"):
        old = value.split(":", 1)[1]
        return f"위원회 대안 (원안: {titles.get(old, old)})"
    return f"키워드 “{value}”"


def _cell(label: str, state: str, width: int) -> dict[str, Any]:
    bg, fg = _CELL_COLORS[state]
    return {"label": label, "state": state, "bg": bg, "fg": fg, "width": width}


def _progress(bill: DigestBill) -> dict[str, Any]:
    """The progress bar of one bill: cells from 접수 to 공포, plus an ending cell for a bill
    that ended without becoming law, and a one-line text version."""
    total = len(PROGRESS_CODES)
    ended = is_final(bill.stage) and bill.stage not in PROGRESS_CODES
    if ended:
        reached = bill.reached_stage if bill.reached_stage in PROGRESS_CODES else None
        upto = PROGRESS_CODES.index(reached) if reached else -1
        width = 12
    else:
        reached = bill.stage if bill.stage in PROGRESS_CODES else None
        upto = PROGRESS_CODES.index(reached) if reached else -1
        width = 100 // total

    cells = []
    for i, code in enumerate(PROGRESS_CODES):
        if i < upto or (ended and i == upto):
            state = "done"
        elif i == upto:
            state = "law" if code == "promulgated" else "current"
        else:
            state = "todo"
        cells.append(_cell(_stage_label(code), state, width))

    bar = "■" * (upto + 1) + "□" * (total - upto - 1)
    if ended:
        # 임기만료폐기 says more than the code's label 폐기.
        ending = bill.result if stage_for_result(bill.result) == bill.stage else None
        ending = ending or _stage_label(bill.stage)
        cells.append(_cell(ending, "ending", 100 - width * total))
        where = f" ({_stage_label(reached)} 단계에서)" if reached else ""
        status = f"종료: {ending}{where}"
    elif reached:
        result = f", {bill.result}" if bill.result else ""
        status = f"{_stage_label(reached)} ({upto + 1}/{total}{result})"
    else:
        status = _stage_label(bill.stage)
    return {"cells": cells, "status": status, "text": f"[{bar}] {status}", "ended": ended}


def _change_view(change: DigestChange, tz: Any) -> dict[str, Any]:
    if change.kind == "new":
        what = f"신규 추적: {_stage_label(change.new_value)}"
    elif change.field == "stage":
        what = f"단계: {_stage_label(change.old_value)} → {_stage_label(change.new_value)}"
    else:
        name = _FIELD_LABELS.get(change.field, change.field)
        what = f"{name}: {change.old_value or '없음'} → {change.new_value or '없음'}"
    return {
        "when": _datetime(change.observed_at, tz),
        "bill_title": change.bill_title,
        "what": what,
        "kind": change.kind,
        "is_stage": change.kind == "changed" and change.field == "stage",
    }


def _bill_view(bill: DigestBill, titles: dict[str, str], tz: Any, now: datetime) -> dict[str, Any]:
    meta = [
        (name, value)
        for name, value in (
            ("의안번호", bill.bill_no),
            ("제안자", bill.proposer),
            ("소관위", bill.committee),
        )
        if value
    ]
    stalled = bill.stalled and not is_final(bill.stage)
    idle = ""
    if stalled and bill.last_changed_at is not None:
        idle = f"{(now - bill.last_changed_at).days}일째 변동 없음"
    return {
        "title": bill.title,
        "url": _safe_url(bill.detail_url),
        "raw_url": bill.detail_url or "",
        "meta": " · ".join(f"{name} {value}" for name, value in meta),
        "matched_by": _matched_by(bill.matched_by, titles),
        "stalled": stalled,
        "idle": idle,
        "last_changed": _date(bill.last_changed_at, tz),
        "progress": _progress(bill),
    }


def _article_view(article: DigestArticle, tz: Any) -> dict[str, Any]:
    others = [s for s in article.other_sources if s and s != article.source]
    line = article.source or "출처 미상"
    if others:
        line += f" 외 {len(others)}개 언론 ({', '.join(others)})"
    if article.published_at is not None:
        line += f" · {_date(article.published_at, tz)}"
    return {
        "title": article.title,
        "line": line,
        "url": _safe_url(article.url),
        "raw_url": article.url,
    }


def _meeting_view(meeting: DigestMeeting) -> dict[str, Any]:
    number = f"[{meeting.bill_no}] " if meeting.bill_no else ""
    what = f"{meeting.meeting}에서 심사"
    if meeting.result and meeting.result != "심사":
        what += f" · {meeting.result}"
    return {
        "when": meeting.held_on,
        "bill_title": f"{number}{meeting.bill_title}",
        "what": what,
        "url": _safe_url(meeting.minutes_url),
        "raw_url": meeting.minutes_url or "",
    }


def subject_line(digest: Digest, title: str = DEFAULT_TITLE) -> str:
    """The Korean subject: title, period and the headline counts."""
    s = digest.summary
    period = f"{digest.period_start:%Y-%m-%d} ~ {digest.last_day:%Y-%m-%d}"
    if s.empty and not digest.changes:
        return f"[{title}] {period}: 변동 없음"
    return (
        f"[{title}] {period}: 단계 변경 {s.stage_changes}건, "
        f"신규 {s.new_bills}건, 기사 {s.articles}건"
    )


def digest_context(digest: Digest, title: str = DEFAULT_TITLE) -> dict[str, Any]:
    """What the templates show of ``digest``: bills with their progress bars, changes,
    meetings and articles (the status page shows them too)."""
    tz = digest.period_start.tzinfo
    titles = {b.bill_id: b.title for b in digest.bills}
    changes = sorted(digest.changes, key=lambda c: c.observed_at)
    summary = digest.summary
    return {
        "title": title,
        "period": f"{_date(digest.period_start, tz)} ~ {_date(digest.last_day, tz)}",
        "summary": summary,
        "bill_count": len(digest.bills),
        "changes": [_change_view(c, tz) for c in changes],
        "other_changes": sum(1 for c in changes if c.kind == "changed" and c.field != "stage"),
        "bills": [_bill_view(b, titles, tz, digest.period_end) for b in digest.bills],
        "articles": [_article_view(a, tz) for a in digest.articles],
        "meetings": [_meeting_view(m) for m in digest.meetings],
        "empty": summary.empty and not changes and not digest.meetings,
    }


def render_digest(digest: Digest, *, title: str = DEFAULT_TITLE) -> RenderedDigest:
    """Render ``digest`` into a subject, a plain-text part and an HTML part."""
    context = digest_context(digest, title)
    return RenderedDigest(
        subject=subject_line(digest, title),
        text=_ENV.get_template("digest.txt.j2").render(context),
        html=_ENV.get_template("digest.html.j2").render(context),
    )


# --- the message -------------------------------------------------------------------------


def build_message(
    rendered: RenderedDigest,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
) -> EmailMessage:
    """A multipart/alternative message (text/plain, then text/html), both UTF-8.

    Bodies are base64-encoded so the message is 7-bit clean for any SMTP server; the
    default policy encodes the Korean subject as an RFC 2047 encoded word.
    """
    if not recipients:
        raise ValueError("a digest needs at least one recipient")
    domain = parseaddr(sender)[1].rpartition("@")[2] or "tracker.invalid"
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(rendered.text, charset="utf-8", cte="base64")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="base64")
    return msg


# --- sending -----------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(f"{rcpt} ({code})" for rcpt, (code, _) in exc.recipients.items())
        return f"all recipients refused: {codes}"
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error
        if isinstance(reply, bytes):
            reply = reply.decode("utf-8", "replace")
        return f"{exc.smtp_code} {reply}"
    detail = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {detail}" if isinstance(exc, OSError) else detail


def send_message(
    msg: EmailMessage,
    host: str,
    port: int,
    starttls: bool,
    username: str,
    password: str,
    timeout: float = 30,
) -> dict[str, tuple[int, bytes]]:
    """Send ``msg`` over SMTP, with STARTTLS and login when configured.

    Returns the recipients the server refused while accepting others (empty when all were
    accepted). Any SMTP or network failure raises ``DeliveryError`` with a one-line message
    that never contains the password; refused credentials or recipients are ``permanent``.
    """
    secrets = [password, base64.b64encode(password.encode()).decode()] if password else []
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            if starttls:
                smtp.starttls(context=ssl.create_default_context())
            if username:
                smtp.login(username, password)
            return smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        permanent = isinstance(
            exc, smtplib.SMTPAuthenticationError | smtplib.SMTPRecipientsRefused
        ) or (isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600)
        message = _one_line(_scrub(f"SMTP {host}:{port}: {_describe(exc)}", secrets))
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            # A fault of the configuration, not of the digest: it waits until it is fixed.
            message += ": check [email] username and $SMTP_PASSWORD"
            raise DeliveryError(message, setup=True, blocks="email") from None
        # No exception chaining: the original could carry a server's echo of the credentials.
        raise DeliveryError(message, permanent=permanent) from None


# --- files -------------------------------------------------------------------------------


def _part(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        raise ValueError(f"the message has no text/{subtype} part")
    return part.get_content()


def write_digest_file(digest: RenderedDigest | EmailMessage, path: str | Path) -> Path:
    """Write a digest to ``path`` by its suffix: ``.eml`` the whole message, ``.html``/``.htm``
    the HTML part, ``.txt`` the plain-text part."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".eml":
        if not isinstance(digest, EmailMessage):
            raise ValueError("an .eml file needs the built message, not only the rendering")
        path.write_bytes(digest.as_bytes())
    elif suffix in (".html", ".htm"):
        html = digest.html if isinstance(digest, RenderedDigest) else _part(digest, "html")
        path.write_text(html, encoding="utf-8")
    elif suffix == ".txt":
        text = digest.text if isinstance(digest, RenderedDigest) else _part(digest, "plain")
        path.write_text(text, encoding="utf-8")
    else:
        raise ValueError(f"unknown digest file type {path.suffix!r}: use .eml, .html or .txt")
    return path
