"""``tracker publish``: a static status page (``index.html``) and an Atom feed of the bill
changes (``changes.atom``), for any web server to serve.

The page shows every followed bill with the digest's progress bar (접수 → 공포), its last dated
step and the step that comes next, and the past week's changes, meetings and news. The feed
has one entry per row of ``bill_changes`` (the newest ``FEED_ENTRIES``), each with an id that
never changes. Both files are written to a temporary file and renamed into place, so a reader
never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from tracker.config import Config
from tracker.digest.build import build_digest
from tracker.digest.period import Period
from tracker.digest.render import TEMPLATES, digest_context
from tracker.domain import stages
from tracker.store.database import Store
from tracker.timeutil import iso, minute, now

INDEX = "index.html"
FEED = "changes.atom"
FEED_ENTRIES = 200
WEEK = timedelta(days=7)
ATOM = "http://www.w3.org/2005/Atom"
# Entry ids are UUIDs derived from the change, so that they stay the same on every rewrite.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/haeoreum-tracker/tracker")


@dataclass(frozen=True)
class Published:
    index: Path
    feed: Path
    bills: int
    entries: int


def next_step(stage: str | None) -> str:
    """The step a bill waits for: the progress stage after its own, or none when it ended."""
    if not stage or stages.is_final(stage):
        return "없음 (종료)"
    if stage not in stages.PROGRESS_CODES:
        return stages.label(stages.PROGRESS_CODES[0])
    following = stages.next_stage(stage)
    return stages.label(following) if following else "없음"


def _change_text(change: dict[str, Any]) -> str:
    if change["kind"] == "new":
        return f"추적 시작: {stages.shown(change['new_value'])}"
    if change["field"] == "stage":
        return f"단계: {stages.shown(change['old_value'])} → {stages.shown(change['new_value'])}"
    old, new = change["old_value"] or "없음", change["new_value"] or "없음"
    return f"{change['field']}: {old} → {new}"


def entry_id(change: dict[str, Any]) -> str:
    """A change's Atom id: the same for the same ``bill_changes`` row on every rewrite."""
    name = f"{change['bill_id']}/{change['id']}/{change['field']}/{change['observed_at']}"
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, name)}"


def _page_context(config: Config, store: Store, at: datetime) -> dict[str, Any]:
    # One second past now: what the cycle just stored (at this second) belongs to the week.
    period = Period(at - WEEK, at + timedelta(seconds=1))
    digest = build_digest(store, period)
    context = digest_context(digest, config.publish.title)
    steps = store.bills.last_steps()
    for view, bill in zip(context["bills"], digest.bills, strict=True):
        step = steps.get(bill.bill_id)
        view["last_step"] = (
            f"{step['happened_on']} {step['description'] or stages.shown(step['stage'])}"
            if step
            else "-"
        )
        view["next_step"] = next_step(bill.stage)
        view["bill_no"] = bill.bill_no
    context["updated"] = minute(iso(at, config.tracker.timezone))
    context["feed"] = FEED
    return context


def _render_page(context: dict[str, Any]) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("status_page.html.j2").render(context)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def render_feed(config: Config, changes: list[dict[str, Any]], at: datetime) -> bytes:
    """The Atom feed of ``changes`` (newest first)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    base = config.publish.url.rstrip("/")
    _sub(feed, "id", f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, base or config.publish.title)}")
    _sub(feed, "title", f"{config.publish.title}: 의안 변동")
    updated = changes[0]["observed_at"] if changes else iso(at, config.tracker.timezone)
    _sub(feed, "updated", updated)
    author = _sub(feed, "author")
    _sub(author, "name", "tracker")
    _sub(feed, "generator", "tracker")
    if base:
        _sub(feed, "link", rel="self", href=f"{base}/{FEED}")
        _sub(feed, "link", rel="alternate", href=f"{base}/{INDEX}")
    for change in changes:
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(change))
        number = f"[{change['bill_no']}] " if change["bill_no"] else ""
        text = _change_text(change)
        _sub(entry, "title", f"{number}{change['bill_title'] or change['bill_id']}: {text}")
        _sub(entry, "updated", change["observed_at"])
        url = change["detail_url"]
        if url and url.startswith(("http://", "https://")):
            _sub(entry, "link", rel="alternate", href=url)
        _sub(entry, "summary", text, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def publish(config: Config, store: Store, out: str | Path) -> Published:
    """Write ``index.html`` and ``changes.atom`` of ``store`` into the directory ``out`` (it
    must exist)."""
    directory = Path(out)
    if not directory.is_dir():
        raise FileNotFoundError(f"not a directory: {directory}")
    at = now(config.tracker.timezone).replace(microsecond=0)
    context = _page_context(config, store, at)
    changes = store.bills.feed_changes(FEED_ENTRIES)
    index, feed = directory / INDEX, directory / FEED
    _write_atomically(index, _render_page(context).encode("utf-8"))
    _write_atomically(feed, render_feed(config, changes, at))
    return Published(index, feed, len(context["bills"]), len(changes))
