"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the email tests."""

from __future__ import annotations

import asyncio
import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpServer:
    """A running aiosmtpd server that keeps what it receives.

    Set ``reply`` to answer DATA with an error (``"451 4.3.0 try later"``), ``drop`` to
    close the connection once the message has been sent, or ``delay`` to take that many
    seconds over each message. Logins are accepted only for
    ``username``/``password``; without a login the server accepts anything.
    """

    host: str
    port: int
    username: str = "tracker"
    password: str = "s3cret-Pa55word"
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    reply: str | None = None
    drop: bool = False
    delay: float = 0


class _Handler:
    def __init__(self, state: SmtpServer) -> None:
        self.state = state

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.state.delay)
        if self.state.drop:
            server.transport.close()
            return "421 closing"
        if self.state.reply:
            return self.state.reply
        raw = envelope.original_content or envelope.content
        self.state.messages.append(email.message_from_bytes(raw, policy=default_policy))
        self.state.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK: queued"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    state = SmtpServer(host="127.0.0.1", port=free_port())

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == state.username.encode()
            and data.password == state.password.encode()
        )
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        _Handler(state),
        hostname=state.host,
        port=state.port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield state
    finally:
        controller.stop()
