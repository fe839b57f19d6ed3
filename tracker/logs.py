"""Logging set-up: one format, and every secret scrubbed from every record."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from tracker.scrub import scrub


class SecretFilter(logging.Filter):
    """Replaces each secret value, in any encoding, in a record's final message with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message, self.secrets)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = scrub(text, self.secrets), None
        return True


class OneLine(logging.Filter):
    """Without ``-v``: a record's traceback is left out (its message stays, one line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info or record.exc_text:
            record.exc_info, record.exc_text = None, None
        return True


def setup_logging(verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(level)
    # Scrapy resets the root logger's level to NOTSET; the handlers keep ours (and Scrapy's
    # own logger takes theirs back: restore_scrapy_level).
    for handler in root.handlers:
        handler.setLevel(level)
        for one_line in [f for f in handler.filters if isinstance(f, OneLine)]:
            handler.removeFilter(one_line)
        if not verbose:
            handler.addFilter(OneLine())


def restore_scrapy_level() -> None:
    """Scrapy's own logging set-up (when a crawler process starts) puts its logger back to
    DEBUG; put it back to the level of our handlers, so that its two debug lines a request are
    dropped before records are made. Without ``-v``, Scrapy says nothing: what failed is
    reported as the failure of its source (a request given up, a robots.txt not read, a
    callback that raised), one line each."""
    handlers = logging.getLogger().handlers
    level = min((h.level for h in handlers), default=logging.WARNING) or logging.WARNING
    logging.getLogger("scrapy").setLevel(level if level < logging.WARNING else logging.CRITICAL)


def scrub_secrets(secrets: Iterable[str]) -> None:
    """Install the secret filter on every handler of the root logger."""
    secret_filter = SecretFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(secret_filter)
