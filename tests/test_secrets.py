"""Secrets never reach logs, error output or the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.demo.replica.assembly import advance
from tracker.demo.replica.news import NAVER_CLIENT_ID
from tracker.demo.replica.news import NAVER_CLIENT_SECRET as NAVER_SECRET
from tracker.demo.replica.scenario import HAEOREUM_ACT

pytestmark = pytest.mark.e2e

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


RESERVED_KEY = "k+y/=&%?#;:@ $,[]'\"!*()~x"


def encodings(secret: str) -> list[str]:
    from urllib.parse import quote, quote_plus

    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    return sorted(forms | {form.lower() for form in forms if "%" in form})


def test_a_key_of_reserved_characters_appears_in_no_encoding_anywhere(env, replica, slack):
    replica.assembly.api_key = RESERVED_KEY
    env.env.update(ASSEMBLY_API_KEY=RESERVED_KEY)
    text = env.config.read_text(encoding="utf-8")
    text = text.replace("download_delay = 0", "download_delay = 0\ndownload_timeout = 1")
    env.config.write_text(text + "\n[schedule]\nfailure_threshold = 1\n", encoding="utf-8")
    outputs = [env.tracker("-vv", "check")]
    assert outputs[0].returncode == 0, outputs[0].stderr[-2000:]
    assert "KEY=***" in outputs[0].stderr  # the request lines are logged, the key masked
    replica.assembly.fault = "slow"  # the timeout's message carries the whole request URL
    outputs.append(env.tracker("check"))
    outputs.append(env.tracker("-v", "check"))
    assert outputs[-1].returncode == 3
    alerts = [m for m in slack.messages if "assembly_api" in json.dumps(m, ensure_ascii=False)]
    assert alerts, "the source failure was not alerted"

    places = {
        "output": "".join(o.stdout + o.stderr for o in outputs),
        "database": database_bytes(env.db).decode("utf-8", "replace"),
        "slack": json.dumps(slack.messages, ensure_ascii=False),
    }
    assert "took longer than" in places["database"]  # the message is there, scrubbed
    for form in encodings(RESERVED_KEY):
        for place, content in places.items():
            assert form not in content, f"{form!r} in the {place}"
