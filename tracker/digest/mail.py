"""The digest as an email: the MIME message, and writing a digest to a file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from tracker.digest.render import RenderedDigest


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
