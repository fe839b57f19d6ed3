"""``tracker browse`` serves the database in Datasette, read-only, with canned queries."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import clean_env
from tests.helpers import needs_chromium, screenshot_script
from tests.smtp_server import free_port

pytestmark = pytest.mark.e2e


def get_json(url: str, deadline: float) -> object:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def start_browse(db: Path, port: int) -> subprocess.Popen[bytes]:
    """The real ``tracker browse`` on ``db`` (its output discarded)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "browse", "--no-open", "--port", str(port)],
        env=clean_env(TRACKER_DB=str(db)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.skipif(importlib.util.find_spec("datasette") is None, reason="datasette missing")
def test_datasette_serves_the_demo_database_and_a_canned_query_answers(demo_db: Path):
    before = hashlib.sha256(demo_db.read_bytes()).hexdigest()
    port = free_port()
    server = start_browse(demo_db, port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        search = f"{base}/tracker/title_search.json?keyword={quote('산업벨트')}&_shape=array"
        rows = get_json(search, deadline)
        metadata = get_json(f"{base}/-/metadata.json", deadline)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Stopping `tracker browse` stops Datasette with it: nothing listens on the port any more.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert server.returncode == 0
    assert isinstance(rows, list)
    assert {r["의안번호"] for r in rows} >= {"2203257", "2209418"}
    assert all("산업벨트" in r["의안명"].replace(" ", "") for r in rows)
    tables = metadata["databases"]["tracker"]["tables"]  # type: ignore[index]
    assert "의안" in tables["bills"]["description"]
    assert hashlib.sha256(demo_db.read_bytes()).hexdigest() == before


def test_browse_without_datasette_says_how_to_install_it(demo_db: Path):
    code = (
        "import sys; sys.modules['datasette'] = None\n"
        "sys.argv = ['tracker', 'browse', '--no-open']\n"
        "from tracker.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=clean_env(TRACKER_DB=str(demo_db)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr == "error: tracker browse needs Datasette: pip install 'tracker[browse]'\n"


shot = screenshot_script()
# A canned query's page as a browser draws it: the (chosen) title column and its wrapping.
_COLUMN_WIDTHS = """const widths = {};
for (const th of doc.querySelectorAll('table.rows-and-columns th'))
  widths[th.textContent.trim()] = th.getBoundingClientRect().width;
return widths;"""


@needs_chromium(shot)
@pytest.mark.skipif(importlib.util.find_spec("datasette") is None, reason="datasette missing")
def test_a_canned_query_page_fits_a_phone_and_gives_titles_room(demo_db: Path, tmp_path: Path):
    port = free_port()
    server = start_browse(demo_db, port)
    base = f"http://127.0.0.1:{port}"
    try:
        get_json(f"{base}/-/versions.json", time.monotonic() + 60)
        with urllib.request.urlopen(f"{base}/tracker/where_bills_stand", timeout=10) as response:
            page = response.read().decode("utf-8")
        # Drawn from a file (the measuring frame needs the same origin); the styles still
        # come from the server.
        html = tmp_path / "page.html"
        html.write_text(page.replace("<head>", f'<head><base href="{base}/">', 1), "utf-8")
        layout = shot.measure(html, [390, 1200], probe=_COLUMN_WIDTHS)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert layout[390]["scrollWidth"] <= 390, layout[390]
    assert layout[1200]["scrollWidth"] <= 1200, layout[1200]
    widths = layout[1200]["extra"]
    assert list(widths) == ["의안번호", "의안명", "단계", "처리결과", "최근진행일", "소관위원회"]
    # The longest title (34 characters) on one line, not squeezed between id columns.
    assert widths["의안명"] > 300, widths
