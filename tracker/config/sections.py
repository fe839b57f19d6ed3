"""The configuration's sections: one dataclass per TOML table, and the secrets."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from tracker import __version__
from tracker.domain.keywords import DEFAULT_COMPANIONS
from tracker.scrub import scrub

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
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
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
