"""Scrapy settings for tracker's spiders: polite defaults for the real sites.

``tracker.crawl.runner`` overrides the User-Agent and a few limits from the config; everything else
is here so that ``scrapy list`` and a Scrapyd deployment use the same behaviour.
"""

BOT_NAME = "tracker"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "tracker (+https://github.com/haeoreum-tracker/tracker; bill-watch bot)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# Scrapy's HTTP cache stays off: on a 5xx or a timeout its RFC 2616 policy serves the cached
# copy, which would hide a source that is down. The page and news spiders do their own
# conditional GET, with validators kept in the database (spiders/bill_pages.py, spiders/news.py).

COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "WARNING"
# A developer check that re-parses a callback's source whenever its bound method is not in a
# weak cache, which in a long crawl is most requests: a few percent of the CPU for a warning.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Items go through a synchronous pipeline one at a time anyway; Scrapy's default of 100 starts
# 100 asyncio tasks for every response's callback output, a sixth of a crawl's CPU here.
CONCURRENT_ITEMS = 1
FEED_EXPORT_ENCODING = "utf-8"
ITEM_PIPELINES = {"tracker.crawl.pipeline.StorePipeline": 300}
