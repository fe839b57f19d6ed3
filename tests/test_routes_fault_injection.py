"""Routes under the faults of tests/test_fault_injection.py: kill -9 at random points and a
Slack answering 429 and 500; each route's copy arrives exactly once, in its bill's thread."""

from __future__ import annotations

import random
import time

import pytest

from tests.test_fault_injection import (
    TRIALS,
    assert_consistent,
    kill_checks_at_random_points,
    query,
    trial_change,
)

pytestmark = pytest.mark.e2e

# The second route follows the act and every other trial bill, in its own channel.
FOLLOWED = ["2203257", *(f"22190{n:02d}" for n in range(1, TRIALS, 2))]


def with_routes(env, slack) -> None:
    slack.channels["ulsan"] = "C0ULSAN001"
    numbers = ", ".join(f'"{n}"' for n in FOLLOWED)
    with env.config.open("a", encoding="utf-8") as f:
        f.write(
            '\n[[routes]]\nname = "office"\nbills = ["all"]\nchannel = "#haeoreum"\n'
            f'\n[[routes]]\nname = "ulsan"\nbills = [{numbers}]\nchannel = "#ulsan"\n'
        )


def bill_of(key: str) -> str:
    """The bill a copy's dedupe key names (``new_bill:ID>…``, ``stage:ID:…>…``)."""
    return key.split(">")[0].split(":")[1]


def assert_copies_once_in_one_thread_per_bill(env, slack) -> None:
    rows = query(env.db, "SELECT dedupe_key, route, status FROM alerts")
    assert {status for *_, status in rows} == {"sent"}
    copies = {key for key, route, _ in rows if route not in (None, "*")}
    counts = slack.count_by_key()
    assert set(counts) == copies
    assert all(c == 1 for c in counts.values()), {k: c for k, c in counts.items() if c > 1}
    for channel in ("#haeoreum", "#ulsan"):
        roots: dict[str, int] = {}
        for message in slack.in_channel(channel):
            key = message["metadata"]["event_payload"]["dedupe_key"]
            if key.startswith(("new_bill:", "stage:")) and not message.get("thread_ts"):
                roots[bill_of(key)] = roots.get(bill_of(key), 0) + 1
        assert all(n == 1 for n in roots.values()), (channel, roots)
    threads = query(env.db, "SELECT bill_id, channel, thread_ts FROM slack_threads")
    for bill_id, channel, ts in threads:
        [root] = [m for m in slack.in_channel(channel) if m["ts"] == ts]
        assert bill_of(root["metadata"]["event_payload"]["dedupe_key"]) == bill_id


def test_kill_9_at_random_points_then_each_route_copy_arrives_once(env, replica, slack):
    with_routes(env, slack)
    assert env.tracker("check").returncode == 0
    kill_checks_at_random_points(env, replica, slack, random.Random(20261128))

    for _ in range(2):
        assert env.tracker("check").returncode == 0
    assert_consistent(env.db)
    assert_copies_once_in_one_thread_per_bill(env, slack)
    keys = {k for (k,) in query(env.db, "SELECT dedupe_key FROM alerts")}
    for n in range(TRIALS):
        bill_id = f"PRC_K9I8L7L{n:02d}X0X0X0X0X0X0X0X0X0"
        assert f"new_bill:{bill_id}>#haeoreum" in keys
        assert (f"new_bill:{bill_id}>#ulsan" in keys) == (n % 2 == 1)


def test_slack_429_and_500_then_each_route_copy_arrives_once(env, replica, slack):
    with_routes(env, slack)
    assert env.tracker("check").returncode == 0
    rng = random.Random(7)
    for n in range(4):
        trial_change(replica, n, rng)
    slack.failures = [429, 429, 500, 500, 500, 500]

    env.tracker("check")
    assert query(env.db, "SELECT count(*) FROM alerts WHERE status = 'pending'")[0][0] > 0
    for _ in range(6):
        time.sleep(1.1)  # Retry-After, and the backoff of the alerts that were refused
        env.tracker("check")
        if not query(env.db, "SELECT count(*) FROM alerts WHERE status = 'pending'")[0][0]:
            break

    assert slack.failures == []
    assert_copies_once_in_one_thread_per_bill(env, slack)
