"""The status page and the Atom feed: written by `tracker publish` and after each check with
[publish] dir, from a real database filled through the replica; the feed read back with
feedparser, the page laid out in headless Chromium at desktop and phone widths."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import feedparser
import pytest

from tests.helpers import query
from tests.helpers import run_ok as run
from tracker.demo.replica import scenario

pytestmark = pytest.mark.e2e

ACT_PAGE = "/bill/billDetail.do?billId=" + scenario.HAEOREUM_ACT


@pytest.fixture
def story(env, replica, tmp_path):
    """A database with a week of history: the first check, a stage change, a meeting."""
    env.env["TRACKER_CLOCK"] = "2026-06-22T10:00:00+09:00"
    run(env, "check")
    replica.advance(scenario.HAEOREUM_ACT, "judiciary_review", "2026-06-23")
    replica.pages.meet(
        scenario.SECOND_ACT, "소위 회의정보", "행정안전위원회 법안심사제1소위원회", "2026-06-23",
        "심사", 56297,
    )  # fmt: skip
    env.env["TRACKER_CLOCK"] = "2026-06-23T10:00:00+09:00"
    run(env, "check")
    env.env["TRACKER_CLOCK"] = "2026-06-23T10:05:00+09:00"
    out = tmp_path / "site"
    out.mkdir()
    return out


def test_publish_writes_the_page_and_a_valid_feed(env, story):
    result = run(env, "publish", "--out", str(story))
    assert result.stdout.startswith(f"wrote {story / 'index.html'}")
    assert sorted(p.name for p in story.iterdir()) == ["changes.atom", "index.html"]

    page = (story / "index.html").read_text(encoding="utf-8")
    followed = query(env.db, "SELECT title FROM bills")
    for (title,) in followed:
        assert html.escape(title) in page
    assert page.count('<section class="bill"') == len(followed)
    assert "<dt>마지막 단계</dt><dd>2026-06-23 법사위 회부</dd>" in page
    assert "<dt>다음 단계</dt><dd>본회의 심의</dd>" in page
    assert f'<a href="https://likms.assembly.go.kr{ACT_PAGE}">의안정보시스템에서 보기</a>' in page
    assert "행정안전위원회 법안심사제1소위원회에서 심사" in page
    assert 'class="current"' in page

    feed = feedparser.parse((story / "changes.atom").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.id.startswith("urn:uuid:") and feed.feed.title and feed.feed.updated
    assert feed.feed.author == "tracker"
    changes = query(env.db, "SELECT count(*) FROM bill_changes")[0][0]
    assert len(feed.entries) == changes
    for entry in feed.entries:
        assert entry.id.startswith("urn:uuid:")
        assert entry.title and entry.updated_parsed and entry.summary
        assert entry.link.startswith("https://likms.assembly.go.kr/bill/billDetail.do?billId=")
    newest = feed.entries[0]
    assert newest.title == (
        "[2203257] 해오름산업벨트 지원에 관한 특별법안: 단계: 소관위 심사 → 법사위 체계자구심사"
    )
    assert newest.updated.startswith("2026-06-23T10:00:0")
    assert len({e.id for e in feed.entries}) == len(feed.entries)


def test_entry_ids_stay_the_same_across_rewrites(env, replica, story):
    run(env, "publish", "--out", str(story))
    before = {e.id: e.title for e in feedparser.parse(str(story / "changes.atom")).entries}
    replica.advance(scenario.HAEOREUM_ACT, "plenary", "2026-06-25")
    env.env["TRACKER_CLOCK"] = "2026-06-25T10:00:00+09:00"
    run(env, "check")
    env.env["TRACKER_CLOCK"] = "2026-06-25T10:05:00+09:00"
    run(env, "publish", "--out", str(story))
    after = {e.id: e.title for e in feedparser.parse(str(story / "changes.atom")).entries}
    assert before.items() <= after.items()
    assert len(after) == len(before) + 1


def test_each_check_rewrites_the_files_with_publish_dir(env, replica, tmp_path):
    site = tmp_path / "public"
    site.mkdir()
    text = env.config.read_text(encoding="utf-8")
    env.config.write_text(text + f'\n[publish]\ndir = "{site.as_posix()}"\ntitle = "울산시 의안"\n')
    run(env, "check")
    first = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>울산시 의안</title>" in first
    replica.advance(scenario.HAEOREUM_ACT, "judiciary_review", "2026-06-23")
    run(env, "check")
    assert "법사위 회부" in (site / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in site.iterdir()) == ["changes.atom", "index.html"]
    # `tracker publish` alone writes where [publish] dir says.
    (site / "index.html").unlink()
    run(env, "publish")
    assert (site / "index.html").is_file()


def test_publish_needs_a_directory(env, tmp_path):
    run(env, "check")
    result = run(env, "publish", code=2)
    assert result.stderr == "error: give --out DIR or set [publish] dir\n"
    result = run(env, "publish", "--out", str(tmp_path / "missing"), code=2)
    assert "cannot write into" in result.stderr and len(result.stderr.splitlines()) == 1


def test_an_unfollowed_bill_leaves_the_page_and_the_feed(env, story):
    run(env, "unfollow", "2209418")
    run(env, "publish", "--out", str(story))
    page = (story / "index.html").read_text(encoding="utf-8")
    assert "해오름 산업벨트 육성 및 지원에 관한 특별법안" not in page
    feed = feedparser.parse(str(story / "changes.atom"))
    assert not any("[2209418]" in e.title for e in feed.entries)


# -- layout in headless Chromium ------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTHS = (1200, 390)
# Per frame: how wide the document is against its viewport, the smallest text, how Korean
# words break, and any element that sticks out on the right.
PROBE = """
const root = doc.documentElement;
const texts = [...doc.querySelectorAll('body *')].filter(e => e.childNodes.length &&
  [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
const sizes = texts.map(e => parseFloat(getComputedStyle(e).fontSize));
const out = [...doc.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > root.clientWidth + 0.5)
  .map(e => e.tagName + '.' + e.className);
return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
  minFont: Math.min(...sizes), wordBreak: getComputedStyle(doc.body).wordBreak, out: out};
"""


def layout(page: Path) -> dict[int, dict]:
    """The page measured in a frame of each width (srcdoc frames: same origin as the host)."""
    content = html.escape(page.read_text(encoding="utf-8"), quote=True)
    frames = "".join(
        f'<iframe style="display:block;border:0;width:{w}px;height:900px" srcdoc="{content}">'
        "</iframe>"
        for w in WIDTHS
    )
    script = (
        f"<script>const probe = new Function('doc', {json.dumps(PROBE)});"
        "window.addEventListener('load', () => { const r = {};"
        " for (const f of document.querySelectorAll('iframe'))"
        " r[f.clientWidth] = probe(f.contentDocument);"
        " document.body.dataset.layout = JSON.stringify(r); });</script>"
    )
    with tempfile.TemporaryDirectory() as tmp:
        host = Path(tmp) / "host.html"
        host.write_text(f"<!DOCTYPE html><body>{frames}{script}</body>", encoding="utf-8")
        result = subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--hide-scrollbars",
                f"--user-data-dir={tmp}/profile", "--window-size=1240,1900", "--dump-dom",
                host.as_uri(),
            ],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    found = re.search(r'data-layout="([^"]*)"', result.stdout)
    assert found, result.stderr[-500:]
    return {int(k): v for k, v in json.loads(html.unescape(found.group(1))).items()}


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_page_fits_a_desktop_and_a_phone(env, story):
    run(env, "publish", "--out", str(story))
    measured = layout(story / "index.html")
    assert set(measured) == set(WIDTHS)
    for width, figures in measured.items():
        assert figures["scrollWidth"] <= figures["clientWidth"] == width, (width, figures)
        assert figures["out"] == [], (width, figures["out"])
        assert figures["wordBreak"] == "keep-all"
        assert figures["minFont"] >= 12, (width, figures)
