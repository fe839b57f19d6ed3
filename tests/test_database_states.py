"""A database tracker cannot use is one line and exit 2 (3 once a run started), never a
traceback, a write to a newer schema or a daemon that loops."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import Env
from tracker.demo.replica.scenario import HAEOREUM_ACT

pytestmark = pytest.mark.e2e

NOBODY = 65534


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if "ASSEMBLY_API_KEY" not in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: database "), result.stderr
    return lines[0]


def runs(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, status FROM runs ORDER BY id").fetchall()


@pytest.mark.parametrize("command", [("check",), ("digest", "--dry-run"), ("run",)])
def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(env: Env, command):
    env.db.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 100)
    before = env.db.read_bytes()
    result = env.tracker(*command, timeout=60)
    assert result.returncode == 2
    assert "is not a SQLite database" in one_error_line(result)
    assert str(env.db.name) in result.stderr
    assert env.db.read_bytes() == before


def test_a_database_from_a_newer_tracker_is_not_written(env: Env):
    with sqlite3.connect(env.db) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute("PRAGMA user_version = 99")
    result = env.tracker("check")
    assert result.returncode == 2
    assert "newer tracker (schema version 99; this one knows up to" in one_error_line(result)
    with sqlite3.connect(env.db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
        assert conn.execute("PRAGMA user_version").fetchone() == (99,)
    assert tables == ["future"]


def as_unprivileged_user() -> tuple[str, dict[str, str], object]:
    """Interpreter, extra environment and preexec function to run tracker as a user whom
    file modes bind: as root, the user nobody with the system's Python of the same version
    (this one may live where nobody cannot read) and this environment's packages."""
    if os.geteuid() != 0:
        return sys.executable, {}, None
    system = shutil.which(
        f"python{sys.version_info.major}.{sys.version_info.minor}", path="/usr/bin"
    )
    if system is None:
        pytest.skip("running as root without a system Python to run as nobody")
    packages = [sysconfig.get_paths()["purelib"], str(Path(__file__).parents[1])]
    extra = {"PYTHONPATH": os.pathsep.join(packages)}

    def demote() -> None:
        os.setresuid(*[NOBODY] * 3)

    # A checkout in a private directory (mktemp -d makes one) is closed to nobody.
    probe = subprocess.run(
        [system, "-c", "import tracker.cli, scrapy"],
        env={**os.environ, **extra}, capture_output=True, text=True, preexec_fn=demote,
    )  # fmt: skip
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["?"])[-1]
        pytest.skip(f"the user nobody cannot import tracker from this checkout: {reason}")
    return system, extra, demote


@pytest.mark.parametrize(
    ("locked", "command"), [("file", "check"), ("directory", "check"), ("file", "digest")]
)
def test_a_read_only_database_is_one_line(env: Env, locked: str, command: str):
    assert env.tracker("check").returncode == 0
    python, extra, demote = as_unprivileged_user()
    shared = Path(tempfile.mkdtemp(prefix="tracker-ro-"))
    try:
        if command == "digest":  # a digest to send: it is recorded first
            with (env.path / "tracker.toml").open("a", encoding="utf-8") as config:
                config.write('\n[email]\nrecipients = ["staff@example.org"]\nsmtp_port = 9\n')
        for name in ("tracker.db", "tracker.toml"):
            shutil.copy(env.path / name, shared / name)
            os.chmod(shared / name, 0o444 if locked == "file" else 0o644)
        if locked == "file":
            # The lock files may be made, the database not written.
            os.chmod(shared, 0o777)
        else:
            for name in ("tracker.db.check.lock",):
                (shared / name).touch(mode=0o666)
                os.chmod(shared / name, 0o666)
            os.chmod(shared, 0o555)
        result = subprocess.run(
            [python, "-m", "tracker", "--config", str(shared / "tracker.toml"), command],
            cwd=shared, env={**env.env, **extra, "TRACKER_DB": str(shared / "tracker.db")},
            capture_output=True, text=True, timeout=60, preexec_fn=demote,
        )  # fmt: skip
    finally:
        os.chmod(shared, 0o755)
        shutil.rmtree(shared)
    assert result.returncode == 2, result.stderr
    line = one_error_line(result)
    assert "cannot be written" in line or "cannot be opened" in line, line


def test_a_database_locked_past_the_wait_is_one_line_and_exit_2(env: Env):
    assert env.tracker("check").returncode == 0
    holder = sqlite3.connect(env.db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        result = env.tracker("check", timeout=120)
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 2
    assert "is locked by another process (waited 30 s)" in one_error_line(result)
    assert 29 < waited < 90
    assert runs(env.db) == [(1, "ok")]


def test_a_full_disk_during_a_run_is_one_line_exit_3_and_the_run_ends_failed(env: Env, replica):
    assert env.tracker("check").returncode == 0
    replica.advance(HAEOREUM_ACT, "passed", "2026-11-20")
    # Files may not grow past this: the write-ahead log fills up during the run.
    limit = env.db.stat().st_size // 2 + 16384

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(env.config), "check"],
        cwd=env.path, env=env.env, capture_output=True, text=True, timeout=120,
        preexec_fn=full_disk,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot be read or written" in result.stderr or "disk is full" in result.stderr
    # Never left running: closed as failed by this run, or by the next when the database took
    # no write at all; a run already recorded (the disk filled while its alerts went out)
    # keeps its record.
    assert env.tracker("check").returncode == 0
    statuses = [status for _, status in runs(env.db)]
    assert statuses[0] == statuses[2] == "ok" and statuses[1] in ("ok", "failed")


def test_the_daemon_stops_on_a_database_it_can_no_longer_use(env: Env):
    env.config.write_text(
        env.config.read_text(encoding="utf-8") + "\n[schedule]\ncheck_every_minutes = 0.0167\n",
        encoding="utf-8",
    )
    daemon = subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(env.config), "run"],
        cwd=env.path, env=env.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (env.db.exists() and runs(env.db)) and time.monotonic() < deadline:
            time.sleep(0.2)
        for path in env.path.glob("tracker.db*"):
            if not path.name.endswith(".lock"):
                path.unlink()
        env.db.write_bytes(b"garbage" * 1000)
        code = daemon.wait(timeout=60)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    out = daemon.stdout.read() if daemon.stdout else ""
    assert code == 2, out
    assert "is not a SQLite database: stopping" in out
    assert "Traceback" not in out
