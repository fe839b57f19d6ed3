"""``tracker browse``: the database in Datasette, read-only, with bilingual descriptions and
the canned queries of ``docs/queries.md``.

Datasette opens every read connection of a (mutable) database file with ``mode=ro`` and only
writes through canned queries marked writable, which tracker never defines. Immutable mode is
not used: it ignores the WAL, so the latest changes of a running ``tracker run`` would be
missing.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tracker.errors import TrackerError
from tracker.query.canned import QUERIES
from tracker.query.sql import existing_db

METADATA_FILE = Path(__file__).with_name("datasette_metadata.json")


class DatasetteMissing(TrackerError):
    """The optional ``browse`` extra is not installed."""


class PortBusy(TrackerError):
    """Another program listens on the address ``browse`` was asked to serve on."""


def _check_free(host: str, port: int) -> None:
    """Fail early, in one line, when Datasette could not listen on ``host:port``."""
    if port == 0:
        return
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise PortBusy(
            f"cannot serve on {host}:{port}: {exc.strerror or exc} (another program uses it?"
            " pick another with --port)"
        ) from None


def _questions_html(database: str) -> str:
    """The canned queries as a list of questions, linked: the first thing on the front page."""
    items = "".join(
        f'<li><a href="/{quote(database)}/{q.name}">{escape(q.question)}</a>'
        f" <small>{escape(q.question_en)}</small></li>"
        for q in QUERIES
    )
    return f"<p><strong>자주 묻는 질문 / Questions</strong></p><ul>{items}</ul>"


def metadata(db: Path) -> dict[str, Any]:
    """Datasette metadata for ``db``: the questions first, descriptions of every table and the
    canned queries."""
    base = json.loads(METADATA_FILE.read_text(encoding="utf-8"))
    tables = base.pop("tables")
    # The SQL is one click away ("show"): staff come for the answer.
    queries = {
        q.name: {"title": q.question, "description": q.question_en, "sql": q.sql, "hide_sql": True}
        for q in QUERIES
    }
    # Datasette names a database after its file's stem.
    questions = _questions_html(db.stem)
    database = {"description_html": questions, "tables": tables, "queries": queries}
    return {
        **base,
        "description_html": f"<p>{escape(base.pop('description'))}</p>{questions}",
        "databases": {db.stem: database},
    }


def browse(db_path: str | Path, host: str, port: int, open_browser: bool) -> int:
    """Serve the database with Datasette until interrupted; returns Datasette's exit code."""
    try:
        import datasette  # noqa: F401  (only to fail early with a clear message)
    except ImportError:
        raise DatasetteMissing(
            "tracker browse needs Datasette: pip install 'tracker[browse]'"
        ) from None
    db = existing_db(db_path).resolve()
    _check_free(host, port)
    with tempfile.TemporaryDirectory(prefix="tracker-browse-") as tmp:
        metadata_file = Path(tmp) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata(db), ensure_ascii=False), encoding="utf-8")
        command = [
            sys.executable, "-m", "tracker.query.datasette_plugin", "serve", str(db),
            "--metadata", str(metadata_file), "--host", host, "--port", str(port),
        ]  # fmt: skip
        if open_browser:
            command.append("--open")
        return _serve(command)


def _serve(command: list[str]) -> int:
    """Run Datasette until it exits; SIGTERM or Ctrl-C stops it too, never leaving it behind."""
    stopped: list[int] = []

    def stop(signum: int, frame: object) -> None:
        stopped.append(signum)
        server.terminate()

    with subprocess.Popen(command) as server:
        previous = signal.signal(signal.SIGTERM, stop)
        try:
            code = server.wait()
        except KeyboardInterrupt:  # Ctrl-C reached Datasette as well: let it finish
            stopped.append(signal.SIGINT)
            server.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
    return 0 if stopped else code
