"""Ctrl-C and SIGTERM end ``tracker check`` within seconds whatever a source does, and a
``tracker run`` killed with -9 leaves no check behind to block the next one."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Env
from tests.test_scheduler import output, start_daemon, wait_for, with_schedule
from tracker.locks import cycle_lock

pytestmark = pytest.mark.e2e


def runs(db: Path) -> list[tuple[int, str, str]]:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT id, status, coalesce(stats, '') FROM runs").fetchall()
    except sqlite3.OperationalError:
        return []


def hanging_source(env: Env, replica) -> None:
    """The Open API accepts the request and answers only after two minutes."""
    text = env.config.read_text(encoding="utf-8")
    env.config.write_text(
        text.replace("[tracker]\n", "[tracker]\ndownload_timeout = 300\n"), encoding="utf-8"
    )
    replica.assembly.fault = "slow"


def check_pids(config: Path) -> list[int]:
    """Processes running ``tracker check`` with this config (not waiting on standby)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except (OSError, IndexError):
            continue
        if state != "Z" and b"check" in args and str(config).encode() in args:
            pids.append(int(entry.name))
    return pids


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_ends_a_check_whose_source_hangs_within_seconds(env, replica, signum, code):
    hanging_source(env, replica)
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(env.config), "check"],
        cwd=env.path, env=env.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert wait_for(lambda: any(r[1] == "running" for r in runs(env.db)), timeout=60)
        assert wait_for(lambda: replica.requests("/portal/openapi/"), timeout=30)
        time.sleep(1)
        started = time.monotonic()
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert took < 5, f"took {took:.1f}s"
    assert process.returncode == code, err
    name = signal.Signals(signum).name
    assert err.strip().splitlines()[-1] == f"interrupted by {name}: run 1 closed as failed"
    assert "Traceback" not in err
    ((run_id, status, stats),) = runs(env.db)
    assert (run_id, status) == (1, "failed") and f"interrupted by {name}" in stats
    lock = cycle_lock(env.db)
    lock.acquire(0)  # free: the process took its lock with it
    lock.release()
    assert not check_pids(env.config)
    replica.assembly.fault = None
    assert env.tracker("check").returncode == 0


def test_a_daemon_killed_with_9_leaves_no_check_that_blocks_the_next_daemon(env, replica):
    hanging_source(env, replica)
    with_schedule(env, "\n[schedule]\ncheck_every_minutes = 0.0167\n")
    first = start_daemon(env)
    try:
        assert wait_for(lambda: any(r[1] == "running" for r in runs(env.db)), timeout=60)
        assert wait_for(lambda: check_pids(env.config), timeout=30)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        # Its check (in a session of its own, out of reach of the kill) ends by itself.
        assert wait_for(lambda: not check_pids(env.config), timeout=5), check_pids(env.config)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert [r[1] for r in runs(env.db)] == ["failed"]
    assert "is gone" in runs(env.db)[0][2]
    replica.assembly.fault = None
    second = start_daemon(env)
    try:
        assert wait_for(lambda: any(r[1] == "ok" for r in runs(env.db)), timeout=60)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    log = output(second)
    assert second.returncode == 0, log
    assert "exit code 4" not in log
    assert log.count("more often than once a minute") == 1
    assert runs(env.db)[1][1] == "ok", runs(env.db)
