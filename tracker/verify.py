"""``tracker verify``: a live self-check of every source against a bill whose facts are settled.

When alerts go quiet, the sources may have changed rather than the bills. The reference bill
(``[verify]``, by default 인공지능 기본법 2206772: 원안가결, 공포 2025-01-21, 공포번호 20676)
will not move again, so each source must still read as it did: its Open API row, its shell
page, its ``billInfo.do`` and ``anBillInfo.do`` fragments, and one news search. Each source
gives one line: what it still reads, or what no longer matches. Nothing is stored.

The requests go one after another with the configured User-Agent and timeout, and the shell's
session cookie and token go back with the fragments, as the bill pages spider sends them.
"""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from tracker.config import Config, VerifySection
from tracker.errors import TrackerError
from tracker.parsers import assembly, likms
from tracker.parsers.news import (
    FeedResult,
    google_news_url,
    naver_news_url,
    parse_google_news,
    parse_naver,
)


@dataclass(frozen=True)
class SourceCheck:
    """One source's verdict: ``ok`` and what was read, or what no longer matches."""

    source: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.source}: {self.detail}"


@dataclass
class _Shell:
    """The shell page as read: what the fragments are asked with."""

    page: likms.DetailPage | None = None
    url: str = ""
    info: likms.BillInfo | None = None


class Mismatch(Exception):
    """What a source said that the reference bill's facts contradict."""


class _Client:
    """Plain HTTP with one cookie jar (the site's session) and the tracker's manners."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def fetch(
        self, url: str, form: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> bytes:
        request = urllib.request.Request(
            url,
            data=urlencode(form).encode() if form is not None else None,
            headers={"User-Agent": self.config.tracker.user_agent, **(headers or {})},
        )
        timeout = self.config.tracker.download_timeout
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise Mismatch(f"HTTP {exc.code} from {url.split('?')[0]}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Mismatch(f"{reason} ({url.split('?')[0]})") from None


def verify(config: Config) -> list[SourceCheck]:
    """Check every source against the reference bill; one verdict a source."""
    client = _Client(config)
    ref = config.verify
    shell = _Shell()
    checks: list[tuple[str, Callable[[], str]]] = [
        ("Open API", lambda: _api(client, config, ref)),
        ("bill page", lambda: _shell(client, config, ref, shell)),
        ("billInfo.do", lambda: _info(client, config, ref, shell)),
        ("anBillInfo.do", lambda: _alternatives(client, config, shell)),
        ("news", lambda: _news(client, config, ref)),
    ]
    results = []
    for source, run in checks:
        try:
            results.append(SourceCheck(source, True, config.scrub(run())))
        except (Mismatch, TrackerError) as exc:
            results.append(SourceCheck(source, False, config.scrub(str(exc))))
    return results


def _expect(what: str, found: object, expected: object) -> None:
    if found != expected:
        raise Mismatch(f"{what} is {found!r}, expected {expected!r}")


def _api(client: _Client, config: Config, ref: VerifySection) -> str:
    section = config.sources.assembly
    key = config.secrets.assembly_api_key
    url = assembly.api_url(section.api_base, section.endpoint, key, {"BILL_ID": ref.bill_id})
    page = assembly.parse_api_page(client.fetch(url), section.endpoint)
    rows = [r for r in page.rows if r.get("BILL_ID") == ref.bill_id]
    if not rows:
        raise Mismatch(f"no row for {ref.bill_id}")
    record = assembly.bill_from_row(rows[0])
    _expect("BILL_NO", record.bill_no, ref.bill_no)
    _expect("stage", record.stage, ref.stage)
    _expect("result", record.result, ref.result)
    return f"{record.bill_no} {record.title}: {record.stage}, {record.result}"


def _shell(client: _Client, config: Config, ref: VerifySection, shell: _Shell) -> str:
    url = likms.detail_url(config.sources.assembly.bill_page_base, ref.bill_id)
    page = likms.parse_detail_page(client.fetch(url).decode("utf-8", "replace"))
    _expect("billId", page.bill_id, ref.bill_id)
    _expect("의안번호", page.bill_no, ref.bill_no)
    if not page.csrf_token:
        raise Mismatch('meta[name="_csrf"] missing')
    shell.page, shell.url = page, url
    return f"[{page.bill_no}] {page.title}, {len(page.form_fields)} form fields, token found"


def _fragment(client: _Client, config: Config, shell: _Shell, path: str) -> str:
    page = shell.page
    if page is None:
        raise Mismatch("not asked: the bill page did not read")
    base = config.sources.assembly.bill_page_base.rstrip("/")
    body = client.fetch(
        f"{base}{path}",
        page.form_fields,
        {likms.CSRF_HEADER: page.csrf_token or "", "Referer": shell.url},
    )
    return body.decode("utf-8", "replace")


def _info(client: _Client, config: Config, ref: VerifySection, shell: _Shell) -> str:
    html = _fragment(client, config, shell, likms.INFO_PATH)
    info = likms.parse_bill_info(html)
    shell.info = info
    _expect("의안번호", info.bill_no, ref.bill_no)
    _expect("stage", info.stage, ref.stage)
    _expect("result", info.result, ref.result)
    laws = {(law.date, law.number) for law in info.promulgations}
    if (ref.promulgated_on, ref.promulgation_no) not in laws:
        raise Mismatch(
            f"공포정보 has {sorted(laws)!r}, expected {(ref.promulgated_on, ref.promulgation_no)!r}"
        )
    return f"{info.stage}, {info.result}, 공포 {ref.promulgated_on} 제{ref.promulgation_no}호"


def _alternatives(client: _Client, config: Config, shell: _Shell) -> str:
    if shell.page is None or shell.info is None:
        raise Mismatch("not asked: billInfo.do did not read")
    if not likms.needs_alternatives(shell.page, shell.info):
        return "not asked: the bill is neither an alternative nor folded into one"
    html = _fragment(client, config, shell, likms.ALTERNATIVES_PATH)
    found = likms.parse_alternatives(html)
    if not found.found:
        raise Mismatch(f"tables captioned {likms.ALTERNATIVE}/{likms.FOLDED} missing")
    if found.alternative is None:
        raise Mismatch(f"table {likms.ALTERNATIVE} names no bill")
    return f"대안 {found.alternative.bill_no}, {len(found.folded)} bill(s) folded into it"


def _news(client: _Client, config: Config, ref: VerifySection) -> str:
    news = config.sources.news
    result: FeedResult
    if news.google_news_base:
        result = parse_google_news(
            client.fetch(google_news_url(news.google_news_base, ref.news_query))
        )
        where = "Google News"
    elif config.secrets.naver_client_id and config.secrets.naver_client_secret:
        body = client.fetch(
            naver_news_url(news.naver_api_base, ref.news_query),
            headers={
                "X-Naver-Client-Id": config.secrets.naver_client_id,
                "X-Naver-Client-Secret": config.secrets.naver_client_secret,
            },
        )
        result = parse_naver(body)
        where = "Naver"
    else:
        raise Mismatch("no news search configured (google_news_base empty, no Naver keys)")
    if not result.items:
        raise Mismatch(f"{where} found nothing for {ref.news_query!r}")
    return f"{where}: {len(result.items)} article(s) for {ref.news_query!r}"
