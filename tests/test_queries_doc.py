"""Every question in docs/queries.md is a canned query and answers on the demo database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.canned_queries import QUERIES, CannedQuery
from tracker.query import open_readonly, query_file

DOC = Path(__file__).resolve().parent.parent / "docs" / "queries.md"


def sections() -> list[tuple[str, str]]:
    """(name, SQL) of each numbered question in the document."""
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r"^## \d+\..*?\(`(\w+)`\)\n\n```sql\n(.*?)\n```", text, re.M | re.S)


def test_the_document_lists_the_canned_queries_in_order():
    assert sections() == [(q.name, q.sql) for q in QUERIES], (
        "docs/queries.md is out of date: regenerate it with"
        " python -m tracker.canned_queries demo-output/tracker.db > docs/queries.md"
    )


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_each_query_returns_rows_on_the_demo_database(demo_db: Path, query: CannedQuery):
    conn = open_readonly(demo_db)
    has_rows = conn.execute(f"SELECT EXISTS (SELECT 1 FROM {query.needs})").fetchone()[0]
    conn.close()
    if not has_rows:
        pytest.skip(f"{query.needs} is empty in the demo database")
    result = query_file(demo_db, query.sql)
    assert result.rows, query.sql
