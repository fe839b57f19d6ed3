"""Checks of a loaded configuration: numbers within bounds, URLs, the watch list, routes."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tracker.config.sections import ROUTE_KINDS, Config, RouteSection, Secrets
from tracker.domain.bills import BILL_FIELDS
from tracker.domain.keywords import normalize
from tracker.errors import ConfigError

# (key, lowest, highest) for each number: finite, within the bounds. The lowest values keep a
# value that passes from hanging or flooding (no connection at all, a check every millisecond);
# the highest keep durations within what a clock can add.
_NUMBER_BOUNDS: tuple[tuple[str, float, float], ...] = (
    ("tracker.keep_runs_days", 1, 36_500),
    ("tracker.crawl_timeout_seconds", 1, 86_400),
    ("tracker.download_delay", 0, 600),
    ("tracker.download_timeout", 0.5, 3_600),
    ("tracker.concurrent_requests_per_domain", 1, 1_000),
    ("watch.ages[]", 1, 999),
    ("sources.assembly.page_size", 1, 1_000),
    ("sources.assembly.page_refresh_hours", 0, 876_000),
    ("sources.assembly.active_days", 0, 36_500),
    ("sources.assembly.quiet_pages_per_cycle", 1, 10_000_000),
    ("slack.timeout_seconds", 1, 600),
    ("slack.max_retries", 0, 100),
    ("slack.backoff_seconds", 0, 86_400),
    ("email.smtp_port", 1, 65_535),
    # At least a second between checks (0.0167 minutes); under a minute is warned about.
    ("schedule.check_every_minutes", 1 / 60, 44_640),
    ("schedule.failure_threshold", 1, 1_000_000),
    ("schedule.reminder_hours", 1 / 60, 876_000),
)
# URLs a source or Slack is reached at; those listed in _OPTIONAL_URLS may be "" (disabled).
_URLS = (
    "sources.assembly.api_base",
    "sources.assembly.bill_page_base",
    "sources.news.google_news_base",
    "sources.news.naver_api_base",
    "sources.news.feeds[]",
    "slack.api_base",
    "publish.url",
)
_OPTIONAL_URLS = frozenset(
    {"sources.news.google_news_base", "sources.news.naver_api_base", "publish.url"}
)


def _values(config: Config, key: str) -> list[tuple[str, Any]]:
    """(name, value) of a dotted key; ``key[]`` names each item of a list."""
    value: Any = config
    for part in key.removesuffix("[]").split("."):
        value = getattr(value, part)
    if key.endswith("[]"):
        return [(f"{key[:-2]}[{i}]", item) for i, item in enumerate(value)]
    return [(key, value)]


def _format_bound(value: float) -> str:
    return f"{value:g}"


def _validate_numbers(config: Config) -> None:
    for key, low, high in _NUMBER_BOUNDS:
        for name, value in _values(config, key):
            if not math.isfinite(value) or not low <= value <= high:
                raise ConfigError(
                    f"config: '{name}' must be a number from {_format_bound(low)} to"
                    f" {_format_bound(high)}, not {value!r}"
                )


def valid_url(url: str) -> bool:
    """An http(s) URL with a host: what every request is built from."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and url == url.strip()


def _validate_urls(config: Config) -> None:
    for key in _URLS:
        for name, url in _values(config, key):
            if url == "" and key in _OPTIONAL_URLS:
                continue
            if not valid_url(url):
                hint = ' or ""' if key in _OPTIONAL_URLS else ""
                raise ConfigError(
                    f"config: '{name}' must be an http(s) URL with a host{hint}, not {url!r}"
                )


def _validate_db(db: str) -> None:
    if not db.strip() or db.strip() == ":memory:" or db.startswith("file:"):
        raise ConfigError(
            f"config: 'tracker.db' (or $TRACKER_DB) must be the path of a database file, not {db!r}"
        )
    if Path(db).is_dir():
        raise ConfigError(f"config: 'tracker.db' is a directory, not a database file: {db}")


def _validate_watch(config: Config) -> None:
    watch = config.watch
    for i, keyword in enumerate(watch.keywords):
        if not normalize(keyword):
            raise ConfigError(f"config: 'watch.keywords[{i}]' has no letters or digits")
    for i, bill_id in enumerate(watch.bill_ids):
        if not bill_id.strip():
            raise ConfigError(f"config: 'watch.bill_ids[{i}]' is blank")
    if not (watch.keywords or watch.bill_ids or watch.bill_nos):
        raise ConfigError(
            "config: 'watch.keywords', 'watch.bill_ids' and 'watch.bill_nos' are all empty"
        )
    for i, number in enumerate(watch.bill_nos):
        if not is_bill_no(number):
            raise ConfigError(f"config: 'watch.bill_nos[{i}]' is not a 의안번호: {number!r}")
    if not watch.ages:
        raise ConfigError("config: 'watch.ages' is empty: name at least one Assembly term")
    for i, name in enumerate(watch.alert_fields):
        if name not in BILL_FIELDS:
            raise ConfigError(
                f"config: 'watch.alert_fields[{i}]' is not a bill field: {name!r}"
                f" (one of {', '.join(BILL_FIELDS)})"
            )
    for i, term in enumerate(watch.companions):
        if not normalize(term):
            raise ConfigError(f"config: 'watch.companions[{i}]' has no letters or digits")


def validate(config: Config) -> None:
    """Raise ConfigError naming the first key whose value cannot be used."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(config.tracker.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"config: 'tracker.timezone' is not a known time zone: {config.tracker.timezone!r}"
        ) from None
    _validate_db(config.tracker.db)
    _validate_numbers(config)
    _validate_urls(config)
    _validate_watch(config)
    if not config.tracker.user_agent.strip():
        raise ConfigError("config: 'tracker.user_agent' is blank")
    if not config.sources.assembly.endpoint.strip():
        raise ConfigError("config: 'sources.assembly.endpoint' is blank")
    _validate_routes(config.routes, config.secrets)
    from tracker.domain.schedule import parse_digest_spec

    parse_digest_spec(config.schedule.digest)


def is_bill_no(text: str) -> bool:
    """Whether ``text`` is a 의안번호 as the Assembly writes it (seven digits, e.g. 2203257)."""
    return len(text) == 7 and text.isascii() and text.isdigit()


def _validate_routes(routes: list[RouteSection], secrets: Secrets) -> None:
    webhook_only = secrets.slack_webhook_url and not secrets.slack_bot_token
    if webhook_only and any(route.channel for route in routes):
        raise ConfigError(
            "config: routes name Slack channels, but a webhook posts to its one channel:"
            " set $SLACK_BOT_TOKEN"
        )
    names: set[str] = set()
    for i, route in enumerate(routes):
        where = f"routes[{i}]"
        if not route.name.strip():
            raise ConfigError(f"config: '{where}.name' is missing: give each route a name")
        if route.name in names:
            raise ConfigError(f"config: '{where}.name' repeats the route name {route.name!r}")
        names.add(route.name)
        for key in ("kinds", "email_kinds"):
            for j, kind in enumerate(getattr(route, key)):
                if kind not in ROUTE_KINDS:
                    raise ConfigError(
                        f"config: '{where}.{key}[{j}]' is {kind!r}, not one of"
                        f" {', '.join(ROUTE_KINDS)}"
                    )
        if not route.bills or any(not normalize(b) for b in route.bills):
            raise ConfigError(
                f"config: '{where}.bills' needs keywords, 의안번호 or \"all\", none empty"
            )
        if not route.channel and not route.recipients:
            raise ConfigError(f"config: route {route.name!r} has neither a channel nor recipients")
        for j, address in enumerate(route.recipients):
            if "@" not in address:
                raise ConfigError(f"config: '{where}.recipients[{j}]' is not an email address")
