"""``tracker alerts``: the alerts not delivered, and re-queuing the failed ones."""

from __future__ import annotations

from contextlib import closing
from typing import Any

from tracker.config import Config
from tracker.errors import ConfigError
from tracker.query.sql import QueryError, existing_db
from tracker.store.database import Store, open_store
from tracker.timeutil import minute

# Widest "about" column before it is cut.
ABOUT_WIDTH = 40


def _open(config: Config) -> Store:
    try:
        existing_db(config.tracker.db)
    except QueryError as exc:
        raise ConfigError(str(exc)) from None
    return open_store(config.tracker.db, config.tracker.timezone)


def _about(alert: dict[str, Any]) -> str:
    payload = alert["payload"]
    if alert["kind"] == "news":
        text = f"기사 {payload.get('total', len(payload.get('articles', [])))}건"
    elif alert["kind"] == "summary":
        text = f"{payload.get('total', 0)}건 추적 시작"
    else:
        text = str(
            payload.get("title")
            or payload.get("source")
            or payload.get("destination")
            or alert["bill_id"]
            or ""
        )
    text = text if len(text) <= ABOUT_WIDTH else text[: ABOUT_WIDTH - 1] + "…"
    if alert.get("route") not in (None, "*"):
        # A route's copy: where it goes.
        text += f" → {payload.get('to') or 'email'} ({alert['route']})"
    return text


def alert_table(config: Config) -> str:
    """Pending and failed alerts, one a line, with why they are not delivered."""
    with closing(_open(config)) as store:
        rows = store.outbox.to_review()
    if not rows:
        return "no alert waiting: every alert was delivered\n"
    lines = ["id\tstatus\tkind\tcreated\ttries\tabout\tlast error"]
    for a in rows:
        created = minute(str(a["created_at"]))
        lines.append(
            f"{a['id']}\t{a['status']}\t{a['kind']}\t{created}\t{a['attempts']}\t"
            f"{_about(a)}\t{a['last_error'] or '-'}"
        )
    failed = sum(a["status"] == "failed" for a in rows)
    lines.append(
        f"{len(rows) - failed} pending (sent by the next check), {failed} failed"
        + (" (`tracker alerts retry ID` or `--all` re-queues them)" if failed else "")
    )
    return "\n".join(lines) + "\n"


def requeue(config: Config, alert_id: int | None) -> str:
    """Make failed alerts pending again (one, or all with None); say what was done."""
    with closing(_open(config)) as store:
        count = store.outbox.requeue_failed(alert_id)
    if alert_id is not None and not count:
        raise ConfigError(f"no failed alert with id {alert_id} (see `tracker alerts`)")
    return f"re-queued {count} alert(s); the next `tracker check` sends them"
