"""Where the bill information system's pages are, and the names its errors give them."""

from __future__ import annotations

from urllib.parse import urlencode

# Where the pages are, under ``[sources.assembly] bill_page_base``.
DETAIL_PATH = "/bi/billDetailPage.do"
INFO_PATH = "/bi/bill/detail/billInfo.do"
ALTERNATIVES_PATH = "/bi/bill/detail/anBillInfo.do"
MENU_NO = "2600044"
# The header the token goes back in: the site names none (there is no _csrf_header meta).
CSRF_HEADER = "X-CSRF-TOKEN"
# The source each response's errors name.
DETAIL_SOURCE = "bill_page"
INFO_SOURCE = "bill_info"
ALTERNATIVE_SOURCE = "bill_alternative"


def detail_url(base: str, bill_id: str) -> str:
    """The shell page of ``bill_id`` under ``base`` (``bill_page_base``)."""
    query = urlencode({"billId": bill_id, "currMenuNo": MENU_NO})
    return f"{base.rstrip('/')}{DETAIL_PATH}?{query}"
