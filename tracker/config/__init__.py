"""Configuration: one TOML file, secrets from the environment, errors that name the key."""

from tracker.config.load import DEFAULT_PATH, load_config, resolve_path
from tracker.config.sections import (
    DEFAULT_USER_AGENT,
    ROUTE_KINDS,
    AssemblySection,
    Config,
    EmailSection,
    NewsSection,
    PublishSection,
    RouteSection,
    ScheduleSection,
    Secrets,
    SlackSection,
    SourcesSection,
    TrackerSection,
    VerifySection,
    WatchSection,
)
from tracker.config.validate import is_bill_no, valid_url

__all__ = [
    "DEFAULT_PATH",
    "DEFAULT_USER_AGENT",
    "ROUTE_KINDS",
    "AssemblySection",
    "Config",
    "EmailSection",
    "NewsSection",
    "PublishSection",
    "RouteSection",
    "ScheduleSection",
    "Secrets",
    "SlackSection",
    "SourcesSection",
    "TrackerSection",
    "VerifySection",
    "WatchSection",
    "is_bill_no",
    "load_config",
    "resolve_path",
    "valid_url",
]
