"""Running the spiders of one check cycle in this process (Scrapy is imported only here)."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from tracker.crawl.context import RunContext
from tracker.logs import restore_scrapy_level

if TYPE_CHECKING:
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)


def scrapy_settings(ctx: RunContext) -> Settings:
    """Scrapy settings for a cycle: the project's polite defaults plus the config's values."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    section = ctx.config.tracker
    settings.set("USER_AGENT", section.user_agent, priority="project")
    settings.set("DOWNLOAD_DELAY", section.download_delay, priority="project")
    settings.set("DOWNLOAD_TIMEOUT", section.download_timeout, priority="project")
    settings.set("AUTOTHROTTLE_ENABLED", section.autothrottle, priority="project")
    per_domain = section.concurrent_requests_per_domain
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", per_domain, priority="project")
    settings.set("CONCURRENT_REQUESTS", max(per_domain, 8), priority="project")
    settings.set("LOG_ENABLED", logger.isEnabledFor(logging.DEBUG), priority="project")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="project")
    return settings


# Settings naming one class each that a crawler loads when it starts.
_CLASS_SETTINGS = (
    "DOWNLOADER",
    "DNS_RESOLVER",
    "DUPEFILTER_CLASS",
    "ITEM_PROCESSOR",
    "LOG_FORMATTER",
    "REQUEST_FINGERPRINTER_CLASS",
    "ROBOTSTXT_PARSER",
    "SCHEDULER",
    "SCHEDULER_MEMORY_QUEUE",
    "SCHEDULER_PRIORITY_QUEUE",
    "SCHEDULER_START_MEMORY_QUEUE",
    "STATS_CLASS",
)
# Settings ordering components, class path -> order; Scrapy imports disabled ones too.
_COMPONENT_SETTINGS = (
    "DOWNLOADER_MIDDLEWARES",
    "EXTENSIONS",
    "ITEM_PIPELINES",
    "SPIDER_MIDDLEWARES",
)


def preload() -> None:
    """Import everything a crawl loads, ahead of the cycle that needs it.

    The daemon starts its next check process right after a check ends and lets it wait here,
    so that a cycle does not begin with a second of imports.
    """
    import scrapy.crawler  # noqa: F401
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    paths = [settings[name] for name in _CLASS_SETTINGS]
    paths += [path for path in settings.getwithbase("DOWNLOAD_HANDLERS").values() if path]
    for name in _COMPONENT_SETTINGS:
        paths += list(settings.getwithbase(name))
    for path in paths:
        load_object(path)
    spider_classes()
    # The public-suffix trie the cookies middleware builds for its first cookie.
    use_bundled_suffix_list()("example.com")
    # What was just loaded lives as long as the process: keep the collector off it.
    gc.freeze()


def use_bundled_suffix_list() -> Callable[[str], Any]:
    """Make the cookies middleware read the public-suffix list bundled with tldextract.

    By default it downloads the list (publicsuffix.org, GitHub) into the user's cache on its
    first cookie: requests to hosts that are not sources, and a wait when offline. Scrapy
    keeps its extractor in a private module name; if that changes, its default stays.
    """
    from tldextract import TLDExtract

    extract = TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
    with contextlib.suppress(ImportError):
        from scrapy.downloadermiddlewares import cookies

        if hasattr(cookies, "_split_domain"):
            cookies._split_domain = extract
    return extract


def spider_classes() -> list[list[type]]:
    """Groups of spiders: groups run in parallel, the spiders of a group one after another."""
    from spiders.assembly_api import AssemblyApiSpider
    from spiders.bill_pages import BillPagesSpider
    from spiders.news import NewsSpider

    # The pages follow the API scan, so a bill it finds gets its page in the same cycle.
    return [[AssemblyApiSpider, BillPagesSpider], [NewsSpider]]


def _warnings_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


def expected_sources(ctx: RunContext) -> list[str]:
    """The sources the config asks for, each of which must make at least one request."""
    from spiders.news import GOOGLE_NEWS, NAVER_NEWS, feed_source
    from tracker.parsers.assembly import SOURCE as ASSEMBLY_SOURCE

    config = ctx.config
    news, secrets = config.sources.news, config.secrets
    names = [ASSEMBLY_SOURCE]
    if config.watch.keywords:
        if news.google_news_base:
            names.append(GOOGLE_NEWS)
        if news.naver_api_base and secrets.naver_client_id and secrets.naver_client_secret:
            names.append(NAVER_NEWS)
    return names + [feed_source(url) for url in news.feeds]


def fail_silent_sources(ctx: RunContext) -> None:
    """A configured source that made no request failed to start (Scrapy only logs that)."""
    for name in expected_sources(ctx):
        stats = ctx.source(name)
        if not stats.requests and not stats.errors:
            stats.errors.append(f"{name}: did not start (no request was made)")


def run_crawl(ctx: RunContext) -> None:
    """Crawl every source once; items go through the store pipeline. Blocks until done."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer

    use_bundled_suffix_list()
    # Scrapy's INFO lines are its start-up boilerplate (versions, settings, middlewares):
    # -v shows tracker's progress instead, -vv everything.
    quiet = not logger.isEnabledFor(logging.DEBUG)
    if quiet:
        # A filter, not a level: Scrapy's logging set-up resets the levels of its loggers.
        logging.getLogger("scrapy.utils.log").addFilter(_warnings_only)
    process = CrawlerProcess(scrapy_settings(ctx))
    restore_scrapy_level()
    if quiet:
        # Without -v Scrapy says nothing (restore_scrapy_level); with -v its warnings only.
        scrapy_logger = logging.getLogger("scrapy")
        scrapy_logger.setLevel(max(scrapy_logger.level, logging.WARNING))

    def on_spider_error(failure: Any, response: Any, spider: Any) -> None:
        source = response.meta.get("source", spider.name)
        where = response.url.split("?")[0]
        message = f"{source}: {failure.getErrorMessage()} ({where})"
        ctx.source(source).errors.append(ctx.config.scrub(message))

    @defer.inlineCallbacks
    def chain(group: list[type]):
        for spider_cls in group:
            # A callback that raises loses its response's items: a failure of its source,
            # not only a line in Scrapy's log.
            crawler = process.create_crawler(spider_cls)
            crawler.signals.connect(on_spider_error, signal=signals.spider_error)
            yield process.crawl(crawler, ctx=ctx)

    groups = [chain(group) for group in spider_classes()]
    done = defer.DeferredList(groups, consumeErrors=True)

    def stop(result: Any) -> Any:
        from twisted.internet import reactor

        for ok, failure in result:
            if not ok:
                message = f"crawl: {failure.getErrorMessage()}"
                ctx.source("crawl").errors.append(ctx.config.scrub(message))
                logger.error("%s", message)
        cast(Any, reactor).stop()
        return result

    done.addBoth(stop)
    process.start(stop_after_crawl=False, install_signal_handlers=False)
    fail_silent_sources(ctx)
