"""The notifier interface: format an alert (pure) and send it (the only I/O)."""

from __future__ import annotations

from typing import Any, Protocol


class Notifier(Protocol):
    """Sends one alert; raises tracker.errors.DeliveryError when it could not."""

    name: str

    def send(self, kind: str, payload: dict[str, Any]) -> None: ...
