"""Replica of the news sources: a Google News RSS search, the Naver news search API and one
regional paper's RSS feed, rendered from a scripted list of articles.

Tests and the demo add articles between cycles (new stories, the same story from several
outlets, unrelated uses of 해오름) and switch faults on per channel. The RSS feeds answer
conditional GETs (``ETag``/``Last-Modified`` → 304) as well-behaved feed servers do; the Naver
API checks its two credential headers like the real one.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from tracker.demo.replica.http import Request, Response
from tracker.domain.keywords import normalize
from tracker.timeutil import now

KST = ZoneInfo("Asia/Seoul")
CHANNELS = ("google", "naver", "regional")
# Fault modes per channel: a server error, or a feed that is broken in a way parsers meet.
FAULTS = ("down", "truncated", "wrong-encoding", "no-dates")
NAVER_CLIENT_ID = "replica-naver-client-id"
NAVER_CLIENT_SECRET = "replica-naver-client-secret"
REGIONAL_TITLE = "경상일보 - 전체기사"
RSS_TYPE = "application/rss+xml; charset=UTF-8"


@dataclass(frozen=True)
class Article:
    """One scripted article and the channels that list it."""

    key: str
    title: str
    outlet: str
    host: str
    published: datetime
    summary: str = ""
    channels: tuple[str, ...] = CHANNELS

    @property
    def url(self) -> str:
        return f"https://{self.host}/news/articleView.html?idxno={self.key}"

    @property
    def google_token(self) -> str:
        return "CBMi" + hashlib.sha1(self.url.encode()).hexdigest()[:32]

    @property
    def google_url(self) -> str:
        return f"https://news.google.com/rss/articles/{self.google_token}?oc=5"


def article(
    key: str,
    title: str,
    outlet: str,
    host: str,
    published: str,
    summary: str = "",
    channels: tuple[str, ...] = CHANNELS,
) -> Article:
    """An article published at ``published`` ("YYYY-MM-DD HH:MM", Korean time)."""
    when = datetime.strptime(published, "%Y-%m-%d %H:%M").replace(tzinfo=KST)
    return Article(key, title, outlet, host, when, summary, channels)


@dataclass
class NewsReplica:
    """The three news channels over ``articles``; ``faults`` maps a channel to a fault mode."""

    # The searches find the reference bill's story from the start (``tracker verify``).
    articles: list[Article] = field(default_factory=lambda: [reference_coverage()])
    faults: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *articles: Article) -> None:
        with self.lock:
            self.articles.extend(articles)

    def listed(self, channel: str, query: str | None = None) -> list[Article]:
        """The channel's articles, newest first; a search keeps those sharing a query word."""
        words = [w for w in (normalize(part) for part in (query or "").split()) if w]
        with self.lock:
            found = [a for a in self.articles if channel in a.channels]
        if words:
            found = [a for a in found if any(w in normalize(a.title + a.summary) for w in words)]
        return sorted(found, key=lambda a: a.published, reverse=True)

    # -- channels -----------------------------------------------------------------------------

    def google(self, request: Request) -> Response:
        if self.faults.get("google") == "down":
            return Response(500, "Internal Server Error")
        articles = self.listed("google", request.query.get("q"))
        items = "".join(_google_item(a, self.faults.get("google")) for a in articles)
        q = escape(request.query.get("q", ""))
        body = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><rss version="2.0">'
            f"<channel><title>{q} - Google 뉴스</title><link>https://news.google.com/</link>"
            f"<language>ko</language><description>Google 뉴스</description>{items}"
            "</channel></rss>"
        )
        return _conditional(request, _broken(body, self.faults.get("google")), articles)

    def regional(self, request: Request) -> Response:
        if self.faults.get("regional") == "down":
            return Response(500, "Internal Server Error")
        articles = self.listed("regional")
        items = "".join(_regional_item(a, self.faults.get("regional")) for a in articles)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
            f"<title>{REGIONAL_TITLE}</title>\n<link>https://www.ksilbo.co.kr</link>\n"
            f"<description>경상일보 전체기사</description>\n<language>ko</language>\n{items}"
            "</channel>\n</rss>\n"
        )
        return _conditional(request, _broken(body, self.faults.get("regional")), articles)

    def naver(self, request: Request) -> Response:
        fault = self.faults.get("naver")
        if fault == "down":
            return Response(500, "Internal Server Error")
        if (
            request.headers.get("x-naver-client-id") != NAVER_CLIENT_ID
            or request.headers.get("x-naver-client-secret") != NAVER_CLIENT_SECRET
        ):
            error = {
                "errorMessage": "Not Exist Client ID : Authentication failed."
                " (인증에 실패했습니다.)",
                "errorCode": "024",
            }
            return Response(401, json.dumps(error, ensure_ascii=False), "application/json")
        query = request.query.get("query", "")
        display = min(int(request.query.get("display", "10")), 100)
        start = int(request.query.get("start", "1"))
        found = self.listed("naver", query)
        page = found[start - 1 : start - 1 + display]
        payload = {
            "lastBuildDate": format_datetime(now()),
            "total": len(found),
            "start": start,
            "display": len(page),
            "items": [_naver_item(a, query, fault) for a in page],
        }
        body = json.dumps(payload, ensure_ascii=False)
        if fault == "truncated":
            body = body[: len(body) // 2]
        return Response(200, body, "application/json; charset=utf-8")


def _google_item(a: Article, fault: str | None) -> str:
    description = escape(
        f'<a href="{a.google_url}" target="_blank">{escape(a.title)}</a>&nbsp;&nbsp;'
        f'<font color="#6f6f6f">{escape(a.outlet)}</font>'
    )
    date = "" if fault == "no-dates" else f"<pubDate>{_http_date(a.published)}</pubDate>"
    return (
        f"<item><title>{escape(a.title)} - {escape(a.outlet)}</title>"
        f'<link>{a.google_url}</link><guid isPermaLink="false">{a.google_token}</guid>'
        f"{date}<description>{description}</description>"
        f'<source url="https://{a.host}">{escape(a.outlet)}</source></item>'
    )


def _regional_item(a: Article, fault: str | None) -> str:
    date = "" if fault == "no-dates" else f"<pubDate>{a.published:%Y-%m-%d %H:%M:%S}</pubDate>\n"
    return (
        f"<item>\n<title><![CDATA[{a.title}]]></title>\n<link>{escape(a.url)}</link>\n"
        f"<description><![CDATA[{a.summary}]]></description>\n{date}</item>\n"
    )


def _naver_item(a: Article, query: str, fault: str | None) -> dict[str, str]:
    return {
        "title": _highlight(a.title, query),
        "originallink": a.url,
        "link": f"https://n.news.naver.com/mnews/article/001/{a.key.zfill(10)}",
        "description": _highlight(a.summary, query),
        "pubDate": "" if fault == "no-dates" else format_datetime(a.published),
    }


def _highlight(text: str, query: str) -> str:
    """``text`` as the Naver API returns it: HTML-escaped, query words in ``<b>``."""
    escaped = html.escape(text)
    for word in query.split():
        escaped = escaped.replace(html.escape(word), f"<b>{html.escape(word)}</b>")
    return escaped


def _broken(body: str, fault: str | None) -> bytes:
    """The feed's bytes, broken as ``fault`` says."""
    data = body.encode("utf-8")
    if fault == "wrong-encoding":
        return re.sub(rb'encoding="UTF-8"', b'encoding="euc-kr"', data, count=1)
    if fault == "truncated":
        # Cut inside the last item, as a dropped connection or a full disk leaves a feed.
        return data[: data.rfind(b"<item>") + 40]
    return data


def _conditional(request: Request, body: bytes, articles: list[Article]) -> Response:
    """200 with validators, or 304 when the client's validators still hold."""
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    headers = {"ETag": etag}
    if articles:
        headers["Last-Modified"] = _http_date(articles[0].published)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        fresh = if_none_match == etag
    else:
        fresh = _not_modified_since(request.headers.get("if-modified-since"), articles)
    if fresh:
        return Response(304, b"", RSS_TYPE, headers)
    return Response(200, body, RSS_TYPE, headers)


def _http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def _not_modified_since(since: str | None, articles: list[Article]) -> bool:
    if not since or not articles:
        return False
    try:
        return articles[0].published <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


# -- the scripted coverage ---------------------------------------------------------------------


def proposal_coverage() -> list[Article]:
    """One story (the act proposed) carried by three outlets across the three channels."""
    return [
        article(
            "1004211", "울산·포항·경주 '해오름산업벨트 특별법' 국회 발의…초광역 산업수도 시동",
            "경상일보", "www.ksilbo.co.kr", "2026-06-01 09:00",
            "박성민 의원이 포항·경주·울산을 하나의 산업권으로 묶는 특별법안을 대표발의했다.",
            ("google", "regional"),
        ),
        article(
            "402117", "울산·포항·경주 해오름산업벨트 특별법 국회 발의…초광역 산업수도 시동",
            "울산매일", "www.iusm.co.kr", "2026-06-01 09:40",
            "세 도시를 하나의 산업권으로 묶는 해오름산업벨트 특별법안이 발의됐다.",
            ("google", "naver"),
        ),
        article(
            "2026060112",
            "[속보] 울산·포항·경주 해오름 산업벨트 특별법 국회 발의 … 초광역 산업수도 시동",
            "경북일보", "www.kyongbuk.co.kr", "2026-06-01 10:05",
            "해오름동맹 세 도시가 기다려 온 특별법안이 국회에 제출됐다.",
            ("naver",),
        ),
    ]  # fmt: skip


def reference_coverage() -> Article:
    """The reference bill's promulgation, on the two search channels only."""
    return article(
        "990120", "인공지능 기본법 공포…2026년 1월 시행", "전자신문", "www.etnews.com",
        "2025-01-21 10:00", "인공지능 발전과 신뢰 기반 조성 등에 관한 기본법이 공포됐다.",
        ("google", "naver"),
    )  # fmt: skip


def festival() -> Article:
    """A 해오름 that is not the act: a sunrise festival, in the regional feed and on Google."""
    return article(
        "1004215", "호미곶 해오름 축제 새해 첫날 10만 명 몰려", "경상일보", "www.ksilbo.co.kr",
        "2026-06-01 11:20", "포항 호미곶 광장에서 열린 해오름 축제에 관광객이 몰렸다.",
        ("google", "regional"),
    )  # fmt: skip


def alliance_meeting() -> Article:
    """A second, different story: the alliance's mayors meet."""
    return article(
        "1004302", "해오름동맹 3개 시장 상생협의회…\"특별법 연내 통과\" 촉구", "경상일보",
        "www.ksilbo.co.kr", "2026-06-08 14:30",
        "울산·포항·경주 시장이 상생협의회를 열고 특별법의 조속한 처리를 국회에 요청했다.",
    )  # fmt: skip


def committee_coverage(bill_no: str) -> list[Article]:
    """The committee folding the bills into an alternative, one article naming its number."""
    return [
        article(
            "1005120", f"행안위, 해오름산업벨트 특별법 대안 의결…의안번호 {bill_no}", "경상일보",
            "www.ksilbo.co.kr", "2026-06-24 16:10",
            "행정안전위원회가 두 의원안을 반영한 위원회 대안을 의결했다.",
            ("naver", "regional"),
        ),
        article(
            "402988", "'해오름산업벨트 지원에 관한 특별법' 상임위 문턱 넘어", "울산매일",
            "www.iusm.co.kr", "2026-06-24 17:30", "특별법이 소관 상임위원회를 통과했다.",
            ("google", "naver"),
        ),
    ]  # fmt: skip


def passage_coverage() -> list[Article]:
    """The act passed by the plenary, reported by a wire and a regional paper."""
    return [
        article(
            "20260703001", "해오름산업벨트 지원에 관한 특별법 국회 본회의 통과", "연합뉴스",
            "www.yna.co.kr", "2026-07-03 15:02",
            "울산·포항·경주를 잇는 초광역 산업벨트 조성 근거가 마련됐다.",
        ),
        article(
            "1005730", "해오름 산업벨트 지원에 관한 특별법, 국회 본회의 통과", "경상일보",
            "www.ksilbo.co.kr", "2026-07-03 15:40", "해오름동맹 세 도시가 환영 입장을 밝혔다.",
            ("regional",),
        ),
    ]  # fmt: skip
