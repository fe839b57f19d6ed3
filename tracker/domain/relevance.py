"""What the news watch keeps from a feed, and which tracked bill an article names.

Pure functions between the news parsers and the store: :func:`relevant_hits` keeps the items the
relevance rule accepts, :func:`bill_for` finds the bill an article is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tracker.domain.article import Article
from tracker.domain.keywords import RelevanceRule, normalize

# Bill titles end in "안" (특별법안) while articles name the act (특별법); a bill's own
# parenthesised tail ("(대안)(행정안전위원장)") is not part of how the press names it.
_TITLE_TAIL = re.compile(r"(\([^)]*\))+\s*$")
# A bill title shorter than this, normalised, is too generic to identify a bill in free text.
_MIN_TITLE_LEN = 8


@dataclass(frozen=True)
class NewsHit:
    """A relevant item as one source listed it.

    ``source`` is the name the run's stats use: ``google_news``, ``naver_news`` or
    ``feed:<host><path>``; ``matched_keywords`` are the rule's terms that made it relevant.
    """

    source: str
    item: Article
    matched_keywords: tuple[str, ...]


def relevant_hits(
    items: Iterable[Article], source: str, rule: RelevanceRule
) -> tuple[list[NewsHit], int]:
    """The items ``rule`` accepts, and how many were unusable for lack of a date.

    An item without a publication date is skipped: the tracker could not tell a fresh article
    from an old one a feed still lists, nor compare it with other outlets' within days.
    """
    hits: list[NewsHit] = []
    undated = 0
    for item in items:
        matched = rule.matched_keywords(item.title, item.summary)
        if not matched:
            continue
        if item.published_at is None:
            undated += 1
            continue
        hits.append(NewsHit(source, item, tuple(matched)))
    return hits, undated


def _title_key(title: str) -> str:
    return normalize(_TITLE_TAIL.sub("", title)).removesuffix("안")


def bill_for(title: str, summary: str, bills: Sequence[dict[str, Any]]) -> str | None:
    """The ``bill_id`` of the bill an article names by bill number or by title, or None.

    ``bills`` are rows with ``bill_id``, ``bill_no``, ``title`` and ``proposed_on``. A bill
    number wins over a title; among bills of the same title (a lapsed bill re-proposed, a
    committee alternative) the most recently proposed one is the one still moving.
    """
    text = f"{title}\n{summary}"
    for bill in bills:
        number = bill.get("bill_no")
        if number and re.search(rf"(?<!\d){re.escape(str(number))}(?!\d)", text):
            return bill["bill_id"]
    folded = normalize(text)
    named = [
        bill
        for bill in bills
        if len(key := _title_key(bill.get("title") or "")) >= _MIN_TITLE_LEN and key in folded
    ]
    if not named:
        return None
    named.sort(key=lambda b: (len(_title_key(b["title"])), b.get("proposed_on") or ""))
    return named[-1]["bill_id"]


def search_page(google_news_base: str, keywords: Sequence[str]) -> str | None:
    """The Google News page people open to see every article on the keywords (the RSS
    search's page for people), or None without Google News."""
    terms = [k.strip() for k in keywords if k.strip()]
    if not google_news_base or not terms:
        return None
    base = google_news_base.replace("/rss/search", "/search")
    query = {"q": " OR ".join(terms), "hl": "ko", "gl": "KR", "ceid": "KR:ko"}
    return f"{base}?{urlencode(query)}"
