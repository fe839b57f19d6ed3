"""The digest's HTML as a browser draws it: a headless Chromium screenshot must show the
progress-bar colours. Skipped when Chromium is not installed."""

from __future__ import annotations

import importlib.util
import struct
import zlib
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from notifiers.email import COLOR_CURRENT, COLOR_DONE, COLOR_ENDING, COLOR_LAW, render_digest
from notifiers.sample import sample_digest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "screenshot_digest.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshot_digest", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shot = _load_script()
pytestmark = pytest.mark.skipif(
    shot.find_chromium() is None,
    reason="chromium is not installed (apt-get install chromium) — screenshot check skipped",
)


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


def test_screenshot_shows_the_progress_bars(tmp_path: Path) -> None:
    html = tmp_path / "digest.html"
    html.write_text(render_digest(sample_digest()).html, encoding="utf-8")
    png = shot.screenshot(html, tmp_path / "digest.png")

    data = png.read_bytes()
    assert len(data) > 20_000, "the screenshot is suspiciously small"
    width, height, bpp, rows = decode_png(data)
    assert (width, height) == (shot.WIDTH, shot.HEIGHT)

    counts = colour_counts(rows, bpp)
    # Not a blank page: many distinct colours (text antialiasing, cells, links).
    assert len(counts) > 50
    # A progress cell is about 3,000 pixels at this size; allow for the text drawn over it.
    cell = 1500
    done, current = counts[rgb(COLOR_DONE)], counts[rgb(COLOR_CURRENT)]
    assert done > 14 * cell, f"filled cells: {done} px"
    assert current > 3 * cell, f"current-stage cells: {current} px"
    assert counts[rgb(COLOR_ENDING)] > 2 * cell, "ending cells"
    assert counts[rgb(COLOR_LAW)] > cell, "promulgated cell"
