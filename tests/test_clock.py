"""``$TRACKER_CLOCK``: one process's clock, in Python and in SQL."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import clean_env
from tracker.errors import ConfigError
from tracker.store.connection import connect
from tracker.store.database import open_store
from tracker.timeutil import CLOCK_ENV, now

STORY = "2026-06-01T09:00:00+09:00"


def test_the_clock_starts_at_the_given_time_and_runs_on(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(CLOCK_ENV, STORY)
    first, second = now(), now()
    assert 0 <= (first - datetime.fromisoformat(STORY)).total_seconds() < 5
    assert second >= first
    assert now("UTC").isoformat().endswith("+00:00")


def test_without_the_variable_the_clock_is_real(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(CLOCK_ENV, raising=False)
    assert abs((now() - datetime.now().astimezone()).total_seconds()) < 5


@pytest.mark.parametrize("value", ["yesterday", "2026-06-01T09:00:00"])
def test_a_clock_without_offset_or_not_a_time_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
):
    monkeypatch.setenv(CLOCK_ENV, value)
    with pytest.raises(ConfigError, match=CLOCK_ENV):
        now()


def test_sql_now_follows_the_clock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv(CLOCK_ENV, STORY)
    conn = connect(tmp_path / "t.db")
    row = conn.execute(
        "SELECT date('now'), date(), strftime('%Y-%m', 'now'), date('now', '+1 day'),"
        " date('2020-01-02'), julianday('now') - julianday('2026-06-01')"
    ).fetchone()
    assert row[:5] == ("2026-06-01", "2026-06-01", "2026-06", "2026-06-02", "2020-01-02")
    # Within the same millisecond as the clock started the difference is 0.
    assert 0 <= row[5] < 1


def test_stored_times_follow_the_clock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv(CLOCK_ENV, STORY)
    store = open_store(tmp_path / "t.db")
    run_id = store.runs.start()
    started = store.conn.execute("SELECT started_at FROM runs WHERE id = ?", [run_id]).fetchone()
    assert started[0].startswith("2026-06-01T09:00")
    store.close()


@pytest.mark.e2e
def test_the_cli_refuses_a_bad_clock_with_one_line(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "query", "SELECT 1"],
        cwd=tmp_path,
        env=clean_env(**{CLOCK_ENV: "soon"}),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr == f"error: ${CLOCK_ENV}: not an ISO 8601 time: 'soon'\n"
