"""``tracker notify --test`` against the fake Slack and a real SMTP server."""

from __future__ import annotations

import pytest

from tests.test_routes_end_to_end import configure_routes

pytestmark = pytest.mark.e2e


def test_every_channel_and_recipient_gets_one_test_message(env, slack, smtp_server):
    configure_routes(env, slack, smtp_server)
    text = env.config.read_text(encoding="utf-8").replace(
        'sender = "tracker@example.org"\n',
        'sender = "tracker@example.org"\nrecipients = ["digest@example.org"]\n',
    )
    env.config.write_text(text, encoding="utf-8")

    result = env.tracker("notify", "--test")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ok    Slack #tracker-ops",
        "ok    Slack #ulsan",
        "ok    Slack #pohang",
        "ok    Slack #haeoreum",
        "ok    email ulsan@example.org",
        "ok    email policy@ulsan.example.org",
        "ok    email digest@example.org",
    ]
    for channel in ("#tracker-ops", "#ulsan", "#pohang", "#haeoreum"):
        [message] = slack.texts_in(channel)
        assert message.startswith(f"🔔 tracker 알림 시험: Slack {channel}")
    assert "경로 울산" in slack.texts_in("#ulsan")[0]
    assert [rcpts for _, rcpts in smtp_server.envelopes] == [
        ["ulsan@example.org"],
        ["policy@ulsan.example.org"],
        ["digest@example.org"],
    ]
    assert smtp_server.messages[2]["Subject"] == "🔔 tracker 알림 시험: email digest@example.org"
    assert "주간 요약" in smtp_server.messages[2].get_body(("plain",)).get_content()
    assert not env.db.exists()  # a test message is not an alert: nothing is stored


def test_a_channel_slack_refuses_and_a_recipient_the_server_refuses_fail_on_their_line(
    env, slack, smtp_server
):
    configure_routes(env, slack, smtp_server)
    del slack.channels["pohang"]
    smtp_server.reply = "550 5.1.1 no such user"

    result = env.tracker("notify", "--test")

    assert result.returncode == 2  # the channel is the configuration's fault
    lines = result.stdout.splitlines()
    assert "ok    Slack #ulsan" in lines
    [pohang] = [line for line in lines if "#pohang" in line]
    assert pohang.startswith("FAIL  Slack #pohang: Slack refused #pohang (channel_not_found)")
    mail = [line for line in lines if line.startswith("FAIL  email")]
    assert len(mail) == 2 and all("550" in line for line in mail)


def test_a_passing_fault_exits_1(env, slack, smtp_server):
    smtp_server.reply = "451 4.3.0 try later"
    configure_routes(env, slack, smtp_server)

    result = env.tracker("notify", "--test")

    assert result.returncode == 1
    assert sum(line.startswith("FAIL  email") for line in result.stdout.splitlines()) == 2


def test_notify_without_test_is_a_usage_error(env):
    result = env.tracker("notify")
    assert result.returncode == 2 and "--test" in result.stderr
