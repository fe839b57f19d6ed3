"""News parsers: Google News RSS, the Naver news search API and any RSS/Atom feed.

Each parser turns a response body into a :class:`FeedResult`. Items without a title or link are
counted in ``skipped``; a feed cut off mid-way keeps what parsed before the cut. A body that is
not a feed at all (an HTML error page, garbage) raises :class:`~tracker.errors.ParseError`, so a
broken source is never mistaken for a day without news.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from html import unescape
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import feedparser
from bs4 import BeautifulSoup

from tracker.domain.article import Article
from tracker.errors import ParseError, SourceError

KST = ZoneInfo("Asia/Seoul")

# The Naver API names no outlet; these are the hosts seen most often in Haeoreum coverage.
OUTLET_NAMES: dict[str, str] = {
    "ksilbo.co.kr": "경상일보",
    "iusm.co.kr": "울산매일",
    "ulsanpress.net": "울산신문",
    "kyongbuk.co.kr": "경북일보",
    "kbmaeil.com": "경북매일",
    "kbsm.net": "경북신문",
    "imaeil.com": "매일신문",
    "idaegu.com": "대구일보",
    "news1.kr": "뉴스1",
    "newsis.com": "뉴시스",
    "yna.co.kr": "연합뉴스",
    "ubc.co.kr": "UBC울산방송",
    "busan.com": "부산일보",
    "kookje.co.kr": "국제신문",
}

_GOOGLE_NEWS_HOST = "news.google.com"
_NAIVE_FORMATS = ("%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
_XML_DECL = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])([A-Za-z0-9._-]+)\2")
_ITEM_END = re.compile(rb"</(?:[A-Za-z0-9_]+:)?(?:item|entry)\s*>")
_WS = re.compile(r"\s+")
_BLOCK_END = re.compile(r"<(?:br|/p|/li|/div|/h[1-6]|/tr|/td|/ol|/ul)\b[^>]*>", re.IGNORECASE)


# Results a Naver search returns a page (its largest).
NAVER_PAGE_SIZE = 100


def google_news_url(base: str, query: str) -> str:
    """A Google News RSS search for ``query``, in Korean for Korea."""
    return f"{base}?{urlencode({'q': query, 'hl': 'ko', 'gl': 'KR', 'ceid': 'KR:ko'})}"


def naver_news_url(base: str, query: str) -> str:
    """The first page of a Naver news search for ``query``, newest first."""
    params = {"query": query, "display": NAVER_PAGE_SIZE, "start": 1, "sort": "date"}
    return f"{base.rstrip('/')}/news.json?{urlencode(params)}"


@dataclass
class FeedResult:
    """The items of one response, how many were unusable, and what went wrong."""

    items: list[Article] = field(default_factory=list)
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    if "<" in html:
        # Inline tags such as Naver's <b> sit inside words, so only block boundaries become
        # spaces.
        html = _BLOCK_END.sub(" ", html)
        text = BeautifulSoup(html, "html.parser").get_text("")
    else:
        text = unescape(html)
    return _WS.sub(" ", text).strip()


def _parse_datetime(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _NAIVE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def parse_date(text: str | None) -> datetime | None:
    """An RFC 822 or ISO 8601 date as an aware datetime in Asia/Seoul, or None.

    A time without an offset ("2024-09-01 17:12:00", as Korean CMS feeds write it) is taken as
    Korean time.
    """
    if not text or not text.strip():
        return None
    parsed = _parse_datetime(text.strip())
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=KST)
    try:
        return parsed.astimezone(KST)
    except (OverflowError, ValueError):
        return None


def outlet_for(url: str) -> str | None:
    """The outlet name for an article URL: a known name, else the host without ``www.``."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.")
    if not host:
        return None
    for domain, name in OUTLET_NAMES.items():
        if host == domain or host.endswith("." + domain):
            return name
    return host


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data


def _fix_declared_encoding(data: bytes) -> bytes:
    """Declare UTF-8 when a feed claims another encoding but its bytes are valid UTF-8.

    Korean CMSs often keep ``encoding="euc-kr"`` after moving to UTF-8. Real EUC-KR text with
    Hangul is practically never valid UTF-8, so valid UTF-8 with non-ASCII bytes wins.
    """
    match = _XML_DECL.match(data)
    if not match or match.group(3).lower().replace(b"_", b"-") in (b"utf-8", b"utf8"):
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    if data.isascii():
        return data
    quote = match.group(2)
    return data[: match.start(3)] + b"utf-8" + quote + data[match.end() :]


def _entry_url(entry: Any) -> str:
    link = entry.get("link") or ""
    if not link:
        for candidate in entry.get("links") or []:
            if candidate.get("href"):
                link = candidate["href"]
                break
    return link.strip()


def _source_title(entry: Any) -> str | None:
    source = entry.get("source")
    if isinstance(source, dict):
        title = source.get("title")
        if isinstance(title, str) and title.strip():
            return html_to_text(title)
    return None


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published", "updated", "created"):
        # dict.get, because feedparser's own get() maps a missing "updated" to "published"
        # with a deprecation warning.
        parsed = parse_date(dict.get(entry, key))
        if parsed is not None:
            return parsed
    return None


def _load_feed(data: bytes | str, source: str) -> tuple[Any, list[Any], FeedResult]:
    """Parse with feedparser; raise ParseError unless the body is an RSS or Atom feed.

    Returns the parsed feed, its complete entries, and a result that already counts the entry
    cut off by a truncated document and names the defect.
    """
    raw = _fix_declared_encoding(_as_bytes(data))
    try:
        # A file-like object, because feedparser treats a bytes or str argument that names a
        # path or URL as something to open or fetch.
        parsed = feedparser.parse(io.BytesIO(raw))
    except Exception as exc:  # feedparser's internals can fail on hostile input
        raise ParseError(source, f"not a feed: {type(exc).__name__}") from exc
    result = FeedResult()
    entries = list(parsed.entries)
    defect = parsed.get("bozo_exception")
    broken = bool(parsed.get("bozo")) and not isinstance(
        defect, feedparser.CharacterEncodingOverride
    )
    if not parsed.get("version"):
        raise ParseError(source, "response is not an RSS or Atom feed")
    if broken:
        if not parsed.entries:
            raise ParseError(source, f"feed is not well-formed and has no items: {defect}")
        result.errors.append(f"feed is not well-formed: {defect}")
        # The entry being read when the document broke off has no closing tag: drop it, since
        # its text may be cut short too.
        complete = len(_ITEM_END.findall(raw))
        if complete < len(entries):
            result.skipped += len(entries) - complete
            entries = entries[:complete]
    return parsed, entries, result


def parse_feed(data: bytes | str, source_name: str | None = None) -> FeedResult:
    """Parse any RSS or Atom feed.

    The outlet is ``source_name`` when given, else the item's ``<source>``, else the feed title
    up to " - " ("경상일보 - 전체기사" gives 경상일보), else the link's host.
    """
    parsed, entries, result = _load_feed(data, "news")
    feed_title = html_to_text(parsed.feed.get("title") or "")
    feed_source = feed_title.split(" - ")[0].strip() or None
    for entry in entries:
        title = html_to_text(entry.get("title") or "")
        url = _entry_url(entry)
        if not title or not url:
            result.skipped += 1
            continue
        result.items.append(
            Article(
                url=url,
                title=title,
                source=source_name or _source_title(entry) or feed_source or outlet_for(url),
                published_at=_entry_date(entry),
                summary=html_to_text(entry.get("summary") or ""),
                feed="feed",
                original_url=url,
            )
        )
    return result


def _google_original_url(summary_html: str) -> str | None:
    for href in re.findall(r"""href=["']([^"']+)["']""", summary_html):
        href = unescape(href).strip()
        try:
            host = (urlsplit(href).hostname or "").lower()
        except ValueError:
            continue
        if host and host != _GOOGLE_NEWS_HOST and urlsplit(href).scheme in ("http", "https"):
            return href
    return None


def _split_outlet(title: str, outlet: str | None) -> tuple[str, str | None]:
    """Split Google News' "제목 - 언론사" into the headline and the outlet."""
    if outlet and title.endswith(" - " + outlet):
        return title[: -len(" - " + outlet)].strip(), outlet
    head, sep, tail = title.rpartition(" - ")
    if sep and head.strip() and 0 < len(tail.strip()) <= 30:
        return head.strip(), outlet or tail.strip()
    return title, outlet


def parse_google_news(xml: bytes | str) -> FeedResult:
    """Parse a Google News RSS search feed.

    ``url`` stays the news.google.com link (the only one Google gives for most items);
    ``original_url`` is set when the description links to the article itself.
    """
    _, entries, result = _load_feed(xml, "google_news")
    for entry in entries:
        raw_title = html_to_text(entry.get("title") or "")
        url = _entry_url(entry)
        if not raw_title or not url:
            result.skipped += 1
            continue
        source = _source_title(entry)
        title, source = _split_outlet(raw_title, source)
        summary_html = entry.get("summary") or ""
        summary = html_to_text(summary_html)
        # Google's description usually repeats just the headline and the outlet.
        if summary.removesuffix(source or "").strip() == title:
            summary = ""
        result.items.append(
            Article(
                url=url,
                title=title,
                source=source,
                published_at=_entry_date(entry),
                summary=summary,
                feed="google_news",
                original_url=_google_original_url(summary_html),
            )
        )
    return result


def parse_naver(json_text: str | bytes) -> FeedResult:
    """Parse a Naver news search API response (``/v1/search/news.json``).

    ``url`` is the publisher's ``originallink`` when present, else Naver's ``link``. A Naver
    error body (``errorCode``) raises :class:`~tracker.errors.SourceError`.
    """
    try:
        payload = json.loads(json_text)
    except (ValueError, TypeError) as exc:
        raise ParseError("naver", f"response is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise ParseError("naver", "response is not a JSON object")
    if "errorCode" in payload and "items" not in payload:
        raise SourceError(
            "naver", str(payload.get("errorMessage") or "error"), str(payload["errorCode"])
        )
    items = payload.get("items")
    if not isinstance(items, list):
        raise ParseError("naver", "response has no 'items' list")
    result = FeedResult()
    for raw in items:
        if not isinstance(raw, dict):
            result.skipped += 1
            continue
        title = html_to_text(_text(raw.get("title")))
        original = _text(raw.get("originallink")).strip()
        link = _text(raw.get("link")).strip()
        url = original or link
        if not title or not url:
            result.skipped += 1
            continue
        result.items.append(
            Article(
                url=url,
                title=title,
                source=outlet_for(url),
                published_at=parse_date(_text(raw.get("pubDate"))),
                summary=html_to_text(_text(raw.get("description"))),
                feed="naver",
                original_url=original or None,
            )
        )
    return result


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
