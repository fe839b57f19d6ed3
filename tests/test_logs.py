"""Log levels: Scrapy's per-request debug lines are dropped unless -vv asks for them."""

from __future__ import annotations

import logging

import pytest
from scrapy.utils.log import configure_logging

from tracker.logs import restore_scrapy_level, setup_logging


@pytest.fixture
def root_logging():
    root = logging.getLogger()
    saved = root.level, list(root.handlers), logging.getLogger("scrapy").level
    root.handlers = [logging.NullHandler()]
    yield
    root.setLevel(saved[0])
    root.handlers = saved[1]
    logging.getLogger("scrapy").setLevel(saved[2])


@pytest.mark.parametrize(
    ("verbose", "level"), [(0, logging.CRITICAL), (1, logging.INFO), (2, logging.DEBUG)]
)
def test_scrapy_logger_keeps_our_level_after_scrapy_sets_up_logging(root_logging, verbose, level):
    setup_logging(verbose)
    configure_logging({"LOG_INSTALL_ROOT_HANDLER": False})
    assert logging.getLogger("scrapy").level == logging.DEBUG  # what Scrapy does
    restore_scrapy_level()
    assert logging.getLogger("scrapy.core.engine").getEffectiveLevel() == level
    assert logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG) is (verbose > 1)
