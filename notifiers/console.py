"""The console notifier: prints alerts when Slack is not configured."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from notifiers.base import WithoutHistory
from notifiers.messages import format_plain


class ConsoleNotifier(WithoutHistory):
    name = "console"

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
