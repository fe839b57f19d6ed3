"""The generated term the full scan reads: its bills, which of them are tracked, its config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tracker.demo.replica.assembly import advance, bill_row
from tracker.demo.replica.sources import Replica

TERM_BILLS = 20_000
TRACKED_EVERY = 10
API_KEY = "bench-key"
PAGE_SIZE = 1000
KEYWORD = "해오름 산업벨트"
# The tracked bills' stages, in turn: mostly open bills, some at the plenary (always read in
# full, see spiders/bill_pages.py) and some in a final stage (skipped by a non-full check).
STAGES = (
    (),
    ("committee_review",),
    ("committee_review", "judiciary_review"),
    ("committee_review",),
    ("committee_review", "judiciary_review", "plenary"),
    ("committee_review", "judiciary_review", "plenary", "passed", "promulgated"),
    (),
    ("committee_review",),
    ("withdrawn",),
    ("committee_review",),
)


def term_rows() -> Iterator[dict[str, object]]:
    """The generated term: ``TERM_BILLS`` API rows, every ``TRACKED_EVERY``-th one tracked."""
    for n in range(TERM_BILLS):
        tracked = n % TRACKED_EVERY == 0
        title = (
            f"{KEYWORD} 지원 특별법안 제{n}호" if tracked else f"지방세법 일부개정법률안 제{n}호"
        )
        row = bill_row(
            f"PRC_BENCH{n:015d}", str(2_200_000 + n), title, "홍길동의원 등 10인", "2025-01-10"
        )
        if tracked:
            for stage in STAGES[(n // TRACKED_EVERY) % len(STAGES)]:
                advance(row, stage, "2025-03-02")
        yield row


def tracked_count() -> int:
    return len(range(0, TERM_BILLS, TRACKED_EVERY))


def write_config(replica: Replica, workdir: Path) -> Path:
    """``workdir/tracker.toml``: the replica's config, its database in ``workdir``."""
    config = workdir / "tracker.toml"
    text = replica.config_toml(workdir / "tracker.db").replace(
        "[sources.assembly]\n", f"[sources.assembly]\npage_size = {PAGE_SIZE}\n"
    )
    config.write_text(text, encoding="utf-8")
    return config
