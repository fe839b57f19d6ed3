"""Validators: what a conditional GET sends back to ask whether a page or feed changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Validators:
    """The ``ETag`` and ``Last-Modified`` of a page or feed whose content was fully stored,
    for the next conditional GET (``If-None-Match``/``If-Modified-Since``); for an Open API
    page, which sends none, ``etag`` is a hash of its body."""

    url: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class StoredPage:
    """A page's validators as stored, with when it was last read in full and last checked."""

    validators: Validators
    fetched_at: datetime
    checked_at: datetime | None
