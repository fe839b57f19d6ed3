"""Shared fixtures: the replica sources and a fake Slack on 127.0.0.1, real SQLite files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.smtp_server import free_port, smtp_server  # noqa: F401  (fixtures)
from tracker.demo.replica.news import NAVER_CLIENT_ID, NAVER_CLIENT_SECRET
from tracker.demo.replica.scenario import initial_rows
from tracker.demo.replica.slack import FakeSlack
from tracker.demo.replica.sources import Replica

# Fixtures that start a server or a process: a test using one is end to end.
END_TO_END_FIXTURES = frozenset({"env", "replica", "slack", "smtp_server", "demo", "demo_db"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse an end-to-end fixture in a test not marked ``e2e``: it would slow the fast lane."""
    unmarked = [
        item.nodeid
        for item in items
        if END_TO_END_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("e2e") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "tests using a server or process fixture must be marked @pytest.mark.e2e: "
            + ", ".join(unmarked)
        )


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


@dataclass
class Demo:
    """A ``tracker demo --keep-serving`` that has played its story and now serves."""

    out: Path
    log: Path
    seconds: float  # from the start of the command until it served

    @property
    def db(self) -> Path:
        return self.out / "tracker.db"

    @property
    def config(self) -> Path:
        return self.out / "tracker.toml"

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The real ``tracker demo --keep-serving`` (played once per session; treat its files as
    read-only); SIGTERM at the end of the session must stop it with exit 0."""
    out = tmp_path_factory.mktemp("demo")
    log = out / "demo.log"
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "tracker", "demo", "--keep-serving", "--out", str(out)],
            cwd=out,
            env=clean_env(),
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    demo = Demo(out, log, 0.0)
    try:
        while "Serving until Ctrl-C" not in demo.output:
            assert process.poll() is None, demo.output
            assert time.monotonic() - started < 300, "the demo did not finish in 5 minutes"
            time.sleep(0.2)
        demo.seconds = time.monotonic() - started
        yield demo
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert code == 0, demo.output


@pytest.fixture(scope="session")
def demo_db(demo: Demo) -> Path:
    """The database ``tracker demo`` writes (treat it as read-only)."""
    return demo.db


@pytest.fixture
def env(tmp_path: Path, replica: Replica, slack: FakeSlack) -> Env:
    db = tmp_path / "tracker.db"
    config = tmp_path / "tracker.toml"
    # Most tests follow one bill through several cycles: its pages are read every cycle.
    config.write_text(
        replica.config_toml(db, slack.api_base, pages_every_cycle=True), encoding="utf-8"
    )
    secrets = clean_env(
        SLACK_BOT_TOKEN=slack.token,
        NAVER_CLIENT_ID=NAVER_CLIENT_ID,
        NAVER_CLIENT_SECRET=NAVER_CLIENT_SECRET,
    )
    return Env(tmp_path, config, db, secrets)
