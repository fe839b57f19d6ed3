"""Routes: each alert's copies, one per channel or recipient list a ``[[routes]]`` block names.

An alert is written once, with its change; when routes are configured the drain hands it to
them (:func:`route_pending`) in one transaction, and each copy is its own outbox row with its
own dedupe key, sent exactly once by the same rules as any alert.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from tracker.config import Config, RouteSection
from tracker.domain import alerts
from tracker.domain.keywords import matches
from tracker.store.database import Store

# The first run's summary goes to the routes that take new bills.
SUMMARY_KIND = "new_bill"

Copies = dict[str, tuple[dict[str, Any], str]]


def follows(route: RouteSection, bill: dict[str, Any]) -> bool:
    """Whether ``route`` follows ``bill`` (by ``all``, its 의안번호, or a keyword in its title)."""
    for term in route.bills:
        term = term.strip()
        if term == "all":
            return True
        if term.isdigit():
            if str(bill.get("bill_no") or "") == term:
                return True
        elif matches(term, str(bill.get("title") or "")):
            return True
    return False


def _with_carried(store: Store, bill: dict[str, Any]) -> list[dict[str, Any]]:
    """A bill, and the bill it carries on when it is a committee alternative (대안)."""
    matched_by = str(bill.get("matched_by") or "")
    carried = (
        store.bills.get(matched_by.partition(":")[2])
        if matched_by.startswith("alternative:")
        else None
    )
    return [bill, carried] if carried else [bill]


def _route_follows(store: Store, route: RouteSection, bill: dict[str, Any]) -> bool:
    """Whether ``route`` follows ``bill`` or, for an alternative, the bill it carries on."""
    return any(follows(route, b) for b in _with_carried(store, bill))


def _add(copies: Copies, key: str, route: RouteSection, payload: dict[str, Any], kind: str) -> None:
    """A route's Slack copy (one per channel, whichever routes share it) and its email copy."""
    if route.channel:
        copies.setdefault(f"{key}>{route.channel}", ({**payload, "to": route.channel}, route.name))
    if route.recipients and kind in route.email_kinds:
        email = {**payload, "email": list(route.recipients)}
        copies.setdefault(f"{key}>mail:{route.name}", (email, route.name))


def _news_for(
    route: RouteSection, payload: dict[str, Any], bills: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    if "all" in (t.strip() for t in route.bills):
        return payload
    articles = [
        a
        for a in payload.get("articles", [])
        if follows(route, {"title": a.get("title")})
        or (a.get("url") in bills and follows(route, bills[a["url"]]))
    ]
    if not articles:
        return None
    return {"articles": articles, "total": len(articles)}


def plan(alert: dict[str, Any], routes: list[RouteSection], config: Config, store: Store) -> Copies:
    """The copies of ``alert`` the routes take: dedupe key -> (payload, route name)."""
    kind, key, payload = alert["kind"], alert["dedupe_key"], alert["payload"]
    copies: Copies = {}
    taking = [r for r in routes if kind in r.kinds]
    if kind in alerts.BILL_KINDS:
        bill = (store.bills.get(alert["bill_id"]) if alert["bill_id"] else None) or payload
        for route in taking:
            if _route_follows(store, route, bill):
                _add(copies, key, route, payload, kind)
    elif kind == "news":
        linked = store.news.article_bills([a.get("url") for a in payload.get("articles", [])])
        for route in taking:
            if (news := _news_for(route, payload, linked)) is not None:
                _add(copies, key, route, news, kind)
    elif kind == "summary":
        for route in (r for r in routes if SUMMARY_KIND in r.kinds and r.channel):
            summary = store.bills.summary_payload(partial(_route_follows, store, route))
            if summary["total"]:
                _add(copies, key, route, summary, kind)
    elif kind == "source_failure":
        # To the operator's channel, and to the routes that ask for them; to the main
        # channel, as without routes, when neither is configured.
        for route in taking:
            _add(copies, key, route, payload, kind)
        ops = config.slack.ops_channel or ("" if copies else config.slack.channel)
        if ops:
            copies.setdefault(f"{key}>{ops}", ({**payload, "to": ops}, "ops"))
    return copies


def route_pending(store: Store, config: Config) -> int:
    """Hand every pending alert not yet routed to the configured routes; how many."""
    if not config.routes:
        return 0
    handed = 0
    for alert in store.outbox.due():
        # A notice to the operator already names its channel; an alert whose send began
        # before routes were configured goes where it was going.
        if alert["route"] is not None or alert["kind"] == "delivery_problem" or alert["claimed_at"]:
            continue
        copies = plan(alert, config.routes, config, store)
        store.outbox.route(alert["id"], [(k, p, r) for k, (p, r) in copies.items()])
        handed += 1
    return handed
