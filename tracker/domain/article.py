"""A news article as a source lists it: what parsers make, the store keeps and the digest shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

FeedKind = Literal["google_news", "naver", "feed"]


@dataclass
class Article:
    """One article as a feed lists it.

    ``url`` is the link to store (for Naver the publisher's ``originallink``); ``original_url``
    is the publisher's own link when the feed carries it, e.g. behind a Google News redirect.
    ``feed`` is the kind of feed a parser read it from; an article read back from the database
    has none.
    """

    url: str
    title: str
    source: str | None
    published_at: datetime | None
    summary: str
    feed: FeedKind | None = None
    original_url: str | None = None
