"""Config values are checked against what they mean: each bad one is one line naming it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import clean_env
from tracker.config import Config
from tracker.crawl.context import RunContext
from tracker.crawl.runner import fail_silent_sources

BAD_VALUES = [
    ('[sources.assembly]\napi_base = "open.assembly.go.kr/portal/openapi"\n', "api_base"),
    ('[sources.assembly]\nbill_page_base = "likms.assembly.go.kr/bill"\n', "bill_page_base"),
    ('[sources.assembly]\napi_base = "https:///portal"\n', "api_base"),
    ('[sources.news]\nfeeds = ["ftp://example.org/rss"]\n', "sources.news.feeds[0]"),
    ('[slack]\napi_base = "slack.com/api/"\n', "slack.api_base"),
    ("[tracker]\nconcurrent_requests_per_domain = 0\n", "concurrent_requests_per_domain"),
    ("[tracker]\nconcurrent_requests_per_domain = -3\n", "concurrent_requests_per_domain"),
    ("[schedule]\ncheck_every_minutes = inf\n", "check_every_minutes"),
    ("[schedule]\ncheck_every_minutes = nan\n", "check_every_minutes"),
    ("[schedule]\ncheck_every_minutes = 1e300\n", "check_every_minutes"),
    ("[schedule]\ncheck_every_minutes = 0.0001\n", "check_every_minutes"),
    ("[tracker]\ndownload_timeout = -1\n", "download_timeout"),
    ("[tracker]\ncrawl_timeout_seconds = -1\n", "crawl_timeout_seconds"),
    ("[tracker]\nkeep_runs_days = nan\n", "keep_runs_days"),
    ("[slack]\ntimeout_seconds = 0\n", "slack.timeout_seconds"),
    ("[schedule]\nfailure_threshold = 0\n", "failure_threshold"),
    ("[email]\nsmtp_port = 70000\n", "smtp_port"),
    ('[tracker]\ndb = ""\n', "tracker.db"),
    ('[tracker]\ndb = ":memory:"\n', "tracker.db"),
    ('[tracker]\ndb = "."\n', "tracker.db"),
    ('[watch]\nkeywords = [" "]\n', "watch.keywords[0]"),
    ('[watch]\nkeywords = []\nbill_ids = [""]\n', "watch.bill_ids[0]"),
    ("[watch]\nages = []\n", "watch.ages"),
    ("[watch]\nages = [0]\n", "watch.ages[0]"),
    ('[watch]\nalert_fields = ["colour"]\n', "watch.alert_fields[0]"),
    ('[schedule]\ndigest = "monkey 09:00"\n', "schedule.digest"),
    ('[schedule]\ndigest = "mo 09:00"\n', "schedule.digest"),
]


def check(tmp_path, text: str, **env: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "tracker.toml"
    config.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), "check"],
        capture_output=True, text=True, env=clean_env(**env), cwd=tmp_path, timeout=60,
    )  # fmt: skip


@pytest.mark.e2e
@pytest.mark.parametrize(("text", "key"), BAD_VALUES)
def test_a_value_that_would_hang_crash_or_do_nothing_is_refused(tmp_path, text, key):
    result = check(tmp_path, text)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], result.stderr
    assert not list(tmp_path.glob("*.db*")), "nothing may be created for a refused config"


@pytest.mark.e2e
def test_the_database_from_the_environment_is_checked_too(tmp_path):
    result = check(tmp_path, "", TRACKER_DB=":memory:")
    assert result.returncode == 2
    assert "tracker.db" in result.stderr and "$TRACKER_DB" in result.stderr


@pytest.mark.parametrize("spec", ["monday 09:00", "Sun 23:59", "FRIDAY 7:05"])
def test_weekday_names_in_full_are_accepted(tmp_path, spec):
    from tracker.config import load_config

    config = tmp_path / "tracker.toml"
    config.write_text(f'[schedule]\ndigest = "{spec}"\n', encoding="utf-8")
    assert load_config(str(config), env={}).schedule.digest == spec


def test_a_configured_source_that_makes_no_request_fails_visibly():
    config = Config()
    config.sources.news.feeds = ["https://news.example.org/rss"]
    ctx = RunContext(config, 1)
    ctx.source("google_news").requests = 2
    fail_silent_sources(ctx)
    assert ctx.failed_sources() == ["assembly_api", "feed:news.example.org/rss"]
    assert "did not start" in ctx.stats["assembly_api"].errors[0]
    assert not ctx.stats["google_news"].errors
