"""Shared fixtures: the replica sources and a fake Slack on 127.0.0.1, real SQLite files."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.smtp_server import free_port, smtp_server  # noqa: F401  (fixtures)
from tracker.replica.news import NAVER_CLIENT_ID, NAVER_CLIENT_SECRET
from tracker.replica.scenario import initial_rows
from tracker.replica.slack import FakeSlack
from tracker.replica.sources import Replica


@pytest.fixture
def replica() -> Iterator[Replica]:
    source = Replica()
    for row in initial_rows():
        source.assembly.add(row)
    with source:
        yield source


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@dataclass
class Env:
    """A working directory with a config pointing at the replica and fake Slack."""

    path: Path
    config: Path
    db: Path
    env: dict[str, str]

    def tracker(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run the real ``tracker`` command line in a subprocess."""
        return subprocess.run(
            [sys.executable, "-m", "tracker", "--config", str(self.config), *args],
            cwd=self.path,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any real secret, plus ``extra``."""
    secret_names = (
        "ASSEMBLY_API_KEY", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "SMTP_PASSWORD",
        "NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET", "TRACKER_CONFIG", "TRACKER_DB",
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in secret_names}
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database ``tracker demo`` writes (made once per session; treat it as read-only)."""
    out = tmp_path_factory.mktemp("demo")
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "demo", "--out", str(out)],
        cwd=out,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out / "tracker.db"


@pytest.fixture
def env(tmp_path: Path, replica: Replica, slack: FakeSlack) -> Env:
    db = tmp_path / "tracker.db"
    config = tmp_path / "tracker.toml"
    config.write_text(replica.config_toml(db, slack.api_base), encoding="utf-8")
    secrets = clean_env(
        SLACK_BOT_TOKEN=slack.token,
        NAVER_CLIENT_ID=NAVER_CLIENT_ID,
        NAVER_CLIENT_SECRET=NAVER_CLIENT_SECRET,
    )
    return Env(tmp_path, config, db, secrets)
