"""Email over SMTP: sending a built message; an error is one line that never holds a password."""

from __future__ import annotations

import base64
import smtplib
import ssl
from email.message import EmailMessage

from tracker.errors import DeliveryError
from tracker.scrub import scrub


def _one_line(text: str) -> str:
    return " ".join(text.split())


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
        message = _one_line(scrub(f"SMTP {host}:{port}: {_describe(exc)}", secrets))
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            # A fault of the configuration, not of the digest: it waits until it is fixed.
            message += ": check [email] username and $SMTP_PASSWORD"
            raise DeliveryError(message, setup=True, blocks="email") from None
        # No exception chaining: the original could carry a server's echo of the credentials.
        raise DeliveryError(message, permanent=permanent) from None
