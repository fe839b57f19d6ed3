"""Routes per team, one Slack thread per bill and email alerts, through the CLI against the
replica, the fake Slack and a real SMTP server."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tracker.demo.replica.assembly import advance, bill_row
from tracker.demo.replica.scenario import HAEOREUM_ACT, SECOND_ACT

pytestmark = pytest.mark.e2e

NEW_BILL = "PRC_N2E4W0B8I1L5L2R0O3U1T6E0S8T4"
CHANNELS = {"ulsan": "C0ULSAN001", "pohang": "C0POHANG01"}


def query(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def routes_config(smtp_server) -> str:
    return f"""
[email]
smtp_host = "{smtp_server.host}"
smtp_port = {smtp_server.port}
sender = "tracker@example.org"

[[routes]]
name = "울산"
bills = ["2203257"]
kinds = ["stage_change", "new_bill", "source_failure"]
channel = "#ulsan"
recipients = ["ulsan@example.org", "policy@ulsan.example.org"]

[[routes]]
name = "포항"
bills = ["육성"]
channel = "#pohang"

[[routes]]
name = "사무국"
bills = ["all"]
kinds = ["stage_change", "new_bill"]
channel = "#haeoreum"
"""


def configure_routes(env, slack, smtp_server) -> None:
    slack.channels.update(CHANNELS)
    text = env.config.read_text(encoding="utf-8").replace(
        "[slack]\n", '[slack]\nops_channel = "#tracker-ops"\n'
    )
    env.config.write_text(text + routes_config(smtp_server), encoding="utf-8")


def copies_arrived_once(env, slack) -> None:
    """Each Slack copy (and notice to the operator) arrived exactly once; the alerts handed
    to routes were never sent as they are."""
    rows = query(env.db, "SELECT dedupe_key, route, status FROM alerts")
    slack_copies = {k for k, route, _ in rows if route != "*" and ">mail:" not in k}
    counts = slack.count_by_key()
    assert set(counts) == slack_copies
    assert all(c == 1 for c in counts.values()), counts
    assert {status for *_, status in rows} == {"sent"}


def test_two_teams_get_their_own_bills_threads_and_email(env, replica, slack, smtp_server):
    configure_routes(env, slack, smtp_server)

    first = env.tracker("check")

    assert first.returncode == 0, first.stderr
    # The first run's summary: each team's channel lists only its bills.
    [ulsan] = slack.texts_in("#ulsan")
    [pohang] = slack.texts_in("#pohang")
    [office] = slack.texts_in("#haeoreum")
    assert ulsan.startswith("📋 1건 추적 시작") and "2203257" in ulsan and "2209418" not in ulsan
    assert pohang.startswith("📋 1건 추적 시작") and "2209418" in pohang
    assert "2203257" in office and "2209418" in office
    assert smtp_server.messages == []  # a summary is not emailed

    advance(replica.assembly.row(HAEOREUM_ACT), "judiciary_review", "2026-11-20")
    assert env.tracker("check").returncode == 0

    # The act's first message in each channel starts its thread there.
    [root] = [m for m in slack.in_channel("#ulsan") if "법사위" in m["text"]]
    assert "thread_ts" not in root
    assert "해오름산업벨트 지원에 관한 특별법안" in root["text"] and "2203257" in root["text"]
    assert len(slack.in_channel("#pohang")) == 1
    [mail] = smtp_server.messages
    assert mail["Subject"] == "[의안 2203257] 소관위 심사 → 법사위 체계자구심사"
    assert sorted(smtp_server.envelopes[0][1]) == [
        "policy@ulsan.example.org",
        "ulsan@example.org",
    ]
    assert mail.is_multipart()
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "법사위 체계자구심사" in plain and "해오름산업벨트 지원에 관한 특별법안" in plain
    assert 'href="http' in html and "2203257" in html

    advance(replica.assembly.row(HAEOREUM_ACT), "plenary", "2026-11-24")
    assert env.tracker("check").returncode == 0

    # The next stage replies in the thread and is broadcast to the channel.
    reply = slack.in_channel("#ulsan")[-1]
    assert "본회의 심의" in reply["text"]
    assert reply["thread_ts"] == root["ts"] and reply["subtype"] == "thread_broadcast"
    office_replies = [m for m in slack.in_channel("#haeoreum") if "→ 본회의 심의" in m["text"]]
    assert office_replies and office_replies[0]["thread_ts"] != root["ts"]  # its own thread
    threads = dict(
        query(
            env.db, "SELECT channel, thread_ts FROM slack_threads WHERE bill_id = ?", HAEOREUM_ACT
        )
    )
    assert threads["#ulsan"] == root["ts"] and set(threads) == {"#ulsan", "#haeoreum"}
    assert [m["Subject"] for m in smtp_server.messages][-1] == (
        "[의안 2203257] 법사위 체계자구심사 → 본회의 심의"
    )
    assert len(slack.in_channel("#pohang")) == 1
    copies_arrived_once(env, slack)
    routes = {r for (r,) in query(env.db, "SELECT DISTINCT route FROM alerts")}
    assert routes == {"*", "울산", "포항", "사무국"}


def test_a_new_bill_starts_its_thread_and_its_stage_changes_reply(env, replica, slack, smtp_server):
    configure_routes(env, slack, smtp_server)
    assert env.tracker("check").returncode == 0
    row = bill_row(
        NEW_BILL,
        "2219001",
        "해오름 산업벨트 육성 특별법 일부개정법률안",
        "이의원 등 10인",
        "2026-11-20",
    )
    replica.assembly.add(row)
    assert env.tracker("check").returncode == 0
    [root] = [m for m in slack.in_channel("#pohang") if "2219001" in m["text"]]
    assert root["text"].startswith("🆕 새 의안") and "thread_ts" not in root

    advance(row, "committee_review", "2026-11-23")
    assert env.tracker("check").returncode == 0

    [reply] = [m for m in slack.in_channel("#pohang") if m.get("thread_ts") == root["ts"]]
    assert reply["text"].startswith("📌 의안 상태 변경") and "2219001" in reply["text"]
    assert reply["subtype"] == "thread_broadcast"
    # The Ulsan route follows 2203257 only: neither message went there.
    assert not [t for t in slack.texts_in("#ulsan") if "2219001" in t]
    copies_arrived_once(env, slack)


def test_a_thread_slack_no_longer_knows_gives_way_to_a_new_one(env, replica, slack, smtp_server):
    configure_routes(env, slack, smtp_server)
    assert env.tracker("check").returncode == 0
    advance(replica.assembly.row(SECOND_ACT), "judiciary_review", "2026-11-20")
    assert env.tracker("check").returncode == 0
    # The thread's first message was deleted in Slack.
    with sqlite3.connect(env.db) as conn:
        conn.execute("UPDATE slack_threads SET thread_ts = '1000000000.000100'")
    advance(replica.assembly.row(SECOND_ACT), "plenary", "2026-11-24")

    assert env.tracker("check").returncode == 0

    last = slack.in_channel("#pohang")[-1]
    assert "본회의 심의" in last["text"] and "thread_ts" not in last
    [(ts,)] = query(env.db, "SELECT thread_ts FROM slack_threads WHERE channel = '#pohang'")
    assert ts == last["ts"]
    copies_arrived_once(env, slack)


def test_source_failures_go_to_ops_and_the_routes_that_ask(env, replica, slack, smtp_server):
    configure_routes(env, slack, smtp_server)
    with env.config.open("a", encoding="utf-8") as f:
        f.write("\n[schedule]\nfailure_threshold = 1\n")
    assert env.tracker("check").returncode == 0
    replica.assembly.fault = "http500"

    assert env.tracker("check").returncode == 3

    assert slack.texts_in("#tracker-ops")[-1].startswith("🚨 수집 실패: 국회 Open API")
    assert slack.texts_in("#ulsan")[-1].startswith("🚨 수집 실패: 국회 Open API")
    assert all(
        "수집 실패" not in t for t in slack.texts_in("#pohang") + slack.texts_in("#haeoreum")
    )
    assert smtp_server.messages == []  # the route emails stage changes only
    copies_arrived_once(env, slack)


def test_an_smtp_server_down_holds_up_the_email_copies_only(env, replica, slack, smtp_server):
    configure_routes(env, slack, smtp_server)
    assert env.tracker("check").returncode == 0
    smtp_server.reply = "451 4.3.0 try again later"
    advance(replica.assembly.row(HAEOREUM_ACT), "judiciary_review", "2026-11-20")

    assert env.tracker("check").returncode == 0

    assert any("법사위" in t for t in slack.texts_in("#ulsan"))
    [(status, error)] = query(
        env.db, "SELECT status, last_error FROM alerts WHERE dedupe_key LIKE '%>mail:%'"
    )
    assert status == "pending" and "451" in error
    smtp_server.reply = None
    assert env.tracker("check").returncode == 0
    assert [m["Subject"] for m in smtp_server.messages] == [
        "[의안 2203257] 소관위 심사 → 법사위 체계자구심사"
    ]
    copies_arrived_once(env, slack)


def test_a_route_with_an_unknown_kind_is_refused_naming_the_key(env, slack, smtp_server):
    configure_routes(env, slack, smtp_server)
    text = env.config.read_text(encoding="utf-8").replace(
        'kinds = ["stage_change", "new_bill"]', 'kinds = ["stage_change", "votes"]'
    )
    env.config.write_text(text, encoding="utf-8")

    result = env.tracker("check")

    assert result.returncode == 2
    assert "routes[2].kinds[1]" in result.stderr and "meeting" in result.stderr
    assert not env.db.exists()


def test_without_routes_the_one_channel_gets_threads_too(env, replica, slack):
    assert env.tracker("check").returncode == 0
    advance(replica.assembly.row(HAEOREUM_ACT), "judiciary_review", "2026-11-20")
    assert env.tracker("check").returncode == 0
    advance(replica.assembly.row(HAEOREUM_ACT), "plenary", "2026-11-24")
    assert env.tracker("check").returncode == 0

    root, reply = [m for m in slack.in_channel("#haeoreum") if "2203257" in m["text"]][-2:]
    assert reply["thread_ts"] == root["ts"] and reply["subtype"] == "thread_broadcast"
    assert query(env.db, "SELECT DISTINCT route FROM alerts") == [(None,)]
    counts = slack.count_by_key()
    assert all(c == 1 for c in counts.values())
    assert set(counts) == {k for (k,) in query(env.db, "SELECT dedupe_key FROM alerts")}
    assert json.loads(query(env.db, "SELECT payload FROM alerts WHERE kind = 'summary'")[0][0])


def test_a_route_channel_slack_refuses_is_reported_in_ops_and_waits(
    env, replica, slack, smtp_server
):
    configure_routes(env, slack, smtp_server)
    slack.joined = {"C0HAEOREUM", "C0TRACKOPS", "C0ULSAN001"}  # not invited to #pohang
    first = env.tracker("check")

    assert first.returncode == 2
    assert "not a member of #pohang" in first.stderr
    [notice] = slack.texts_in("#tracker-ops")
    assert notice.startswith("⚠️ 알림 전송 문제: #pohang")
    assert slack.texts_in("#ulsan") and slack.texts_in("#haeoreum")
    [(status,)] = query(env.db, "SELECT status FROM alerts WHERE dedupe_key LIKE '%>#pohang'")
    assert status == "pending"
    [waiting] = [line for line in env.tracker("alerts").stdout.splitlines() if "#pohang" in line]
    assert "1건 추적 시작 → #pohang (포항)" in waiting and "not a member" in waiting

    slack.joined = None
    assert env.tracker("check").returncode == 0
    assert slack.texts_in("#pohang")[0].startswith("📋 1건 추적 시작")
    copies_arrived_once(env, slack)


def test_a_refused_smtp_login_waits_exits_2_and_tells_the_operator(
    env, replica, slack, smtp_server
):
    configure_routes(env, slack, smtp_server)
    text = env.config.read_text(encoding="utf-8").replace(
        'sender = "tracker@example.org"\n', 'sender = "tracker@example.org"\nusername = "tracker"\n'
    )
    env.config.write_text(text, encoding="utf-8")
    env.env["SMTP_PASSWORD"] = "wrong"
    assert env.tracker("check").returncode == 0
    advance(replica.assembly.row(HAEOREUM_ACT), "judiciary_review", "2026-11-20")

    result = env.tracker("check")

    assert result.returncode == 2
    assert "check [email] username and $SMTP_PASSWORD" in result.stderr
    assert "wrong" not in result.stderr
    assert slack.texts_in("#tracker-ops")[-1].startswith("⚠️ 알림 전송 문제: email")
    assert any("법사위" in t for t in slack.texts_in("#ulsan"))
    env.env["SMTP_PASSWORD"] = smtp_server.password
    assert env.tracker("check").returncode == 0
    [mail] = smtp_server.messages
    assert mail["Subject"] == "[의안 2203257] 소관위 심사 → 법사위 체계자구심사"
    copies_arrived_once(env, slack)
