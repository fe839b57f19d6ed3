"""Links for people to a bill's page at the Assembly."""

from __future__ import annotations

import re

# The page the Open API's LINK_URL names; used when a bill has no stored link yet (a committee
# alternative first seen on another bill's page). Never fetched: only shown to people.
PUBLIC_BILL_PAGE = "https://likms.assembly.go.kr/bill/billDetail.do?billId="
# Member (PRC_), government (ARC_) and other bill ids.
_BILL_ID = re.compile(r"[A-Z]{3}_[A-Z0-9]+")


def web_url(url: str | None) -> str | None:
    """``url`` when it is a web link; a source could carry any scheme."""
    if url and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None


def bill_url(bill_id: str | None, detail_url: str | None = None) -> str | None:
    """The bill's stored page when it is a web link, else its public page by ``bill_id``."""
    found = web_url(detail_url)
    if found:
        return found
    return PUBLIC_BILL_PAGE + bill_id if bill_id and _BILL_ID.fullmatch(bill_id) else None
