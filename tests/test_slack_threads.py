"""Threads against the fake Slack over HTTP: refused as Slack refuses them, and a cut-short
reply found in its thread, where the channel's history does not list it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from notifiers.slack import SlackBotNotifier

pytestmark = pytest.mark.e2e

BILL = {"bill_id": "PRC_X", "bill_no": "2203257", "title": "해오름산업벨트 지원에 관한 특별법안"}


@pytest.fixture
def client(slack) -> WebClient:
    return WebClient(token=slack.token, base_url=slack.api_base)


def test_a_reply_to_a_message_slack_does_not_know_is_thread_not_found(slack, client):
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="#haeoreum", text="답글", thread_ts="1000000000.000100")
    assert refused.value.response["error"] == "thread_not_found"
    root = client.chat_postMessage(channel="#haeoreum", text="첫 메시지")["ts"]
    # A message of another channel is no thread here either.
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="#tracker-ops", text="답글", thread_ts=root)
    with pytest.raises(SlackApiError) as unknown:
        client.conversations_replies(channel="C0HAEOREUM", ts="1000000000.000100")
    assert unknown.value.response["error"] == "thread_not_found"


def test_history_lists_only_broadcast_replies_and_replies_list_the_thread(slack, client):
    root = client.chat_postMessage(channel="#haeoreum", text="첫 메시지")["ts"]
    client.chat_postMessage(channel="C0HAEOREUM", text="조용한 답글", thread_ts=root)
    client.chat_postMessage(
        channel="C0HAEOREUM", text="알리는 답글", thread_ts=root, reply_broadcast=True
    )

    history = [m["text"] for m in client.conversations_history(channel="C0HAEOREUM")["messages"]]
    thread = client.conversations_replies(channel="C0HAEOREUM", ts=root)["messages"]

    assert history == ["알리는 답글", "첫 메시지"]
    assert [m["text"] for m in thread] == ["첫 메시지", "조용한 답글", "알리는 답글"]
    assert thread[2]["subtype"] == "thread_broadcast" and thread[1]["thread_ts"] == root


def test_a_cut_short_reply_is_found_in_its_thread_not_resent(slack):
    notifier = SlackBotNotifier(slack.token, "#haeoreum", slack.api_base)
    since = datetime.now(UTC) - timedelta(seconds=5)
    root = notifier.send("new_bill", {**BILL, "new_stage": "received"}, "new_bill:PRC_X")
    # A bill's later message that is not broadcast (a committee meeting) is a quiet reply.
    assert notifier.send("new_bill", BILL, "later:PRC_X", thread_ts=root) == root
    quiet = slack.messages[-1]
    assert quiet["thread_ts"] == root and "subtype" not in quiet

    assert notifier.was_delivered("new_bill", BILL, "later:PRC_X", since, root) == root
    assert notifier.was_delivered("new_bill", BILL, "later:PRC_X", since) is False
    assert notifier.was_delivered("new_bill", BILL, "new_bill:PRC_X", since) == root
    assert notifier.was_delivered("new_bill", BILL, "never:PRC_X", since, root) is False


def test_a_stage_change_in_a_thread_is_broadcast_to_the_channel(slack):
    notifier = SlackBotNotifier(slack.token, "#haeoreum", slack.api_base)
    root = notifier.send("new_bill", {**BILL, "new_stage": "received"}, "new_bill:PRC_X")
    change = {**BILL, "old_stage": "received", "new_stage": "committee_review"}

    assert notifier.send("stage_change", change, "stage:PRC_X", thread_ts=root) == root

    assert slack.messages[-1]["subtype"] == "thread_broadcast"
    assert "2203257" in slack.messages[-1]["text"]


def test_a_thread_that_cannot_be_read_is_no_proof_of_absence(slack):
    notifier = SlackBotNotifier(slack.token, "#haeoreum", slack.api_base, max_retries=0)
    since = datetime.now(UTC) - timedelta(seconds=5)
    root = notifier.send("new_bill", {**BILL, "new_stage": "received"}, "new_bill:PRC_X")
    notifier.send("new_bill", BILL, "later:PRC_X", thread_ts=root)
    slack.history_failures = [500]

    # The quiet reply is not in the history: only the thread could tell.
    assert notifier.was_delivered("new_bill", BILL, "later:PRC_X", since, root) is None
    # A thread Slack no longer knows holds no reply; the history is asked instead.
    assert notifier.was_delivered("new_bill", BILL, "x:PRC_X", since, "1000000000.000100") is False
