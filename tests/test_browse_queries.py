"""The canned queries in Datasette, through its test client: parameters, Korean column names
and labels, titles linking to the bill's page, no internal ids, the questions up front."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("datasette")

from datasette.app import Datasette
from datasette.plugins import pm

from tracker.domain.bills import BillEvent, BillRecord
from tracker.domain.links import PUBLIC_BILL_PAGE
from tracker.query import datasette_plugin
from tracker.query.browse import metadata
from tracker.query.canned import QUERIES
from tracker.store.database import open_store

ACT = "PRC_H2A4E0U8R1E5U2M0B2E3L1T6P0N8S4"
OTHER = "PRC_S2E7O0N8G1J4A2E0J6U3N1G6K0Y5B9"
PAGE = "https://likms.assembly.go.kr/bill/billDetail.do?billId=" + ACT
ARTICLE = "https://www.ksilbo.co.kr/news/articleView.html?idxno=1004211"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.db"
    store = open_store(path)
    steps = [BillEvent("received", "2024-08-30"), BillEvent("committee_review", "2024-09-02")]
    store.bills.apply_bills(
        [
            BillRecord(ACT, "assembly_api", stage="received", bill_no="2203257",
                       title="해오름산업벨트 지원에 관한 특별법안", detail_url=PAGE),
            BillRecord(OTHER, "assembly_api", stage="received", bill_no="2209418",
                       title="해오름 산업벨트 육성 및 지원에 관한 특별법안"),
        ],
        None,
    )  # fmt: skip
    store.bills.apply_bill(
        BillRecord(ACT, "bill_page", stage="committee_review", events=steps), None
    )
    # The columns the news crawl stores.
    store.db["news_articles"].insert(
        {"url": ARTICLE, "title": "울산·포항·경주 특별법 발의", "source": "경상일보",
         "published_at": "2026-06-01T09:00:00+09:00", "summary": "", "matched_keywords": "[]",
         "first_seen_at": "2026-06-01T18:00:00+09:00"}
    )  # fmt: skip
    store.close()
    return path


@pytest.fixture
def datasette(db: Path) -> Iterator[Datasette]:
    datasette_plugin.register()
    try:
        yield Datasette([str(db)], metadata=metadata(db))
    finally:
        pm.unregister(name="tracker")


def get(ds: Datasette, path: str):
    return asyncio.run(ds.client.get(path))


def test_history_of_one_bill_takes_the_bill_number(datasette: Datasette) -> None:
    response = get(datasette, "/tracker/history_of_one_bill.json?bill_no=2203257&_shape=array")
    assert response.status_code == 200, response.text
    rows = response.json()
    assert [(r["구분"], r["항목"], r["이전"], r["이후"]) for r in rows] == [
        ("신규", "단계", None, "접수"),
        ("변경", "단계", "접수", "소관위 심사"),
    ]
    other = get(datasette, "/tracker/history_of_one_bill.json?bill_no=2209418&_shape=array")
    assert [r["이후"] for r in other.json()] == ["접수"]


def test_a_keyword_search_page_links_titles_and_hides_internal_ids(datasette: Datasette) -> None:
    response = get(datasette, f"/tracker/title_search?keyword={quote('산업 벨트')}")
    assert response.status_code == 200
    page = response.text
    headers = [
        html.unescape(h) for h in re.findall(r'<th class="col-[^"]*"[^>]*>\s*([^<]+?)\s*<', page)
    ]
    assert headers == ["의안번호", "의안명", "단계"]
    assert f'<a href="{html.escape(PAGE)}">해오름산업벨트 지원에 관한 특별법안</a>' in page
    # No stored link: the bill's public page by its BILL_ID.
    assert f'<a href="{PUBLIC_BILL_PAGE}{OTHER}">' in page
    assert "bill_id" not in page and "PRC_" not in re.sub(r'href="[^"]*"', "", page)
    assert "소관위 심사" in page and "committee_review" not in page
    assert "/-/tracker.css" in page
    assert get(datasette, "/-/tracker.css").text.startswith(".rows-and-columns td")


def test_since_parameter(datasette: Datasette) -> None:
    later = get(datasette, "/tracker/changes_since.json?since=2999-01-01&_shape=array").json()
    assert later == []
    everything = get(datasette, "/tracker/changes_since.json?since=2000-01-01&_shape=array")
    assert {r["의안번호"] for r in everything.json()} == {"2203257", "2209418"}


def test_the_front_page_asks_the_questions(datasette: Datasette) -> None:
    page = get(datasette, "/").text
    for query in QUERIES:
        assert f'href="/tracker/{query.name}"' in page
        assert html.escape(query.question, quote=False) in page
    database = get(datasette, "/tracker").text
    assert database.index("의안번호(:bill_no)") < database.index(">bills<")
    assert ">page_versions<" not in database


def test_a_news_search_links_each_headline_to_its_article(datasette: Datasette) -> None:
    page = get(datasette, f"/tracker/news_mentioning?keyword={quote('울산')}").text
    assert f'<a href="{html.escape(ARTICLE)}">울산·포항·경주 특별법 발의</a>' in page
    none = get(datasette, f"/tracker/news_mentioning.json?keyword={quote('부산')}&_shape=array")
    assert none.json() == []
