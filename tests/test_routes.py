"""Which copies the routes take of an alert (tracker/routes.py) on a real database."""

from __future__ import annotations

import pytest

from tests.test_outbox import bill
from tracker.config import Config, RouteSection, load_config
from tracker.domain.bills import BillRecord
from tracker.errors import ConfigError
from tracker.routes import follows, plan, route_pending
from tracker.store.database import open_store


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "t.db")
    yield s
    s.close()


def route(name: str, bills: list[str], **kw) -> RouteSection:
    return RouteSection(name=name, bills=bills, channel=f"#{name}", **kw)


def test_a_route_follows_bills_by_number_keyword_or_all():
    act = {"bill_no": "2203257", "title": "해오름산업벨트 지원에 관한 특별법안"}
    assert follows(route("a", ["2203257"]), act)
    assert follows(route("b", ["해오름 산업벨트"]), act)  # spacing-insensitive
    assert follows(route("c", ["all"]), act)
    assert not follows(route("d", ["2203256", "동해안"]), act)


def test_a_route_that_follows_a_bill_follows_the_alternative_carrying_it(store):
    store.bills.apply_bills([bill(1, "committee_review")], None)
    alternative = BillRecord(
        bill_id="PRC_ALT", source="bill_page", stage="committee_review", result=None,
        title="동해안 산업벨트 지원에 관한 특별법안(대안)", bill_no="2214410",
        matched_by="alternative:PRC_A001",
    )  # fmt: skip
    store.bills.apply_bills([alternative], None)
    [alert] = [a for a in store.outbox.due() if a["bill_id"] == "PRC_ALT"]
    routes = [route("follows", [bill(1, "x").bill_no]), route("other", ["2299999"])]

    copies = plan(alert, routes, Config(routes=routes), store)

    assert list(copies) == ["new_bill:PRC_ALT>#follows"]
    payload, name = copies["new_bill:PRC_ALT>#follows"]
    assert name == "follows" and payload["to"] == "#follows"


def test_news_copies_list_only_the_articles_a_route_follows(store):
    payload = {
        "articles": [
            {"title": "해오름동맹 3개 시 공동 건의", "url": "https://a.example/1"},
            {"title": "포항 철강 산업 전망", "url": "https://a.example/2"},
        ],
        "total": 2,
    }
    store.outbox.enqueue("news:1", "news", payload)
    [alert] = store.outbox.due()
    routes = [route("alliance", ["해오름동맹"]), route("office", ["all"]), route("none", ["울산"])]

    copies = plan(alert, routes, Config(routes=routes), store)

    assert copies["news:1>#alliance"][0]["articles"] == payload["articles"][:1]
    assert copies["news:1>#alliance"][0]["total"] == 1
    assert copies["news:1>#office"][0]["articles"] == payload["articles"]
    assert "news:1>#none" not in copies


def test_routing_is_once_and_two_routes_to_one_channel_make_one_copy(store):
    store.bills.apply_bills([bill(1, "received")], None)
    routes = [
        route("a", ["all"]),
        RouteSection(name="b", bills=["all"], channel="#a", recipients=["x@example.org"],
                     email_kinds=["new_bill"]),
    ]  # fmt: skip
    config = Config(routes=routes)

    assert route_pending(store, config) == 1
    assert route_pending(store, config) == 0

    rows = store.conn.execute("SELECT dedupe_key, route, status, parent_id FROM alerts").fetchall()
    assert rows == [
        ("new_bill:PRC_A001", "*", "sent", None),
        ("new_bill:PRC_A001>#a", "a", "pending", 1),
        ("new_bill:PRC_A001>mail:b", "b", "pending", 1),
    ]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ('bills = ["all"]\nchannel = "#a"', "'routes[0].name' is missing"),
        ('name = "a"\nbills = ["all"]', "route 'a' has neither a channel nor recipients"),
        ('name = "a"\nchannel = "#a"\nbills = [" "]', "'routes[0].bills' needs"),
        ('name = "a"\nchannel = "#a"\nrecipients = ["nobody"]', "'routes[0].recipients[0]'"),
        ('name = "a"\nchannel = "#a"\nemail_kinds = ["digest"]', "'routes[0].email_kinds[0]'"),
        ('name = "a"\nchannel = "#a"\ncolour = "red"', "unknown key 'config.routes[0].colour'"),
    ],
)
def test_a_bad_route_is_refused_naming_the_key(tmp_path, block, message):
    path = tmp_path / "tracker.toml"
    path.write_text(f"[[routes]]\n{block}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^config: ") as refused:
        load_config(str(path), env={})
    assert message in str(refused.value)


def test_routes_to_channels_need_the_bot_token_not_a_webhook(tmp_path):
    path = tmp_path / "tracker.toml"
    path.write_text('[[routes]]\nname = "a"\nchannel = "#a"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        load_config(str(path), env={"SLACK_WEBHOOK_URL": "https://hooks.example/x"})
    assert load_config(str(path), env={"SLACK_BOT_TOKEN": "xoxb-1"}).routes[0].name == "a"


def test_a_route_summary_lists_its_bills_and_the_alternatives_carrying_them(store):
    alternative = BillRecord(
        bill_id="PRC_ALT", source="bill_page", stage="committee_review", result=None,
        title="동해안 산업벨트 지원에 관한 특별법안(대안)", bill_no="2214410",
        matched_by="alternative:PRC_A001",
    )  # fmt: skip
    store.bills.apply_bills(
        [bill(1, "committee_review"), bill(2, "received"), alternative], None, quiet=True
    )
    store.runs.finish(store.runs.start(), "ok", {}, summarize=True)
    [alert] = store.outbox.due()
    routes = [route("one", ["2200001"]), route("none", ["2299999"])]

    copies = plan(alert, routes, Config(routes=routes), store)

    [(payload, name)] = copies.values()
    assert name == "one" and payload["total"] == 2
    listed = [b["bill_no"] for group in payload["stages"] for b in group["bills"]]
    assert sorted(listed) == ["2200001", "2214410"]
