"""Applying a batch of bill records: read the stored rows once, diff each record
(:func:`tracker.domain.bills.diff_bill`), and write the changes with their alerts grouped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tracker.domain import alerts
from tracker.domain.bills import (
    BILL_FIELDS,
    BillRecord,
    Change,
    Meeting,
    as_text,
    diff_bill,
    found_late,
    is_status_change,
)
from tracker.store.outbox import AlertRow
from tracker.store.sql import encode_json, in_chunks, insert_rows

if TYPE_CHECKING:
    from tracker.store.database import Store

_INSERT_CHANGE = (
    "INSERT INTO bill_changes (run_id, bill_id, kind, field, old_value, new_value, observed_at)"
    " VALUES"
)
_INSERT_EVENT = (
    "INSERT OR IGNORE INTO bill_events (bill_id, stage, happened_on, description) VALUES"
)
_INSERT_MEETING = (
    "INSERT INTO bill_meetings (bill_id, committee, meeting, held_on, result, minutes_url,"
    " first_seen_at) VALUES"
)


@dataclass
class _Batch:
    """The writes of one ``apply_bills`` call, grouped so each kind goes out in one call."""

    run_id: int | None
    at: str
    alert_fields: tuple[str, ...]
    # The first run of a database: history is written, the run's summary replaces the alerts.
    quiet: bool = False
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: set[tuple[str, str, str]] = field(default_factory=set)
    changes: list[Change] = field(default_factory=list)
    inserts: dict[tuple[str, ...], list[list[Any]]] = field(default_factory=dict)
    updates: dict[tuple[str, ...], list[list[Any]]] = field(default_factory=dict)
    new_events: list[tuple[str, str, str, str]] = field(default_factory=list)
    alerts: list[AlertRow] = field(default_factory=list)
    # Committee alternative → the bills of this batch whose pages say they went into it.
    folded: dict[str, list[str]] = field(default_factory=dict)
    # New committee alternatives and their alerts' payloads, alerted at the end of the batch.
    alternatives: list[tuple[BillRecord, dict[str, Any]]] = field(default_factory=list)
    # Bills whose changes are stored without alerts (muted), and those first stored in this
    # run, whose meetings so far are history rather than news.
    muted: set[str] = field(default_factory=set)
    new_in_run: set[str] = field(default_factory=set)
    meetings: set[tuple[str, str, str]] = field(default_factory=set)
    new_meetings: list[tuple[Any, ...]] = field(default_factory=list)

    def insert(self, row: dict[str, Any]) -> None:
        self.inserts.setdefault(tuple(row), []).append(list(row.values()))

    def update(self, bill_id: str, assignments: dict[str, Any]) -> None:
        self.updates.setdefault(tuple(assignments), []).append([*assignments.values(), bill_id])

    def add_events(self, record: BillRecord) -> None:
        for event in record.events:
            key = (record.bill_id, event.stage, event.happened_on)
            if key not in self.events:
                self.events.add(key)
                self.new_events.append((*key, event.description))

    def add_meetings(self, bill_id: str, meetings: list[Meeting]) -> list[Meeting]:
        """Queue the meetings not stored yet; return them."""
        added = []
        for meeting in meetings:
            key = (bill_id, meeting.held_on, meeting.name)
            if key not in self.meetings:
                self.meetings.add(key)
                self.new_meetings.append(
                    (bill_id, meeting.committee, meeting.name, meeting.held_on, meeting.result,
                     meeting.minutes_url, self.at)
                )  # fmt: skip
                added.append(meeting)
        return added

    def alert(self, key: str, kind: str, payload: dict[str, Any], bill_id: str | None) -> None:
        if self.quiet or bill_id in self.muted:
            return
        self.alerts.append((key, kind, bill_id, encode_json(payload), self.at))

    def flush(self, store: Store) -> None:
        """Write everything, the alerts through the outbox, in the caller's transaction."""
        conn = store.conn
        for names, rows in self.inserts.items():
            insert_rows(conn, f"INSERT INTO bills ({', '.join(names)}) VALUES", rows)
        for names, rows in self.updates.items():
            sets = ", ".join(f"{name} = ?" for name in names)
            conn.executemany(f"UPDATE bills SET {sets} WHERE bill_id = ?", rows)
        insert_rows(
            conn,
            _INSERT_CHANGE,
            [
                (self.run_id, c.bill_id, c.kind, c.field, as_text(c.old_value),
                 as_text(c.new_value), self.at)
                for c in self.changes
            ],
        )  # fmt: skip
        insert_rows(conn, _INSERT_EVENT, self.new_events)
        insert_rows(conn, _INSERT_MEETING, self.new_meetings)
        store.outbox.enqueue_rows(self.alerts)


def apply_records(
    store: Store,
    records: list[BillRecord],
    run_id: int | None,
    alert_fields: tuple[str, ...],
    quiet: bool,
) -> list[Change]:
    """Apply ``records`` inside the caller's transaction; return the changes stored."""
    batch = _Batch(run_id, store.now(), alert_fields, quiet)
    ids = list(dict.fromkeys(r.bill_id for r in records))
    batch.stored = _fetch_bills(store, ids)
    records = _without_unfollowed(store, records, batch.stored)
    batch.events = _fetch_keys(store, "stage, happened_on FROM bill_events", ids)
    batch.meetings = _fetch_keys(store, "held_on, meeting FROM bill_meetings", ids)
    batch.muted = _muted_among(store, records, batch.stored, batch.at)
    batch.new_in_run = _new_in_run(store, ids, run_id)
    for record in records:
        _apply(record, batch)
    for record, payload in batch.alternatives:
        payload["folded"] = _folded_bills(store, record, batch)
        batch.alert(alerts.new_bill_key(record.bill_id), "new_bill", payload, record.bill_id)
    batch.flush(store)
    return batch.changes


def _fetch_bills(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for cursor in in_chunks(store.conn, "SELECT * FROM bills WHERE bill_id IN ({})", ids):
        names = [d[0] for d in cursor.description]
        found.update((row[0], dict(zip(names, row, strict=True))) for row in cursor)
    return found


def _fetch_keys(store: Store, columns_from: str, ids: list[str]) -> set[tuple[str, str, str]]:
    """``bill_id, <columns_from> WHERE bill_id IN ids``: the rows' keys, to skip known ones."""
    found: set[tuple[str, str, str]] = set()
    sql = f"SELECT bill_id, {columns_from} WHERE bill_id IN ({{}})"
    for cursor in in_chunks(store.conn, sql, ids):
        found.update(cursor)
    return found


def _numbered(record: BillRecord, stored: dict[str, dict[str, Any]], numbers: set[str]) -> bool:
    """Whether the record's bill has one of ``numbers`` as its 의안번호, reported or stored."""
    return record.bill_no in numbers or stored.get(record.bill_id, {}).get("bill_no") in numbers


def _without_unfollowed(
    store: Store, records: list[BillRecord], stored: dict[str, dict[str, Any]]
) -> list[BillRecord]:
    """The records of bills not unfollowed."""
    unfollowed = store.follows.unfollowed_numbers()
    if not unfollowed:
        return records
    return [r for r in records if not _numbered(r, stored, unfollowed)]


def _muted_among(
    store: Store, records: list[BillRecord], stored: dict[str, dict[str, Any]], at: str
) -> set[str]:
    muted = store.follows.muted_numbers(at)
    if not muted:
        return set()
    return {r.bill_id for r in records if _numbered(r, stored, muted)}


def _new_in_run(store: Store, ids: list[str], run_id: int | None) -> set[str]:
    if run_id is None:
        return set()
    sql = "SELECT bill_id FROM bill_changes WHERE kind = 'new' AND run_id = ? AND bill_id IN ({})"
    return {row[0] for cursor in in_chunks(store.conn, sql, ids, run_id) for row in cursor}


def _apply(record: BillRecord, batch: _Batch) -> None:
    known = record.known()
    stored = batch.stored.get(record.bill_id)
    batch.add_events(record)
    if record.replaced_by:
        batch.folded.setdefault(record.replaced_by, []).append(record.bill_id)
    if stored is None:
        _insert_bill(record, known, batch)
        batch.add_meetings(record.bill_id, record.meetings)
        return
    _alert_meetings(record, stored, batch)
    changes = diff_bill(record.bill_id, known, stored)
    assignments: dict[str, Any] = {c.field: c.new_value for c in changes}
    status_changed = is_status_change(assignments)
    alerting = status_changed or not assignments.keys().isdisjoint(batch.alert_fields)
    assignments["last_checked_at"] = batch.at
    if changes:
        assignments["last_changed_at"] = batch.at
        batch.changes += changes
    batch.update(record.bill_id, assignments)
    # The batch owns the fetched row: a later record of the same bill diffs against this.
    stored.update(assignments)
    if not alerting:
        return
    payload = alerts.stage_change_payload(
        stored, changes, record.replaced_by, record.replaced_by_title
    )
    if status_changed:
        key = alerts.stage_key(record.bill_id, stored["stage"], stored["result"])
    else:
        key = alerts.fields_key(record.bill_id, batch.at, (c.field for c in changes))
    batch.alert(key, "stage_change", payload, record.bill_id)


def _alert_meetings(record: BillRecord, bill: dict[str, Any], batch: _Batch) -> None:
    """One ``meeting`` alert for each meeting first seen, unless the bill itself is new
    in this run (its meetings so far are its history)."""
    for meeting in batch.add_meetings(record.bill_id, record.meetings):
        if record.bill_id not in batch.new_in_run:
            payload = alerts.meeting_payload(bill, meeting)
            batch.alert(
                alerts.meeting_key(record.bill_id, meeting), "meeting", payload, record.bill_id
            )


def _insert_bill(record: BillRecord, known: dict[str, Any], batch: _Batch) -> None:
    row = {
        **known,
        "bill_id": record.bill_id,
        "matched_by": record.matched_by,
        "first_seen_at": batch.at,
        "last_checked_at": batch.at,
        "last_changed_at": batch.at,
    }
    batch.insert(row)
    batch.changes.append(Change(record.bill_id, "new", "stage", None, known.get("stage")))
    payload = alerts.new_bill_payload(row, found_late(known, batch.at))
    batch.stored[record.bill_id] = dict.fromkeys(BILL_FIELDS) | row
    if record.matched_by and record.matched_by.startswith("alternative:"):
        # Alerted once the whole batch is read: the bills folded into it may follow it.
        batch.alternatives.append((record, payload))
    else:
        batch.alert(alerts.new_bill_key(record.bill_id), "new_bill", payload, record.bill_id)


def _folded_bills(store: Store, record: BillRecord, batch: _Batch) -> list[dict[str, Any]]:
    """The bills folded into the committee alternative ``record``, with their numbers,
    for its first alert: the one it was found through, those whose fold was alerted
    before and those of this batch."""
    found_through = record.matched_by.split(":", 1)[1] if record.matched_by else ""
    earlier = store.conn.execute(
        "SELECT bill_id FROM alerts WHERE kind = 'stage_change'"
        " AND json_extract(payload, '$.replaced_by') = ?",
        [record.bill_id],
    )
    ids = [found_through, *(r[0] for r in earlier), *batch.folded.get(record.bill_id, [])]
    ids = list(dict.fromkeys(ids))
    missing = [i for i in ids if i not in batch.stored]
    known = batch.stored | _fetch_bills(store, missing)
    return [
        {
            "bill_id": i,
            "bill_no": known.get(i, {}).get("bill_no"),
            "title": known.get(i, {}).get("title"),
        }
        for i in ids
        if i
    ]
