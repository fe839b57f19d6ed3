"""Every question in docs/queries.md is a canned query and answers on the demo database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.demo.replica.timeline import STORY_END
from tracker.query.canned import QUERIES, CannedQuery, answer
from tracker.query.sql import query_file
from tracker.timeutil import CLOCK_ENV

DOC = Path(__file__).resolve().parent.parent / "docs" / "queries.md"


def sections() -> list[tuple[str, str]]:
    """(name, SQL) of each numbered question in the document."""
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r"^## \d+\..*?\(`(\w+)`\)\n\n```sql\n(.*?)\n```", text, re.M | re.S)


def test_the_document_lists_the_canned_queries_in_order():
    assert sections() == [(q.name, q.sql) for q in QUERIES], (
        "docs/queries.md is out of date: regenerate it with"
        f" {CLOCK_ENV}={STORY_END.isoformat()}"
        " python -m tracker.query.canned demo-output/tracker.db > docs/queries.md"
    )
    # The samples were asked at the demo's clock.
    assert f"{CLOCK_ENV}={STORY_END.isoformat()}" in DOC.read_text(encoding="utf-8")


@pytest.mark.e2e
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_each_query_returns_rows_on_the_demo_database(
    demo_db: Path, query: CannedQuery, monkeypatch: pytest.MonkeyPatch
):
    # Asked the morning after the story, as the samples in the document are.
    monkeypatch.setenv(CLOCK_ENV, STORY_END.isoformat())
    assert answer(demo_db, query).rows, query.sql
    # As `tracker query` runs it, with the values in place of the parameters.
    assert query_file(demo_db, query.inline_sql()) == answer(demo_db, query)


@pytest.mark.e2e
def test_no_canned_query_shares_its_name_with_a_table_or_view(demo_db: Path):
    schema = query_file(demo_db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    assert {q.name for q in QUERIES}.isdisjoint(name for (name,) in schema.rows)
