"""What every tracker spider shares: the run context and failure reporting."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from tracker.crawl.context import RunContext
from tracker.crawl.items import SourceFailure
from tracker.domain.validators import Validators
from tracker.errors import TrackerError


def conditional_headers(known: Validators | None) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` for a resource read before (conditional GET)."""
    headers: dict[str, str] = {}
    if known and known.etag:
        headers["If-None-Match"] = known.etag
    if known and known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers


def response_validators(response: scrapy.http.Response) -> tuple[str | None, str | None]:
    """The ``ETag`` and ``Last-Modified`` a response came with, to send back next time."""
    return _header(response, b"ETag"), _header(response, b"Last-Modified")


def _header(response: scrapy.http.Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class TrackerSpider(scrapy.Spider):
    """A spider that reads its settings from the run context and reports failures as items."""

    ctx: RunContext

    def __init__(self, ctx: RunContext | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ctx = ctx or RunContext.from_environment()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> TrackerSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.count_response, signal=signals.response_received)
        return spider

    def count_response(self, response: Any, request: scrapy.Request, spider: Any) -> None:
        """A request of a source answered (after any retries): one more page done."""
        if spider is self and "source" in request.meta:
            self.ctx.page_done(request.meta["source"])

    def source_request(
        self,
        url: str,
        source: str,
        callback: Any,
        meta: dict[str, Any],
        request_class: type[scrapy.Request] = scrapy.Request,
        errback: Any = None,
        **kwargs: Any,
    ) -> scrapy.Request:
        """A request counted against ``source``; when it fails, ``errback`` (by default
        ``on_request_error``: that source's failure) reports it."""
        self.ctx.source(source).requests += 1
        return request_class(
            url,
            callback=callback,
            errback=errback or self.on_request_error,
            dont_filter=True,
            meta={"source": source, **meta},
            **kwargs,
        )

    def failure_from_error(self, source: str, error: Exception, subject: str | None = None):
        message = str(error) if isinstance(error, TrackerError) else f"{source}: {error}"
        return SourceFailure(source, self.ctx.config.scrub(message), subject)

    def on_request_error(self, failure: Failure) -> Iterator[SourceFailure]:
        """Errback: a request that failed after its retries is a source failure."""
        request = failure.request  # type: ignore[attr-defined]
        source = request.meta.get("source", self.name)
        subject = request.meta.get("subject")
        if failure.check(HttpError):  # its response was counted as done on arrival
            status = failure.value.response.status
            message = f"{source}: HTTP {status} from {request.url.split('?')[0]}"
        else:
            self.ctx.page_done(source)
            error = failure.value
            reason = error.__class__.__name__
            text = str(error).strip()
            message = (
                f"{source}: {reason}{': ' + text if text else ''} ({request.url.split('?')[0]})"
            )
        yield SourceFailure(source, self.ctx.config.scrub(message), subject)
