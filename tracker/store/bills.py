"""Bills: their rows, history (``bill_changes``), dated steps, meetings and alternatives."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from tracker.domain import alerts, stages
from tracker.domain.bills import AlternativeFold, BillRecord, Change, date_of
from tracker.store.base import Repository
from tracker.store.bill_batch import apply_records
from tracker.store.sql import final_codes, followed, in_chunks


class Bills(Repository):
    """The ``bills`` table and the tables of each bill's history."""

    def get(self, bill_id: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM bills WHERE bill_id = ?", [bill_id])
        return rows[0] if rows else None

    def rows(self, where: str = "1", params: list[Any] | None = None) -> list[dict[str, Any]]:
        """The bills that match an SQL condition."""
        return self.query(f"SELECT * FROM bills WHERE {where}", params)

    def by_number(self, bill_no: str) -> dict[str, Any] | None:
        """The stored bill with this 의안번호 (the latest found, if several terms share it)."""
        rows = self.query(
            "SELECT * FROM bills WHERE bill_no = ? ORDER BY first_seen_at DESC LIMIT 1", [bill_no]
        )
        return rows[0] if rows else None

    def ids_by_number(self) -> dict[str, str]:
        """Stored bills by 의안번호 (a number is the bill's in its term; the latest id wins)."""
        rows = self.conn.execute(
            "SELECT bill_no, bill_id FROM bills WHERE bill_no IS NOT NULL ORDER BY first_seen_at"
        )
        return dict(rows.fetchall())

    def tracked_stages(self) -> dict[str, str | None]:
        """Every bill followed (not unfollowed), by id, with its stage."""
        sql = f"SELECT bill_id, stage FROM bills WHERE {followed()} ORDER BY bill_id"
        return dict(self.conn.execute(sql).fetchall())

    def ended_in_run(self, run_id: int | None) -> list[str]:
        """The bills a source moved to a final stage in this run (their pages are still read)."""
        rows = self.conn.execute(
            "SELECT DISTINCT bill_id FROM bill_changes WHERE run_id = ? AND field = 'stage'"
            f" AND new_value IN ({final_codes()}) ORDER BY bill_id",
            [run_id],
        )
        return [r[0] for r in rows]

    def folded_without_alternative(self) -> list[str]:
        """Bills folded into an alternative (대안반영폐기) that no alternative is known to hold."""
        rows = self.conn.execute(
            "SELECT bill_id FROM bills WHERE stage = 'replaced_by_alternative' AND NOT EXISTS"
            " (SELECT 1 FROM bill_alternatives a WHERE a.bill_no = bills.bill_no)"
            f" AND {followed()} ORDER BY bill_id"
        )
        return [r[0] for r in rows]

    def record_alternative(self, fold: AlternativeFold) -> None:
        """Remember which bills the alternative took in; a bill id learnt later fills a gap."""
        at = self.store.now()
        with self.store.transaction():
            self.conn.executemany(
                "INSERT INTO bill_alternatives (alternative_id, bill_no, bill_id, first_seen_at)"
                " VALUES (?, ?, coalesce(?, (SELECT bill_id FROM bills WHERE bill_no = ?)), ?)"
                " ON CONFLICT(alternative_id, bill_no) DO UPDATE SET"
                " bill_id = coalesce(bill_alternatives.bill_id, excluded.bill_id)",
                [
                    (fold.alternative_id, bill_no, bill_id, bill_no, at)
                    for bill_no, bill_id in fold.folded
                ],
            )

    def apply_bill(
        self, record: BillRecord, run_id: int | None, alert_fields: tuple[str, ...] = ()
    ) -> list[Change]:
        """Diff ``record`` against the stored bill; store changes, events and alerts at once."""
        return self.apply_bills([record], run_id, alert_fields)

    def apply_bills(
        self,
        records: list[BillRecord],
        run_id: int | None,
        alert_fields: tuple[str, ...] = (),
        quiet: bool = False,
    ) -> list[Change]:
        """Apply records in one transaction, each change with its alert: all or none.

        The stored rows are read once for the whole batch and the writes go out grouped, which
        is what makes a full scan of a term fast. ``quiet`` (a database's first run) writes
        the history without alerts: the run's end sums the bills up in one.
        """
        with self.store.transaction():
            return apply_records(self.store, records, run_id, alert_fields, quiet)

    def mark_checked(self, bill_ids: Sequence[str]) -> None:
        """Record that these bills were seen unchanged now: only ``last_checked_at`` moves."""
        ids = list(dict.fromkeys(bill_ids))
        if not ids:
            return
        at = self.store.now()
        with self.store.transaction():
            sql = "UPDATE bills SET last_checked_at = ? WHERE bill_id IN ({})"
            for _ in in_chunks(self.conn, sql, ids, at):
                pass

    def events(self, bill_id: str) -> list[dict[str, Any]]:
        """A bill's dated steps, oldest first."""
        return self.query(
            "SELECT * FROM bill_events WHERE bill_id = ? ORDER BY happened_on, rowid", [bill_id]
        )

    def history(self, bill_id: str) -> list[dict[str, Any]]:
        """A bill's ``bill_changes``, oldest first."""
        return self.query(
            "SELECT * FROM bill_changes WHERE bill_id = ? ORDER BY observed_at, id", [bill_id]
        )

    def meetings(self, bill_id: str) -> list[dict[str, Any]]:
        """The meetings that took a bill up, oldest first."""
        return self.query(
            "SELECT * FROM bill_meetings WHERE bill_id = ? ORDER BY held_on, meeting", [bill_id]
        )

    def last_steps(self) -> dict[str, dict[str, Any]]:
        """Each bill's latest dated step (``bill_events`` row)."""
        rows = self.query("SELECT * FROM bill_events ORDER BY bill_id, happened_on, rowid")
        return {row["bill_id"]: row for row in rows}

    def last_step_dates(self, before: date | None = None) -> dict[str, date]:
        """Each bill's latest dated step (its proposal date when it has no step yet), only
        steps before ``before`` when given."""
        rows = self.conn.execute(
            "SELECT b.bill_id, coalesce(max(e.happened_on), b.proposed_on) FROM bills b"
            " LEFT JOIN bill_events e ON e.bill_id = b.bill_id AND e.happened_on < ?"
            " GROUP BY b.bill_id",
            [before.isoformat() if before else "9999"],
        )
        days = {bill_id: date_of(day) for bill_id, day in rows}
        return {bill_id: day for bill_id, day in days.items() if day}

    def feed_changes(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``bill_changes`` of followed bills, with the bill's number, title and
        page, newest first."""
        return self.query(
            "SELECT c.*, b.bill_no, b.title AS bill_title, b.detail_url FROM bill_changes c"
            f" JOIN bills b USING (bill_id) WHERE {followed('b')}"
            " ORDER BY c.observed_at DESC, c.id DESC LIMIT ?",
            [limit],
        )

    def summary_payload(
        self, keep: Callable[[dict[str, Any]], bool] | None = None
    ) -> dict[str, Any]:
        """The first run's summary of the bills stored so far (those ``keep`` accepts)."""
        by_stage = [
            (
                stage.code,
                [
                    r
                    for r in self.query(
                        "SELECT * FROM bills WHERE stage = ? ORDER BY proposed_on DESC, bill_id",
                        [stage.code],
                    )
                    if keep is None or keep(r)
                ],
            )
            for stage in stages.STAGES
        ]
        return alerts.summary_payload(by_stage, self.store.count("news_articles"))
