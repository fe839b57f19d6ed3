"""The notifier interface: format an alert (pure) and send it (the only I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class Notifier(Protocol):
    """Sends one alert; raises tracker.errors.DeliveryError when it could not."""

    name: str
    # Whether ``was_delivered`` can answer (Slack's history); else a cut-short send is resent.
    can_verify: bool

    def destination(self, kind: str, payload: dict[str, Any]) -> str:
        """Where an alert of ``kind`` goes (a channel); alerts for one destination share its
        configuration problems."""
        ...

    def destinations(self) -> list[str]:
        """Every destination this notifier sends to."""
        ...

    def send(
        self, kind: str, payload: dict[str, Any], dedupe_key: str, thread_ts: str | None = None
    ) -> str | None:
        """Send the alert (in the thread ``thread_ts`` where threads exist); return the ts of
        the thread it is in (it starts one when it was sent outside any), or None."""
        ...

    def was_delivered(
        self,
        kind: str,
        payload: dict[str, Any],
        dedupe_key: str,
        since: datetime,
        thread_ts: str | None = None,
    ) -> str | bool | None:
        """Whether an alert whose earlier attempt ended unknown did arrive (the ts of its
        thread where known); False: it did not; None: can't tell."""
        ...


class WithoutHistory:
    """For a notifier with no history to ask (the console, a webhook, email): a send cut
    short is sent again, so delivery is at least once."""

    can_verify = False

    def was_delivered(
        self,
        kind: str,
        payload: dict[str, Any],
        dedupe_key: str,
        since: datetime,
        thread_ts: str | None = None,
    ) -> str | bool | None:
        return False
