"""What ``tracker check`` says: one line per source at the end, and with ``-v`` tracker's own
progress instead of Scrapy's start-up lines; ``tracker run`` logs the same lines per cycle."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tracker.check import source_summary
from tracker.config import load_config
from tracker.crawl.context import RunContext
from tracker.scheduler import Daemon
from tracker.store.database import open_store

STATS = {
    "assembly_api": {"requests": 3, "items": 12, "changes": 2, "skipped": 0, "errors": []},
    "bill_page": {"requests": 8, "items": 0, "changes": 1, "skipped": 0, "errors": []},
    "bill_page:PRC_A": {"requests": 0, "items": 1, "changes": 0, "skipped": 0, "errors": []},
    "bill_page:PRC_B": {"requests": 0, "items": 0, "changes": 0, "skipped": 0,
                        "errors": ["bill_page: HTTP 500"]},
    "feed:news.example.kr": {"requests": 1, "items": 4, "changes": 0, "skipped": 2, "errors": []},
}  # fmt: skip
LINES = [
    "assembly_api: 3 requests, 12 items, 2 changes, 0 failures",
    "bill_page: 8 requests, 1 items, 1 changes, 1 failures",
    "feed:news.example.kr: 1 requests, 4 items, 0 changes, 0 failures, 2 skipped",
]


def test_one_line_per_source_with_its_bills_pages_counted_in_it() -> None:
    assert source_summary(STATS) == LINES


def test_progress_line_counts_pages_done_of_those_requested(tmp_path: Path) -> None:
    ctx = RunContext(load_config(None, env={}))
    ctx.source("assembly_api").requests = 4
    ctx.source("bill_page").requests = 2
    ctx.page_done("assembly_api")
    ctx.page_done("assembly_api")
    assert ctx.progress_line() == "progress: assembly_api 2/4 pages, bill_page 0/2 pages"


def test_the_daemon_logs_the_lines_of_each_cycle(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "tracker.db"
    config_file = tmp_path / "tracker.toml"
    config_file.write_text(f'[tracker]\ndb = "{db.as_posix()}"\n', encoding="utf-8")
    store = open_store(db)
    store.runs.finish(store.runs.start(), "partial", STATS)
    store.close()
    with caplog.at_level(logging.INFO, logger="tracker.run"):
        Daemon(load_config(str(config_file), env={})).log_run()
    assert [r.getMessage() for r in caplog.records if r.name == "tracker.run"] == LINES


@pytest.mark.e2e
def test_check_prints_a_line_per_source_and_its_progress_with_v(env) -> None:
    result = env.tracker("-v", "check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    sources = [line.split(":")[0] for line in lines[:-1]]
    assert sources == ["assembly_api", "bill_page", "feed", "google_news", "naver_news"]
    pattern = r"[\w:./-]+: \d+ requests, \d+ items, \d+ changes, \d+ failures(, \d+ skipped)?"
    assert all(re.fullmatch(pattern, line) for line in lines[:-1]), lines
    assert lines[0] == "assembly_api: 3 requests, 2 items, 2 changes, 0 failures"
    assert re.fullmatch(
        r"run 1: ok, 2 change\(s\), \d+ alert\(s\) sent, 0 pending, 0 failed", lines[-1]
    )
    assert re.search(r"INFO tracker\.progress: progress: assembly_api \d+/\d+ pages", result.stderr)
    for boilerplate in ("Scrapy 2.", "Versions:", "Enabled extensions", "Overridden settings"):
        assert boilerplate not in result.stderr


@pytest.mark.e2e
def test_check_without_v_prints_the_lines_and_no_log(env) -> None:
    result = env.tracker("check")
    assert result.returncode == 0
    assert "progress" not in result.stderr
    assert result.stdout.splitlines()[0].startswith("assembly_api: 3 requests")
