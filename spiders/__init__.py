"""Scrapy spiders: they fetch and hand response text to tracker.parsers."""
