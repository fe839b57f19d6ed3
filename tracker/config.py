"""Configuration: one TOML file, secrets from the environment, errors that name the key."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_type_hints

from tracker import __version__
from tracker.errors import ConfigError
from tracker.keywords import DEFAULT_COMPANIONS, normalize

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
    routes: list[RouteSection] = field(default_factory=list)
    secrets: Secrets = field(default_factory=Secrets, repr=False)
    path: str | None = None

    def scrub(self, text: str) -> str:
        """``text`` with every secret value replaced by ``***``."""
        for secret in self.secrets.values():
            text = text.replace(secret, "***")
        return text


_FILE_SECTIONS = (
    "tracker", "watch", "sources", "slack", "email", "schedule", "verify", "routes",
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


def _validate(config: Config) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(config.tracker.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"config: 'tracker.timezone' is not a known time zone: {config.tracker.timezone!r}"
        ) from None
    if config.schedule.check_every_minutes <= 0:
        raise ConfigError("config: 'schedule.check_every_minutes' must be greater than 0")
    if not 1 <= config.sources.assembly.page_size <= 1000:
        raise ConfigError("config: 'sources.assembly.page_size' must be between 1 and 1000")
    for name in ("page_refresh_hours", "active_days", "quiet_pages_per_cycle"):
        if getattr(config.sources.assembly, name) < 0:
            raise ConfigError(f"config: 'sources.assembly.{name}' must not be negative")
    if not config.watch.keywords and not config.watch.bill_ids:
        raise ConfigError("config: 'watch.keywords' and 'watch.bill_ids' are both empty")
    _validate_news(config)
    _validate_routes(config.routes, config.secrets)
    from tracker.schedule_spec import parse_digest_spec

    parse_digest_spec(config.schedule.digest)


_HTTP = ("http://", "https://")


def _validate_news(config: Config) -> None:
    for i, term in enumerate(config.watch.companions):
        if not normalize(term):
            raise ConfigError(f"config: 'watch.companions[{i}]' has no letters or digits")
    news = config.sources.news
    for name in ("google_news_base", "naver_api_base"):
        url = getattr(news, name)
        if url and not url.startswith(_HTTP):
            raise ConfigError(f"config: 'sources.news.{name}' must be an http(s) URL or empty")
    for i, url in enumerate(news.feeds):
        if not url.startswith(_HTTP):
            raise ConfigError(f"config: 'sources.news.feeds[{i}]' must be an http(s) URL")


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
