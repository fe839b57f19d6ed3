"""Sending the digest to a real SMTP server on 127.0.0.1, and every way that can fail."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from notifiers.email import send_message
from tests.smtp_server import SmtpServer, free_port
from tracker.demo.sample import sample_digest
from tracker.digest.mail import build_message
from tracker.digest.render import render_digest
from tracker.errors import DeliveryError

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
SUBJECT = "[해오름 법안 주간 동향] 2026-11-16 ~ 2026-11-22: 단계 변경 2건, 신규 1건, 기사 3건"
RECIPIENTS = ["staff@example.org", "office@example.org"]


@pytest.fixture
def message() -> EmailMessage:
    return build_message(render_digest(sample_digest()), "tracker@example.org", RECIPIENTS, NOW)


def _send_with_login(
    server: SmtpServer, message: EmailMessage, starttls: bool = False, timeout: float = 30
) -> dict[str, tuple[int, bytes]]:
    return send_message(
        message, server.host, server.port, starttls, server.username, server.password, timeout
    )


def _check_error(exc: DeliveryError, password: str) -> str:
    text = str(exc)
    assert password not in text
    assert "\n" not in text
    return text


def test_delivers_both_parts_with_korean_subject(
    smtp_server: SmtpServer, message: EmailMessage
) -> None:
    refused = send_message(message, smtp_server.host, smtp_server.port, False, "", "")
    assert refused == {}
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["Subject"] == SUBJECT
    assert received.get_content_type() == "multipart/alternative"
    plain = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert plain is not None and "해오름산업벨트 지원에 관한 특별법안" in plain.get_content()
    assert html is not None and "<table" in html.get_content()
    assert smtp_server.envelopes == [("tracker@example.org", RECIPIENTS)]


def test_logs_in_when_a_username_is_set(smtp_server: SmtpServer, message: EmailMessage) -> None:
    send_message(
        message,
        smtp_server.host,
        smtp_server.port,
        False,
        smtp_server.username,
        smtp_server.password,
    )
    assert len(smtp_server.messages) == 1


def test_wrong_password_is_a_configuration_fault_and_not_echoed(
    smtp_server: SmtpServer, message: EmailMessage
) -> None:
    password = "wrong-Pa55word-123"
    with pytest.raises(DeliveryError) as info:
        send_message(message, smtp_server.host, smtp_server.port, False, "tracker", password)
    text = _check_error(info.value, password)
    assert "535" in text and "$SMTP_PASSWORD" in text
    # The configuration's fault: the digest waits for it to be fixed.
    assert info.value.setup
    assert smtp_server.messages == []


def test_refused_connection(message: EmailMessage) -> None:
    password = "hunter2-very-secret"
    port = free_port()
    with pytest.raises(DeliveryError) as info:
        send_message(message, "127.0.0.1", port, True, "tracker", password, timeout=5)
    text = _check_error(info.value, password)
    assert f"127.0.0.1:{port}" in text
    assert "ConnectionRefusedError" in text
    assert not info.value.permanent


def test_server_rejects_the_data(smtp_server: SmtpServer, message: EmailMessage) -> None:
    smtp_server.reply = "451 4.3.0 Temporary failure, try again later"
    with pytest.raises(DeliveryError) as info:
        _send_with_login(smtp_server, message)
    text = _check_error(info.value, smtp_server.password)
    assert "451" in text and "try again later" in text
    assert not info.value.permanent
    assert smtp_server.messages == []


def test_server_drops_the_connection(smtp_server: SmtpServer, message: EmailMessage) -> None:
    smtp_server.drop = True
    with pytest.raises(DeliveryError) as info:
        _send_with_login(smtp_server, message, timeout=5)
    _check_error(info.value, smtp_server.password)
    assert smtp_server.messages == []


def test_starttls_not_offered(smtp_server: SmtpServer, message: EmailMessage) -> None:
    with pytest.raises(DeliveryError) as info:
        _send_with_login(smtp_server, message, starttls=True)
    text = _check_error(info.value, smtp_server.password)
    assert "STARTTLS" in text
    assert smtp_server.messages == []


def test_password_echoed_by_the_server_is_scrubbed(
    smtp_server: SmtpServer, message: EmailMessage
) -> None:
    smtp_server.reply = f"452 4.3.1 no room for {smtp_server.password}"
    with pytest.raises(DeliveryError) as info:
        _send_with_login(smtp_server, message)
    text = _check_error(info.value, smtp_server.password)
    assert "452" in text and "***" in text
    assert info.value.__cause__ is None
