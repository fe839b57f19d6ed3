"""Secrets never reach logs, error output or the database."""

from __future__ import annotations

from pathlib import Path

from tracker.replica.assembly import advance
from tracker.replica.news import NAVER_CLIENT_ID
from tracker.replica.news import NAVER_CLIENT_SECRET as NAVER_SECRET
from tracker.replica.scenario import HAEOREUM_ACT

API_KEY = "assembly-key-7d1f0c93e2"
SMTP_PASSWORD = "smtp-pass-41aa9e07"


def database_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def test_secrets_appear_in_no_log_output_or_database(env, replica, slack):
    replica.assembly.api_key = API_KEY
    slack.token = "xoxb-secret-token-9f3e2d"
    env.env.update(
        ASSEMBLY_API_KEY=API_KEY,
        SLACK_BOT_TOKEN=slack.token,
        SMTP_PASSWORD=SMTP_PASSWORD,
        NAVER_CLIENT_ID=NAVER_CLIENT_ID,
        NAVER_CLIENT_SECRET=NAVER_SECRET,
    )
    outputs = [env.tracker("-vv", "check")]
    assert outputs[0].returncode == 0, outputs[0].stderr[-2000:]
    assert "KEY=***" in outputs[0].stderr  # the request log lines are there, scrubbed
    advance(replica.assembly.row(HAEOREUM_ACT), "passed", "2026-11-20")
    slack.failures = [500, 500]
    outputs.append(env.tracker("-vv", "check"))
    replica.assembly.fault = "error290"
    outputs.append(env.tracker("-vv", "check"))
    replica.assembly.fault = "http500"
    outputs.append(env.tracker("-vv", "check"))
    assert outputs[-1].returncode == 3

    secrets = [API_KEY, slack.token, SMTP_PASSWORD, NAVER_SECRET]
    text = "".join(o.stdout + o.stderr for o in outputs)
    stored = database_bytes(env.db)
    for secret in secrets:
        assert secret not in text
        assert secret.encode() not in stored
