"""Configuration: one TOML file, secrets from the environment, errors that name the key."""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlsplit

from tracker import __version__
from tracker.domain.bills import BILL_FIELDS
from tracker.domain.keywords import DEFAULT_COMPANIONS, normalize
from tracker.errors import ConfigError
from tracker.scrub import scrub

DEFAULT_PATH = "tracker.toml"
DEFAULT_USER_AGENT = (
    f"tracker/{__version__} (+https://github.com/haeoreum-tracker/tracker; bill-watch bot)"
)


@dataclass
class TrackerSection:
    db: str = "tracker.db"
    timezone: str = "Asia/Seoul"
    user_agent: str = DEFAULT_USER_AGENT
    keep_runs_days: float = 90
    crawl_timeout_seconds: float = 600
    # Politeness towards the real sites; the local replica can go faster.
    download_delay: float = 0.5
    download_timeout: float = 30
    autothrottle: bool = True
    concurrent_requests_per_domain: int = 2


@dataclass
class WatchSection:
    keywords: list[str] = field(default_factory=lambda: ["해오름 산업벨트", "해오름동맹"])
    bill_ids: list[str] = field(default_factory=list)
    # 의안번호 always tracked, resolved to bill ids through the Open API (BILL_NO=).
    bill_nos: list[str] = field(default_factory=list)
    ages: list[int] = field(default_factory=lambda: [22])
    alert_fields: list[str] = field(default_factory=list)
    # Terms that make an ambiguous keyword ("해오름") count as news about the act.
    companions: list[str] = field(default_factory=lambda: list(DEFAULT_COMPANIONS))


@dataclass
class AssemblySection:
    api_base: str = "https://open.assembly.go.kr/portal/openapi"
    bill_page_base: str = "https://likms.assembly.go.kr/bill"
    endpoint: str = "TVBPMBILL11"
    page_size: int = 100
    bill_pages: bool = True
    # An Open API page with the body last stored is still parsed in full once this often.
    page_refresh_hours: float = 6
    # A bill with a dated step this recent has its pages checked every cycle; of the others,
    # this many a cycle, those checked longest ago first.
    active_days: float = 14
    quiet_pages_per_cycle: int = 50


@dataclass
class NewsSection:
    google_news_base: str = "https://news.google.com/rss/search"
    naver_api_base: str = "https://openapi.naver.com/v1/search"
    feeds: list[str] = field(default_factory=list)
    alerts: bool = True


@dataclass
class SourcesSection:
    assembly: AssemblySection = field(default_factory=AssemblySection)
    news: NewsSection = field(default_factory=NewsSection)


@dataclass
class SlackSection:
    channel: str = "#haeoreum"
    # Source failures and delivery problems go here when set (else to ``channel``).
    ops_channel: str = ""
    api_base: str = "https://slack.com/api/"
    timeout_seconds: float = 10
    max_retries: int = 2
    backoff_seconds: float = 60


@dataclass
class EmailSection:
    smtp_host: str = "localhost"
    smtp_port: int = 25
    starttls: bool = False
    username: str = ""
    sender: str = "tracker@example.org"
    recipients: list[str] = field(default_factory=list)
    skip_empty: bool = False


@dataclass
class ScheduleSection:
    check_every_minutes: float = 30
    digest: str = "mon 09:00"
    failure_threshold: int = 3
    reminder_hours: float = 24


@dataclass
class PublishSection:
    """The static status page and Atom feed (``tracker publish``)."""

    # Where ``tracker check`` / ``tracker run`` rewrite index.html and changes.atom after each
    # cycle; empty: only ``tracker publish --out DIR`` writes them.
    dir: str = ""
    title: str = "의안 추적 현황"
    # Where the files are served (the feed's links); optional.
    url: str = ""


@dataclass
class VerifySection:
    """The reference bill ``tracker verify`` reads: facts that will not change."""

    bill_id: str = "PRC_R2V4H1W1T2K5M1O6E4Q9T0V7Q9S0U0"
    bill_no: str = "2206772"
    stage: str = "promulgated"
    result: str = "원안가결"
    promulgated_on: str = "2025-01-21"
    promulgation_no: str = "20676"
    news_query: str = "인공지능 기본법"


# The alert kinds a route can take; ``meeting`` is a committee meeting that took up a bill.
ROUTE_KINDS = ("stage_change", "new_bill", "news", "meeting", "source_failure")


@dataclass
class RouteSection:
    """One ``[[routes]]`` block: which bills and kinds go to which channel and recipients."""

    name: str = ""
    # Keywords (matched spacing-insensitively in titles), 의안번호 (digits) or "all".
    bills: list[str] = field(default_factory=lambda: ["all"])
    kinds: list[str] = field(
        default_factory=lambda: ["stage_change", "new_bill", "news", "meeting"]
    )
    channel: str = ""
    recipients: list[str] = field(default_factory=list)
    # Of the route's kinds, those also emailed to ``recipients`` at once.
    email_kinds: list[str] = field(default_factory=lambda: ["stage_change"])


@dataclass
class Secrets:
    """Values read only from the environment; never logged, stored or printed."""

    assembly_api_key: str = ""
    slack_bot_token: str = ""
    slack_webhook_url: str = ""
    smtp_password: str = ""
    naver_client_id: str = ""
    naver_client_secret: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Secrets:
        env = os.environ if env is None else env
        return cls(
            assembly_api_key=env.get("ASSEMBLY_API_KEY", ""),
            slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
            slack_webhook_url=env.get("SLACK_WEBHOOK_URL", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            naver_client_id=env.get("NAVER_CLIENT_ID", ""),
            naver_client_secret=env.get("NAVER_CLIENT_SECRET", ""),
        )

    def values(self) -> list[str]:
        """Every non-empty secret, for scrubbing text before it is shown or stored."""
        return [v for v in (getattr(self, f.name) for f in fields(self)) if v]

    def __repr__(self) -> str:
        return "Secrets(<hidden>)"


@dataclass
class Config:
    tracker: TrackerSection = field(default_factory=TrackerSection)
    watch: WatchSection = field(default_factory=WatchSection)
    sources: SourcesSection = field(default_factory=SourcesSection)
    slack: SlackSection = field(default_factory=SlackSection)
    email: EmailSection = field(default_factory=EmailSection)
    schedule: ScheduleSection = field(default_factory=ScheduleSection)
    verify: VerifySection = field(default_factory=VerifySection)
    publish: PublishSection = field(default_factory=PublishSection)
    routes: list[RouteSection] = field(default_factory=list)
    secrets: Secrets = field(default_factory=Secrets, repr=False)
    path: str | None = None

    def scrub(self, text: str) -> str:
        """``text`` with every secret value, in any encoding, replaced by ``***``."""
        return scrub(text, self.secrets.values())


_FILE_SECTIONS = (
    "tracker", "watch", "sources", "slack", "email", "schedule", "verify", "publish", "routes",
)  # fmt: skip


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"config: [{where}] must be a table")
    hints = get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{where}.{key}"
        if key not in known:
            raise ConfigError(f"config: unknown key '{name}'")
        kwargs[key] = _convert(hints[key], value, name)
    return cls(**kwargs)


def _convert(hint: Any, value: Any, name: str) -> Any:
    if is_dataclass(hint):
        return _build(hint, value, name)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"config: '{name}' must be true or false, not {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"config: '{name}' must be a whole number, not {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"config: '{name}' must be a number, not {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"config: '{name}' must be a string, not {value!r}")
        return value
    item_type = hint.__args__[0]
    if not isinstance(value, list):
        raise ConfigError(f"config: '{name}' must be a list, not {value!r}")
    return [_convert(item_type, item, f"{name}[{i}]") for i, item in enumerate(value)]


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


def _validate(config: Config) -> None:
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


def resolve_path(path: str | None, env: dict[str, str] | None = None) -> Path | None:
    """The config file to read: ``--config``, else ``$TRACKER_CONFIG``, else ``./tracker.toml``."""
    env = os.environ if env is None else env
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config: file not found: {path}")
        return p
    if env.get("TRACKER_CONFIG"):
        p = Path(env["TRACKER_CONFIG"])
        if not p.is_file():
            raise ConfigError(f"config: $TRACKER_CONFIG file not found: {p}")
        return p
    p = Path(DEFAULT_PATH)
    return p if p.is_file() else None


def load_config(path: str | None = None, env: dict[str, str] | None = None) -> Config:
    """Read and validate the configuration; raise ConfigError naming the bad key."""
    env = os.environ if env is None else env
    file = resolve_path(path, env)
    data: dict[str, Any] = {}
    if file is not None:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config: {file}: invalid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"config: {file}: not UTF-8 text") from None
    for key in data:
        if key not in _FILE_SECTIONS:
            raise ConfigError(f"config: unknown section or key '{key}'")
    config = _build(Config, {k: v for k, v in data.items()}, "config")
    config.path = str(file) if file else None
    config.secrets = Secrets.from_env(env)
    if env.get("TRACKER_DB"):
        config.tracker.db = env["TRACKER_DB"]
    _validate(config)
    return config
