"""The command line as users meet it: help for every command, init, config errors."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import clean_env
from tracker.cli import cli
from tracker.config import load_config

COMMANDS = sorted(cli.commands)


def test_every_contract_command_exists():
    assert set(COMMANDS) >= {"check", "run", "digest", "query", "browse", "demo", "init"}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_text(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert cli.commands[command].help, f"{command} has no help text"
    assert "Usage:" in result.output


def test_init_writes_a_config_that_loads_with_the_defaults(tmp_path):
    target = tmp_path / "tracker.toml"
    result = CliRunner().invoke(cli, ["init", "--path", str(target)])
    assert result.exit_code == 0, result.output
    config = load_config(str(target), env={})
    assert config.watch.keywords == ["해오름 산업벨트", "해오름동맹"]
    assert config.schedule.digest == "mon 09:00"
    assert "SLACK_BOT_TOKEN" in target.read_text(encoding="utf-8")


@pytest.mark.e2e
def test_init_refuses_to_overwrite(tmp_path):
    target = tmp_path / "tracker.toml"
    target.write_text("# mine\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "init", "--path", str(target)],
        capture_output=True, text=True, env=clean_env(),
    )  # fmt: skip
    assert result.returncode == 2
    assert "exists" in result.stderr
    assert target.read_text(encoding="utf-8") == "# mine\n"


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[tracker]\ntimezone = "Mars/Olympus"\n', "tracker.timezone"),
        ('[watch]\nages = ["22"]\n', "watch.ages[0]"),
        ('[schedule]\ndigest = "someday"\n', "schedule.digest"),
        ("[email]\nsmtp_port = true\n", "email.smtp_port"),
        ('[slak]\nchannel = "#x"\n', "slak"),
        ("not toml at all [", "invalid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(tmp_path, text, key):
    config = tmp_path / "tracker.toml"
    config.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), "check"],
        capture_output=True, text=True, env=clean_env(), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert key in result.stderr


def test_tracker_db_environment_overrides_the_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None, env={"TRACKER_DB": str(tmp_path / "x.db")})
    assert config.tracker.db == str(tmp_path / "x.db")


def run_tracker(*args: str, cwd, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True, text=True, env=clean_env(**env), cwd=cwd, timeout=60,
    )  # fmt: skip


@pytest.mark.e2e
def test_tracker_alone_prints_usage_and_exits_0(tmp_path):
    result = run_tracker(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: ")
    assert "alerts" in result.stdout


@pytest.mark.e2e
def test_init_into_a_missing_directory_is_one_line(tmp_path):
    target = tmp_path / "missing" / "tracker.toml"
    result = run_tracker("init", "--path", str(target), cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "missing" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.e2e
def test_without_a_config_file_the_defaults_in_use_are_named(tmp_path):
    # The database path is refused before anything is crawled: no request leaves.
    db = tmp_path / "nowhere" / "tracker.db"
    result = run_tracker("check", cwd=tmp_path, TRACKER_DB=str(db))
    assert result.returncode == 2
    note, error = result.stderr.strip().splitlines()
    assert note.startswith("note: no config file")
    assert "built-in defaults" in note and str(db) in note and "tracker init" in note
    assert error.startswith("error: the database's directory does not exist")


@pytest.mark.e2e
def test_browse_on_a_busy_port_is_a_usage_error(tmp_path):
    db = tmp_path / "tracker.db"
    sqlite3.connect(db).close()
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = run_tracker(
            "browse", "--no-open", "--port", str(port), cwd=tmp_path, TRACKER_DB=str(db)
        )
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"127.0.0.1:{port}" in line and "--port" in line
