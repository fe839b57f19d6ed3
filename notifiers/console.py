"""The console notifier: prints alerts when Slack is not configured."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any, TextIO

from notifiers.messages import format_plain


class ConsoleNotifier:
    name = "console"
    can_verify = False

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def destination(self, kind: str, payload: dict[str, Any]) -> str:
        return self.name

    def destinations(self) -> list[str]:
        return [self.name]

    def send(
        self, kind: str, payload: dict[str, Any], dedupe_key: str, thread_ts: str | None = None
    ) -> str | None:
        stream = self.stream or sys.stdout
        print(f"[alert] {format_plain(kind, payload)}", file=stream, flush=True)
        return None

    def was_delivered(
        self,
        kind: str,
        payload: dict[str, Any],
        dedupe_key: str,
        since: datetime,
        thread_ts: str | None = None,
    ) -> str | bool | None:
        return None
