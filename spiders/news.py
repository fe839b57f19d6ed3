"""News spider: Google News RSS search, the Naver news search API and the configured feeds.

One query per watch keyword on each search; every feed in ``[sources.news] feeds`` is read
whole and filtered locally by the relevance rule. Feeds are fetched conditionally: the
validators of the last full read go out as ``If-None-Match``/``If-Modified-Since`` and a 304
means nothing new. The validators are stored with the articles (``Store.add_news``), never
before them, so a crash between the two cannot make the next cycle skip unstored news.

Scrapy's own HTTP cache is not used for this: on a 5xx or a timeout it serves the cached copy,
which would hide a feed that is down.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy

from spiders.base import TrackerSpider, conditional_headers, response_validators
from tracker.crawl.items import FeedRead
from tracker.crawl.plan import news_plan
from tracker.domain.keywords import RelevanceRule
from tracker.domain.relevance import relevant_hits
from tracker.domain.validators import Validators
from tracker.errors import ParseError, SourceError
from tracker.parsers.news import (
    FeedResult,
    google_news_url,
    naver_news_url,
    parse_feed,
    parse_google_news,
    parse_naver,
)

logger = logging.getLogger(__name__)

GOOGLE_NEWS = "google_news"
NAVER_NEWS = "naver_news"

Parser = Callable[[bytes], FeedResult]


def feed_source(url: str) -> str:
    """The stats name of a configured feed, its own even beside another feed of its host:
    ``feed:<host><path>`` (``feed:<host>`` when the path is empty)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return f"feed:{url}"
    return f"feed:{parts.hostname.lower()}{parts.path.rstrip('/')}"


class NewsSpider(TrackerSpider):
    name = "news"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        config = self.ctx.config
        news = config.sources.news
        self.rule = RelevanceRule.from_keywords(config.watch.keywords, config.watch.companions)
        self.validators = self.ctx.plan_for(news_plan).validators
        keywords = [k.strip() for k in config.watch.keywords if k.strip()]
        if news.google_news_base:
            for keyword in keywords:
                url = google_news_url(news.google_news_base, keyword)
                yield self.feed_request(url, GOOGLE_NEWS, parse_google_news)
        secrets = config.secrets
        if news.naver_api_base and secrets.naver_client_id and secrets.naver_client_secret:
            headers = {
                "X-Naver-Client-Id": secrets.naver_client_id,
                "X-Naver-Client-Secret": secrets.naver_client_secret,
            }
            for keyword in keywords:
                url = naver_news_url(news.naver_api_base, keyword)
                # An API called with the user's own key is not crawling; its robots.txt is
                # written for crawlers.
                yield self.feed_request(url, NAVER_NEWS, parse_naver, headers, robots=False)
        for url in news.feeds:
            yield self.feed_request(url, feed_source(url), parse_feed)

    def feed_request(
        self,
        url: str,
        source: str,
        parser: Parser,
        headers: dict[str, str] | None = None,
        robots: bool = True,
    ) -> scrapy.Request:
        headers = {**(headers or {}), **conditional_headers(self.validators.get(url))}
        meta = {
            "feed_url": url,
            "parser": parser,
            "handle_httpstatus_list": [304],
            "dont_obey_robotstxt": not robots,
        }
        return self.source_request(url, source, self.parse_news, meta, headers=headers)

    def parse_news(self, response: scrapy.http.Response) -> Iterator[Any]:
        source = response.meta["source"]
        if response.status == 304:
            return
        try:
            result = response.meta["parser"](response.body)
        except (ParseError, SourceError) as exc:
            yield self.failure_from_error(source, exc)
            return
        hits, undated = relevant_hits(result.items, source, self.rule)
        self.ctx.source(source).skipped += result.skipped + undated
        for error in result.errors:
            logger.warning("%s: %s", source, error)
        yield from hits
        if not result.errors:
            # Only a feed read whole may answer 304 next time.
            validators = Validators(response.meta["feed_url"], *response_validators(response))
            yield FeedRead(validators)
