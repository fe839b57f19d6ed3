"""The digest's HTML as a browser draws it: a headless Chromium screenshot must show the
progress-bar colours, and the email as sent must fit a phone's width without scrolling
sideways. Skipped when Chromium is not installed (see ``tests.helpers.needs_chromium``)."""

from __future__ import annotations

import email
import struct
import zlib
from collections import Counter
from email.policy import default as default_policy
from pathlib import Path

import pytest

from tests.helpers import needs_chromium, screenshot_script
from tracker.demo.sample import KST, sample_digest
from tracker.digest.mail import build_message
from tracker.digest.model import Digest, DigestArticle, DigestBill, DigestChange
from tracker.digest.render import COLOR_CURRENT, COLOR_DONE, COLOR_ENDING, COLOR_LAW, render_digest

shot = screenshot_script()
pytestmark = [pytest.mark.e2e, needs_chromium(shot)]


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Width, height, bytes per pixel and the unfiltered rows of an 8-bit RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    width = height = bpp = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color_type in (2, 6) and interlace == 0, "unexpected PNG format"
            bpp = 3 if color_type == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                upleft = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, prev[i], upleft)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def colour_counts(rows: list[bytes], bpp: int) -> Counter[bytes]:
    counts: Counter[bytes] = Counter()
    for row in rows:
        counts.update(row[i : i + 3] for i in range(0, len(row), bpp))
    return counts


def rgb(hex_colour: str) -> bytes:
    return bytes.fromhex(hex_colour.lstrip("#"))


def crowded_digest() -> Digest:
    """The sample digest plus what once made it wider than a phone: a link that is no web
    address (shown as text), a long unbroken URL, long titles and a long field change."""
    digest = sample_digest()
    long_url = "https://likms.assembly.go.kr/bill/billDetail.do?billId=" + "PRC_" + "X9" * 40
    title = (
        "해오름산업벨트 지원 및 동해안 에너지·수소·이차전지 초광역 산업 클러스터 조성에 관한"
        " 특별법안(대안)(행정안전위원장)"
    )
    bill = DigestBill(
        "PRC_LONG", "2299999", title, "행정안전위원장", "행정안전위원회", "committee_review",
        None, "likms:" + "PRC_LONG" * 12, "watchlist",
    )  # fmt: skip
    when = digest.period_start.replace(hour=15)
    digest.bills.append(bill)
    digest.changes += [
        DigestChange(bill.bill_id, title, "detail_url", None, long_url, when),
        DigestChange(bill.bill_id, title, "title", "해오름" * 20, title, when),
        DigestChange(bill.bill_id, title, "proposer", None, "X" * 90, when),
    ]
    digest.articles.append(DigestArticle(title, "feed:" + "a" * 150, "경상일보"))
    return digest


def sent_html(digest: Digest, tmp_path: Path) -> Path:
    """The HTML part of the email as it is sent (built, serialised and parsed back)."""
    message = build_message(render_digest(digest), "t@example.org", ["s@example.org"], NOW)
    parsed = email.message_from_bytes(message.as_bytes(), policy=default_policy)
    part = parsed.get_body(preferencelist=("html",))
    assert part is not None
    html = tmp_path / "sent.html"
    html.write_text(part.get_content(), encoding="utf-8")
    return html


NOW = sample_digest().period_end.astimezone(KST)


def test_the_email_as_sent_needs_no_sideways_scrolling(tmp_path: Path) -> None:
    widths = [360, 390, 430, 1200]
    layout = shot.measure(sent_html(crowded_digest(), tmp_path), widths)
    assert sorted(layout) == widths
    for width, figures in layout.items():
        assert figures["clientWidth"] == width
        assert figures["scrollWidth"] <= width, figures
        assert figures["height"] > 1500, "the page did not render"


@pytest.mark.parametrize("width", [1200, 390])
def test_screenshot_shows_the_progress_bars(tmp_path: Path, width: int) -> None:
    html = sent_html(sample_digest(), tmp_path)
    png = shot.screenshot(html, tmp_path / "digest.png", width=width)

    data = png.read_bytes()
    assert len(data) > 20_000, "the screenshot is suspiciously small"
    png_width, height, bpp, rows = decode_png(data)
    assert (png_width, height) == (max(width, shot.MIN_WINDOW_WIDTH), shot.HEIGHT)

    counts = colour_counts(rows, bpp)
    # Not a blank page: many distinct colours (text antialiasing, cells, links).
    assert len(counts) > 50
    # A progress cell is about 3,000 pixels at 1200 px and 1,200 at 390 px (the page is
    # longer there, so fewer bars fit in the shot); allow for the text drawn over it.
    cell = 1500 if width > 600 else 400
    done, current = counts[rgb(COLOR_DONE)], counts[rgb(COLOR_CURRENT)]
    assert done > 14 * cell, f"filled cells: {done} px"
    assert current > 3 * cell, f"current-stage cells: {current} px"
    assert counts[rgb(COLOR_ENDING)] > 2 * cell, "ending cells"
    assert counts[rgb(COLOR_LAW)] > cell, "promulgated cell"
