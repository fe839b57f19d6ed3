"""Who follows what: bills followed or unfollowed by 의안번호, and mutes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tracker.store.base import Repository


class Follows(Repository):
    """The ``bill_follows`` table."""

    def set_state(self, bill_no: str, state: str | None) -> None:
        """Follow (``followed``), unfollow (``unfollowed``) or leave to the config (None)."""
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO bill_follows (bill_no, state, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(bill_no) DO UPDATE SET state = excluded.state,"
                " updated_at = excluded.updated_at",
                [bill_no, state, self.store.now()],
            )

    def set_mute(self, bill_no: str, until: datetime | None) -> None:
        """Mute a bill's alerts until ``until`` (None: unmute)."""
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO bill_follows (bill_no, muted_until, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(bill_no) DO UPDATE SET muted_until = excluded.muted_until,"
                " updated_at = excluded.updated_at",
                [bill_no, self.store.iso(until) if until else None, self.store.now()],
            )

    def by_number(self) -> dict[str, dict[str, Any]]:
        """Every ``bill_follows`` row by 의안번호."""
        return {r["bill_no"]: r for r in self.query("SELECT * FROM bill_follows")}

    def followed_numbers(self, seeded: Sequence[str] = ()) -> list[str]:
        """The numbers followed: those of the config (``seeded``) and of ``tracker follow``,
        less those unfollowed."""
        follows = self.by_number()
        chosen = [*seeded, *(n for n, r in follows.items() if r["state"] == "followed")]
        return [n for n in dict.fromkeys(chosen) if follows.get(n, {}).get("state") != "unfollowed"]

    def unfollowed_numbers(self) -> set[str]:
        rows = self.conn.execute("SELECT bill_no FROM bill_follows WHERE state = 'unfollowed'")
        return {r[0] for r in rows}

    def unfollowed_bill_ids(self) -> set[str]:
        """The stored bills whose number is unfollowed."""
        rows = self.conn.execute(
            "SELECT bill_id FROM bills WHERE bill_no IN"
            " (SELECT bill_no FROM bill_follows WHERE state = 'unfollowed')"
        )
        return {r[0] for r in rows}

    def muted_numbers(self, at: str | None = None) -> set[str]:
        """The numbers muted at ``at`` (now by default): a mute ends by itself."""
        rows = self.conn.execute(
            "SELECT bill_no FROM bill_follows WHERE muted_until IS NOT NULL"
            " AND julianday(muted_until) > julianday(?)",
            [at or self.store.now()],
        )
        return {r[0] for r in rows}
