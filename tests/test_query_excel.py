"""``tracker query --excel``: CSV that Excel opens as UTF-8 (a byte order mark first)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_env
from tracker.domain.bills import BillRecord
from tracker.store.database import open_store

pytestmark = pytest.mark.e2e

SQL = "SELECT bill_no, title FROM bills"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.db"
    store = open_store(path)
    record = BillRecord("PRC_A", "assembly_api", bill_no="2203257", title="해오름산업벨트 특별법안")
    store.bills.apply_bill(record, None)
    store.close()
    return path


def query(db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", "query", *args, SQL],
        env=clean_env(TRACKER_DB=str(db)),
        capture_output=True,
        timeout=60,
    )


@pytest.mark.parametrize("args", [("--excel",), ("--format", "csv", "--excel")])
def test_excel_csv_starts_with_a_bom_and_is_utf8(db: Path, args: tuple[str, ...]) -> None:
    result = query(db, *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(result.stdout.decode("utf-8-sig"))))
    assert rows == [["bill_no", "title"], ["2203257", "해오름산업벨트 특별법안"]]


def test_plain_csv_has_no_bom(db: Path) -> None:
    result = query(db, "--format", "csv")
    assert result.stdout.startswith(b"bill_no,title")


def test_excel_with_another_format_is_a_usage_error(db: Path) -> None:
    result = query(db, "--format", "json", "--excel")
    assert result.returncode == 2
    assert result.stderr.decode() == "error: --excel writes CSV, not --format json\n"
