"""Timed check cycles: ``tracker check`` by hand, and the cycles of ``tracker run``."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bench._term import API_KEY, write_config
from tracker.demo.replica.sources import Replica
from tracker.scheduler import CheckProcess
from tracker.timeutil import CLOCK_ENV, now

HISTORY_TABLES = ("bill_changes", "alerts", "bill_events")
CHECK_TIMEOUT = 600
STEADY_CYCLES = 12
IDLE_CYCLES = 3


@dataclass
class Cycle:
    seconds: float
    requests: int
    cpu_seconds: float | None
    server_cpu_seconds: float
    peak_rss_mb: float | None
    history_rows: dict[str, int]

    @property
    def pages_per_second(self) -> float:
        return self.requests / self.seconds


def _history(db: Path) -> dict[str, int]:
    if not db.exists():
        return dict.fromkeys(HISTORY_TABLES, 0)
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in HISTORY_TABLES}


def _check_env(clock: datetime | None) -> dict[str, str]:
    """The environment of a check: no notifier or tracker settings from ours, the API key, and
    ``clock`` as the time it runs at."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "SMTP_", "NAVER_", "TRACKER_"))
    }
    env["ASSEMBLY_API_KEY"] = API_KEY
    if clock:
        env[CLOCK_ENV] = clock.isoformat()
    return env


def run_check(replica: Replica, workdir: Path, *args: str, clock: datetime | None = None) -> Cycle:
    """One ``tracker check`` subprocess, timed; its CPU time and peak RSS from ``wait4``.
    ``clock`` runs it at that time (``$TRACKER_CLOCK``) instead of now."""
    db = workdir / "tracker.db"
    before = _history(db)
    served = len(replica.server.log)  # type: ignore[union-attr]
    env = _check_env(clock)
    command = [sys.executable, "-m", "tracker", "--config", str(workdir / "tracker.toml")]
    server_cpu = time.process_time()
    started = time.perf_counter()
    # stderr to a file: a pipe nobody reads while waiting would fill up and block the check.
    with (
        tempfile.TemporaryFile() as stderr,
        subprocess.Popen(
            [*command, "check", *args],
            cwd=workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        ) as proc,
    ):
        timer = threading.Timer(CHECK_TIMEOUT, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        seconds = time.perf_counter() - started
        server_cpu = time.process_time() - server_cpu
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        errors = stderr.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"tracker check {' '.join(args)} exited {proc.returncode}:\n{errors}")
    after = _history(db)
    return Cycle(
        seconds,
        len(replica.server.log) - served,  # type: ignore[union-attr]
        usage.ru_utime + usage.ru_stime,
        server_cpu,
        usage.ru_maxrss / 1024,
        {t: after[t] - before[t] for t in HISTORY_TABLES},
    )


@dataclass
class _BenchCheckProcess(CheckProcess):
    """The daemon's check process, asked for a full scan when ``full`` (the daemon never is)."""

    full: bool = False

    def command(self) -> list[str]:
        return [*super().command(), *(["--full"] if self.full else [])]


@contextmanager
def _stdout_to_devnull() -> Iterator[None]:
    """Children started meanwhile print (the run line, console alerts) to /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def run_standby(
    replica: Replica, workdir: Path, full: bool = False, clock: datetime | None = None
) -> Cycle:
    """One cycle as ``tracker run`` runs it: the check process started ahead and ready, timed
    from *go* to its exit."""
    from tracker.config import load_config

    environ = _check_env(clock)
    config = load_config(str(workdir / "tracker.toml"), env=environ)
    checks = _BenchCheckProcess(config, CHECK_TIMEOUT, environ=environ, full=full)
    db = workdir / "tracker.db"
    before = _history(db)
    with _stdout_to_devnull():
        standby = checks.prepare()
    assert standby is not None
    if not standby.ready(CHECK_TIMEOUT):
        raise SystemExit("the standby check process did not get ready")
    served = len(replica.server.log)  # type: ignore[union-attr]
    server_cpu = time.process_time()
    started = time.perf_counter()
    code = checks.run()
    seconds = time.perf_counter() - started
    server_cpu = time.process_time() - server_cpu
    checks.close()
    if code != 0:
        raise SystemExit(f"the standby check exited {code}")
    after = _history(db)
    return Cycle(
        seconds,
        len(replica.server.log) - served,  # type: ignore[union-attr]
        None,
        server_cpu,
        None,
        {t: after[t] - before[t] for t in HISTORY_TABLES},
    )


def daemon_cycles(replica: Replica, workdir: Path) -> tuple[Cycle, list[Cycle], list[Cycle]]:
    """A full scan, ``IDLE_CYCLES`` idle cycles right after it and the ``STEADY_CYCLES`` idle
    cycles that follow at the configured check interval, each as ``tracker run`` runs it,
    against a fresh database."""
    from tracker.config import load_config

    workdir.mkdir()
    config_path = write_config(replica, workdir)
    config = load_config(str(config_path), env={"ASSEMBLY_API_KEY": API_KEY})
    every = timedelta(minutes=config.schedule.check_every_minutes)
    full = run_standby(replica, workdir, full=True)
    idles = [run_standby(replica, workdir) for _ in range(IDLE_CYCLES)]
    start = now(config.tracker.timezone)
    steady = [
        run_standby(replica, workdir, clock=start + every * k) for k in range(1, STEADY_CYCLES + 1)
    ]
    return full, idles, steady
