"""``tracker run``: cycles on an interval, one daemon per database, hung cycles, clean stops."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tracker.demo.replica.assembly import advance
from tracker.demo.replica.scenario import HAEOREUM_ACT

pytestmark = pytest.mark.e2e


def query(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def start_daemon(env, *extra: str) -> subprocess.Popen[str]:
    # A file, not a pipe: nobody reads a pipe while the test waits, and a full pipe blocks.
    log = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (lives with the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(env.config), *extra, "run"],
        cwd=env.path,
        env=env.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.log = log  # type: ignore[attr-defined]
    return process


def output(process: subprocess.Popen[str]) -> str:
    process.log.seek(0)  # type: ignore[attr-defined]
    return process.log.read()  # type: ignore[attr-defined]


def wait_for(predicate, timeout: float = 60, poll: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll)
    return False


def runs_finished(db) -> int:
    try:
        return query(db, "SELECT count(*) FROM runs WHERE status != 'running'")[0][0]
    except sqlite3.OperationalError:
        return 0


def standby_pids(config) -> list[int]:
    """Processes waiting as the daemon's next check (``check --standby``) for this config."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--standby" in args and str(config).encode() in args:
            pids.append(int(entry.name))
    return pids


def with_schedule(env, text: str) -> None:
    env.config.write_text(env.config.read_text(encoding="utf-8") + text, encoding="utf-8")


def stop(daemon: subprocess.Popen[str]) -> tuple[int, float, str]:
    started = time.monotonic()
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=30)
    return daemon.returncode, time.monotonic() - started, output(daemon)


def test_daemon_runs_cycles_alerts_once_and_stops_on_sigterm(env, replica, slack):
    with_schedule(env, "\n[schedule]\ncheck_every_minutes = 0.0167\n")
    daemon = start_daemon(env)
    try:
        assert wait_for(lambda: runs_finished(env.db) >= 2), "no cycles ran"
        advance(replica.assembly.row(HAEOREUM_ACT), "passed", "2026-11-20")
        assert wait_for(lambda: any("본회의 의결" in t for t in slack.texts))
        seen = runs_finished(env.db)
        assert wait_for(lambda: runs_finished(env.db) >= seen + 2)
        assert wait_for(lambda: standby_pids(env.config)), "no check process waits on standby"
    finally:
        code, took, out = stop(daemon)
    assert code == 0, out
    assert took < 5
    assert wait_for(lambda: not standby_pids(env.config), timeout=5)
    assert sum("본회의 의결" in t for t in slack.texts) == 1
    assert "next check at" in out
    assert query(env.db, "SELECT count(*) FROM runs WHERE status = 'running'") == [(0,)]


def test_second_daemon_on_the_same_database_refuses(env):
    with_schedule(env, "\n[schedule]\ncheck_every_minutes = 0.05\n")
    first = start_daemon(env)
    try:
        assert wait_for(lambda: runs_finished(env.db) >= 1)
        second = start_daemon(env)
        second.wait(timeout=30)
        out = output(second)
        assert second.returncode == 4
        assert "another tracker is working on this database" in out
        assert len(out.strip().splitlines()) == 1
    finally:
        code, _, _ = stop(first)
    assert code == 0


def test_check_waits_for_or_refuses_a_running_check(env):
    from tracker.locks import cycle_lock

    lock = cycle_lock(env.db)
    lock.acquire()
    try:
        result = env.tracker("check", "--wait", "0.5")
    finally:
        lock.release()
    assert result.returncode == 4
    assert "another tracker is working on this database" in result.stderr
    assert env.tracker("check").returncode == 0


def test_hung_cycle_is_killed_recorded_and_the_next_cycle_runs(env, replica):
    with_schedule(env, "\n[schedule]\ncheck_every_minutes = 0.0167\n")
    text = env.config.read_text(encoding="utf-8")
    text = text.replace(
        "[tracker]\n", "[tracker]\ncrawl_timeout_seconds = 4\ndownload_timeout = 60\n"
    )
    env.config.write_text(text, encoding="utf-8")
    replica.assembly.fault = "slow"
    daemon = start_daemon(env)
    try:
        assert wait_for(lambda: runs_finished(env.db) >= 1, timeout=30)
        replica.assembly.fault = None
        assert wait_for(
            lambda: query(env.db, "SELECT count(*) FROM runs WHERE status = 'ok'")[0][0] >= 1,
            timeout=30,
        )
    finally:
        code, _, out = stop(daemon)
    assert code == 0, out
    failed = query(env.db, "SELECT stats FROM runs WHERE status = 'failed' ORDER BY id LIMIT 1")
    assert failed and "timed out after 4s" in failed[0][0]


def test_source_down_for_five_cycles_alerts_once_and_recovers_once(env, replica, slack):
    assert env.tracker("check").returncode == 0
    replica.assembly.fault = "http500"
    for _ in range(5):
        assert env.tracker("check").returncode == 3
    replica.assembly.fault = None
    assert env.tracker("check").returncode == 0
    assert env.tracker("check").returncode == 0
    failures = [t for t in slack.texts if "수집 실패" in t]
    recoveries = [t for t in slack.texts if "수집 복구" in t]
    assert len(failures) == 1 and len(recoveries) == 1
    assert "국회 Open API" in failures[0]


def test_missed_digest_is_sent_once_on_start_and_not_again_on_restart(tmp_path, smtp_server):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from tracker.config import load_config
    from tracker.domain.bills import BillRecord
    from tracker.scheduler import Daemon
    from tracker.store.database import open_store

    db = tmp_path / "tracker.db"
    config_file = tmp_path / "tracker.toml"
    config_file.write_text(
        f'[tracker]\ndb = "{db.as_posix()}"\n\n[email]\nsmtp_host = "{smtp_server.host}"\n'
        f'smtp_port = {smtp_server.port}\nrecipients = ["staff@example.org"]\n\n'
        '[schedule]\ndigest = "mon 09:00"\n',
        encoding="utf-8",
    )
    kst = ZoneInfo("Asia/Seoul")
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=kst), tick=False):
        store = open_store(db)
        store.bills.apply_bill(
            BillRecord(HAEOREUM_ACT, "assembly_api", stage="committee_review", result=None,
                       title="해오름산업벨트 지원에 관한 특별법안", bill_no="2203257"),
            None,
        )  # fmt: skip
        store.close()
    config = load_config(str(config_file), env={})

    # Down over Monday 2026-11-23 09:00; started again on Wednesday.
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=kst), tick=False):
        Daemon(config).catch_up_digest()
        assert len(smtp_server.messages) == 1
        text = smtp_server.messages[0].get_body(("plain",)).get_content()
        assert "해오름산업벨트 지원에 관한 특별법안" in text
    with time_machine.travel(datetime(2026, 11, 25, 11, 0, tzinfo=kst), tick=False):
        Daemon(config).catch_up_digest()
    assert len(smtp_server.messages) == 1
    assert query(db, "SELECT status, period_end FROM digests") == [
        ("sent", "2026-11-23T09:00:00+09:00")
    ]
