"""Bill pages without a crawl: the record two parsed pages make, the store's page validators
and the replica site's session, CSRF, redirect and 304 manners over real HTTP."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime
from http.cookiejar import CookieJar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import get_testdata
from tracker.errors import ParseError
from tracker.models import UNKNOWN, PageVersion
from tracker.parsers.likms import bill_from_pages, parse_bill_info, parse_detail_page
from tracker.replica.bill_pages import DETAIL_PATH, INFO_PATH, OLD_PATH
from tracker.replica.scenario import HAEOREUM_ACT
from tracker.store import open_store

ALTERNATIVE = "PRC_A2L4T0E8R1N5A2T0I3V1E6B0I8L1"


def pages(detail: str, info: str):
    return (
        parse_detail_page(get_testdata(f"likms/{detail}")),
        parse_bill_info(get_testdata(f"likms/{info}")),
    )


@pytest.mark.parametrize(
    ("detail", "info", "stage", "result", "events", "replaced_by"),
    [
        (
            "billDetailPage_haeoreum.html",
            "billInfo_stages_committee_review.html",
            "committee_review",
            None,
            [("received", "2024-08-30"), ("committee_review", "2024-09-02")],
            None,
        ),
        (
            "billDetailPage_haeoreum.html",
            "billInfo_stages_replaced_by_alternative.html",
            "replaced_by_alternative",
            "대안반영폐기",
            [
                ("received", "2024-08-30"),
                ("committee_review", "2024-09-02"),
                ("committee_review", "2026-06-17"),
                ("committee_review", "2026-06-24"),
                ("replaced_by_alternative", "2026-06-24"),
            ],
            ALTERNATIVE,
        ),
        (
            "billDetailPage_alternative_promulgated.html",
            "billInfo_stages_alternative_promulgated.html",
            "promulgated",
            "원안가결",
            [
                ("received", "2026-06-24"),
                ("judiciary_review", "2026-06-25"),
                ("judiciary_review", "2026-07-01"),
                ("judiciary_review", "2026-07-02"),
                ("plenary", "2026-07-02"),
                ("passed", "2026-07-03"),
                ("sent_to_government", "2026-07-07"),
                ("promulgated", "2026-07-14"),
            ],
            None,
        ),
    ],
)
def test_record_from_the_pages(detail, info, stage, result, events, replaced_by):
    record = bill_from_pages(*pages(detail, info))
    assert (record.source, record.stage, record.result) == ("bill_page", stage, result)
    assert [(e.stage, e.happened_on) for e in record.events] == events
    assert record.replaced_by == replaced_by
    assert record.detail_url is UNKNOWN and record.age is UNKNOWN
    assert record.summary and record.proposed_on


def test_fragment_without_steps_gives_the_shells_step_and_no_result():
    record = bill_from_pages(*pages("billDetailPage_haeoreum.html", "billInfo_haeoreum.html"))
    assert (record.stage, record.result, record.events) == ("committee_review", UNKNOWN, [])
    assert record.committee is UNKNOWN, "a section the page did not show is unknown, not None"


def test_fragment_of_another_bill_is_a_parse_error():
    with pytest.raises(ParseError, match=r"td\.billNo"):
        bill_from_pages(
            *pages("billDetailPage_promulgated.html", "billInfo_stages_committee_review.html")
        )


def test_page_validators_and_read_times_are_kept_by_url(tmp_path):
    store = open_store(tmp_path / "t.db")
    assert "summary" in store.db["bills"].columns_dict
    before = datetime.now(ZoneInfo("Asia/Seoul")).replace(microsecond=0)
    store.save_page_versions([PageVersion("http://h/a", '"1"', None)])
    store.save_page_versions([PageVersion("http://h/a", '"2"', "Wed, 25 Nov 2026 07:00:00 GMT")])
    [(url, page)] = store.page_versions().items()
    assert url == "http://h/a"
    assert page.version == PageVersion("http://h/a", '"2"', "Wed, 25 Nov 2026 07:00:00 GMT")
    assert before <= page.fetched_at == page.checked_at
    store.mark_pages_checked(["http://h/a", "http://h/unknown"])
    checked = store.page_versions()["http://h/a"]
    assert checked.fetched_at == page.fetched_at and checked.checked_at >= page.checked_at
    assert list(store.page_versions()) == ["http://h/a"]
    store.save_page_versions([PageVersion(u, None, None) for u in ("http://h/b", "http://i/a")])
    assert list(store.page_versions("http://h/")) == ["http://h/a", "http://h/b"]
    assert list(store.page_versions("http://i/")) == ["http://i/a"]
    assert store.page_versions("http://h/c") == {}
    store.record_source_result("bill_page:PRC_A", "layout", 3, 86400)
    store.record_source_result("bill_page:PRC_B", None, 3, 86400)
    assert store.failing_sources() == {"bill_page:PRC_A"}
    store.close()


def fetch(opener, url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_replica_site_wants_its_session_and_token_and_answers_304(replica):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    shell_url = f"{replica.url}{DETAIL_PATH}?billId={HAEOREUM_ACT}&currMenuNo=2600044"
    status, headers, body = fetch(opener, shell_url)
    assert status == 200 and "Set-Cookie" in headers
    page = parse_detail_page(body)
    form = urlencode(page.form_fields).encode()
    info_url = f"{replica.url}{INFO_PATH}"

    stranger = urllib.request.build_opener()
    assert fetch(stranger, info_url, form, {page.csrf_header: page.csrf_token})[0] == 403
    assert fetch(opener, info_url, form, {page.csrf_header: "forged"})[0] == 403
    status, _, fragment = fetch(opener, info_url, form, {page.csrf_header: page.csrf_token})
    assert status == 200 and parse_bill_info(fragment).bill_no == page.bill_no

    assert fetch(opener, shell_url, headers={"If-None-Match": headers["ETag"]})[0] == 304
    since = {"If-Modified-Since": headers["Last-Modified"]}
    assert fetch(stranger, shell_url, headers=since)[0] == 304
    replica.pages.advance(HAEOREUM_ACT, "judiciary_review", "2026-09-20")
    assert fetch(opener, shell_url, headers={"If-None-Match": headers["ETag"]})[0] == 200


def test_replica_old_address_forwards_to_the_shell(replica):
    status, _, body = fetch(
        urllib.request.build_opener(), f"{replica.url}{OLD_PATH}?billId={HAEOREUM_ACT}"
    )
    assert status == 200 and parse_detail_page(body).bill_id == HAEOREUM_ACT
