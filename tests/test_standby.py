"""The daemon's standby check process: imports done ahead, config read on ``go``."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys

import pytest

from tracker.config import load_config
from tracker.crawl import runner as crawl
from tracker.scheduler import CheckProcess
from tracker.standby import GO, READY, wait_for_go

READY_TIMEOUT = 60


def runs(db) -> list[str]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT status FROM runs ORDER BY id")]


@pytest.fixture
def checks(env):
    process = CheckProcess(load_config(str(env.config), env=env.env), 120, environ=env.env)
    yield process
    process.close()


@pytest.mark.e2e
def test_standby_imports_first_and_runs_the_check_on_go(env, checks):
    standby = checks.prepare()
    assert standby is not None
    assert standby.ready(READY_TIMEOUT)
    assert runs(env.db) == []
    assert standby.process.poll() is None
    assert checks.run() == 0
    assert runs(env.db) == ["ok"]


@pytest.mark.e2e
def test_config_is_read_on_go_not_when_the_process_starts(env, checks):
    assert checks.prepare().ready(READY_TIMEOUT)
    env.config.write_text("[tracker\n", encoding="utf-8")
    assert checks.run() == 2
    assert runs(env.db) == []


@pytest.mark.e2e
def test_a_standby_that_died_is_replaced_by_a_fresh_process(env, checks):
    standby = checks.prepare()
    standby.process.send_signal(signal.SIGKILL)
    standby.process.wait()
    assert checks.run() == 0
    assert runs(env.db) == ["ok"]


@pytest.mark.e2e
def test_close_ends_the_standby_without_a_run_and_starts_no_other(env, checks):
    standby = checks.prepare()
    assert standby.ready(READY_TIMEOUT)
    checks.close()
    assert standby.process.poll() is not None
    assert checks.prepare() is None
    assert checks.run() is None
    assert runs(env.db) == []


@pytest.mark.e2e
def test_standby_by_hand_is_a_usage_error(env):
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(env.config), "check", "--standby"],
        env=env.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "control socket" in result.stderr
    assert runs(env.db) == []


@pytest.fixture
def channel():
    ours, theirs = socket.socketpair()
    yield ours, theirs
    ours.close()
    theirs.close()


@pytest.mark.parametrize(("said", "runs_check"), [(b"go\n", True), (b"", False)])
def test_child_says_ready_then_goes_or_exits_when_the_channel_closes(
    channel, monkeypatch, said, runs_check
):
    ours, theirs = channel
    monkeypatch.setattr(crawl, "preload", lambda: None)
    ours.sendall(said)
    ours.shutdown(socket.SHUT_WR)
    assert wait_for_go(theirs.fileno()) is runs_check
    assert ours.recv(16) == READY


def test_a_failed_preload_only_costs_time(channel, monkeypatch, caplog):
    ours, theirs = channel

    def broken() -> None:
        raise ImportError("no module named scrapy.core.gone")

    monkeypatch.setattr(crawl, "preload", broken)
    ours.sendall(GO)
    assert wait_for_go(theirs.fileno()) is True
    assert ours.recv(16) == READY
    assert "preloading the crawl failed" in caplog.text


@pytest.mark.e2e
def test_preload_imports_what_a_crawl_loads():
    modules = (
        "scrapy.core.downloader.handlers.http11",
        "scrapy.downloadermiddlewares.cookies",
        "scrapy.extensions.throttle",
        "spiders.bill_pages",
        "tracker.crawl.pipeline",
    )
    code = (
        "import sys; from tracker.crawl.runner import preload; preload();"
        f" print([m for m in {modules!r} if m not in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
