"""What the spiders hand to the pipeline besides domain records: a page's bills as one item,
a source that failed, a page seen unchanged, and the validators of a page or feed read whole."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.bills import BillRecord
from tracker.domain.validators import Validators


@dataclass(frozen=True)
class BillRecords:
    """The bill records one response of a source gave (an API page), handed on as one item."""

    source: str
    records: list[BillRecord]


@dataclass(frozen=True)
class SourceFailure:
    """A source (or one bill's page) that could not be read this cycle."""

    source: str
    message: str
    subject: str | None = None


@dataclass(frozen=True)
class UnchangedPage:
    """A page whose body is the one last stored in full: its bills were seen, unchanged."""

    source: str
    url: str
    bill_ids: tuple[str, ...]


@dataclass(frozen=True)
class PageRead:
    """A bill source's page read in full: its validators are saved once its records are."""

    validators: Validators


@dataclass(frozen=True)
class FeedRead:
    """A news feed read whole: its validators are saved with its articles."""

    validators: Validators
