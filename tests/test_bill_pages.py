"""Bill pages without a crawl: the store's alternatives and page read times, and the replica
site's session, CSRF, whole-form and redirect manners over real HTTP."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime
from http.cookiejar import CookieJar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import get_testdata
from tracker.demo.replica.bill_pages import (
    ALTERNATIVES_PATH,
    DETAIL_PATH,
    INFO_PATH,
    OLD_PATH,
    page_from_row,
)
from tracker.demo.replica.likms_pages import render_detail_page
from tracker.demo.replica.scenario import HAEOREUM_ACT, haeoreum_act
from tracker.domain.bills import AlternativeFold
from tracker.domain.validators import Validators
from tracker.parsers.likms import (
    CSRF_HEADER,
    bill_from_pages,
    parse_alternatives,
    parse_bill_info,
    parse_detail_page,
)
from tracker.store.database import open_store

ALTERNATIVE = "PRC_A2L4T0E8R1N5A2T0I3V1E6B0I8L1"
FOLDED_FRAGMENT = "likms/constructed/billInfo_2203257_replaced_by_alternative.html"


def test_the_store_remembers_what_each_alternative_took_in(tmp_path):
    store = open_store(tmp_path / "t.db")
    record = bill_from_pages(
        parse_detail_page(render_detail_page({**page_from_row(haeoreum_act()).bill, "csrf": "t"})),
        parse_bill_info(get_testdata(FOLDED_FRAGMENT)),
    )
    store.bills.apply_bill(record, store.runs.start())
    assert store.bills.folded_without_alternative() == [HAEOREUM_ACT]
    run = store.runs.start()
    assert store.bills.ended_in_run(run) == []
    store.bills.record_alternative(
        AlternativeFold(ALTERNATIVE, (("2203257", None), ("2209418", None)))
    )
    assert store.bills.folded_without_alternative() == []
    rows = store.db.query("SELECT bill_no, bill_id FROM bill_alternatives ORDER BY bill_no")
    assert list(rows) == [
        {"bill_no": "2203257", "bill_id": HAEOREUM_ACT},
        {"bill_no": "2209418", "bill_id": None},
    ]
    store.bills.record_alternative(AlternativeFold(ALTERNATIVE, (("2209418", "PRC_S2E7"),)))
    assert store.bills.ids_by_number() == {"2203257": HAEOREUM_ACT}
    assert store.db.execute(
        "SELECT bill_id FROM bill_alternatives WHERE bill_no = '2209418'"
    ).fetchone() == ("PRC_S2E7",)
    store.close()


def test_page_validators_and_read_times_are_kept_by_url(tmp_path):
    store = open_store(tmp_path / "t.db")
    assert "summary" in store.db["bills"].columns_dict
    before = datetime.now(ZoneInfo("Asia/Seoul")).replace(microsecond=0)
    store.validators.save_pages([Validators("http://h/a", '"1"', None)])
    store.validators.save_pages([Validators("http://h/a", '"2"', "Wed, 25 Nov 2026 07:00:00 GMT")])
    [(url, page)] = store.validators.pages().items()
    assert url == "http://h/a"
    assert page.validators == Validators("http://h/a", '"2"', "Wed, 25 Nov 2026 07:00:00 GMT")
    assert before <= page.fetched_at == page.checked_at
    store.validators.mark_pages_checked(["http://h/a", "http://h/unknown"])
    checked = store.validators.pages()["http://h/a"]
    assert checked.fetched_at == page.fetched_at and checked.checked_at >= page.checked_at
    assert list(store.validators.pages()) == ["http://h/a"]
    store.validators.save_pages([Validators(u, None, None) for u in ("http://h/b", "http://i/a")])
    assert list(store.validators.pages("http://h/")) == ["http://h/a", "http://h/b"]
    assert list(store.validators.pages("http://i/")) == ["http://i/a"]
    assert store.validators.pages("http://h/c") == {}
    store.runs.record_source_result("bill_page:PRC_A", "layout", 3, 86400)
    store.runs.record_source_result("bill_page:PRC_B", None, 3, 86400)
    assert store.runs.failing_sources() == {"bill_page:PRC_A"}
    store.close()


def fetch(opener, url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.mark.e2e
def test_replica_site_wants_its_session_token_and_whole_form(replica):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    shell_url = f"{replica.url}{DETAIL_PATH}?billId={HAEOREUM_ACT}&currMenuNo=2600044"
    status, headers, body = fetch(opener, shell_url)
    assert status == 200 and "Set-Cookie" in headers
    page = parse_detail_page(body)
    form = urlencode(page.form_fields).encode()
    info_url = f"{replica.url}{INFO_PATH}"
    token = {CSRF_HEADER: page.csrf_token}

    stranger = urllib.request.build_opener()
    assert fetch(stranger, info_url, form, token)[0] == 403
    assert fetch(opener, info_url, form, {CSRF_HEADER: "forged"})[0] == 403
    partial = urlencode({"billId": HAEOREUM_ACT}).encode()
    assert fetch(opener, info_url, partial, token)[:3:2] == (400, "Bad Request.")
    status, _, fragment = fetch(opener, info_url, form, token)
    assert status == 200 and parse_bill_info(fragment).bill_no == page.bill_no
    status, _, fragment = fetch(opener, f"{replica.url}{ALTERNATIVES_PATH}", form, token)
    assert status == 200 and parse_alternatives(fragment).alternative is None


@pytest.mark.e2e
def test_replica_old_address_forwards_to_the_shell(replica):
    status, _, body = fetch(
        urllib.request.build_opener(), f"{replica.url}{OLD_PATH}?billId={HAEOREUM_ACT}"
    )
    assert status == 200 and parse_detail_page(body).bill_id == HAEOREUM_ACT
