"""Render a digest's HTML part to a PNG with headless Chromium, to check the email layout.

    python scripts/screenshot_digest.py                 # the bundled sample digest
    python scripts/screenshot_digest.py digest.html -o digest.png
    python scripts/screenshot_digest.py --width 390     # as a phone shows it, with its width

Without an HTML file it renders ``tracker.demo.sample.sample_digest()``. Below the window's
smallest width (500 px in headless Chromium) the page is drawn in a frame of that width, as a
phone's viewport would be.
"""

from __future__ import annotations

import argparse
import html as html_module
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 1000, 1800
# Headless Chromium makes no window narrower than this; a phone's width is framed inside it.
MIN_WINDOW_WIDTH = 500
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
# Measures each framed page once all have loaded and writes the figures into the host's DOM;
# ``probe`` is the caller's own measurement of a frame's document (%s: a function body).
_PROBE = """<script>
const probe = new Function('doc', %s);
window.addEventListener('load', () => {
  const layout = {};
  for (const frame of document.querySelectorAll('iframe')) {
    const root = frame.contentDocument.documentElement;
    layout[frame.clientWidth] = {
      width: frame.clientWidth, scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
      height: root.scrollHeight, extra: probe(frame.contentDocument)};
  }
  document.body.dataset.layout = JSON.stringify(layout);
});
</script>"""


def find_chromium() -> str | None:
    """The Chromium executable on PATH, or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(
    html_path: str | Path,
    png_path: str | Path,
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    chromium: str | None = None,
    timeout: float = 120,
) -> Path:
    """Take a ``width`` × ``height`` screenshot of ``html_path`` into ``png_path``.

    Chromium runs headless with a throwaway profile and without background networking,
    so nothing leaves the machine. Raises ``RuntimeError`` when no PNG comes out.
    """
    png = Path(png_path).resolve()
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="digest-frame-") as tmp:
        page = Path(html_path).resolve()
        if width < MIN_WINDOW_WIDTH:
            page = _framed(page, [width], Path(tmp))
        result = _chromium(
            [f"--screenshot={png}", f"--window-size={max(width, MIN_WINDOW_WIDTH)},{height}"],
            page,
            chromium,
            timeout,
        )
    if not png.exists() or png.stat().st_size == 0:
        tail = " ".join(result.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"chromium made no screenshot (exit {result.returncode}): {tail}")
    return png


def measure(
    html_path: str | Path,
    widths: Sequence[int],
    *,
    probe: str = "return null;",
    chromium: str | None = None,
    timeout: float = 120,
) -> dict[int, dict[str, Any]]:
    """How the page lays out in viewports of each of ``widths`` px, in one Chromium run: per
    width, ``scrollWidth`` (more than the viewport's ``clientWidth`` means a reader has to
    scroll sideways), ``height``, and ``extra``: what the JavaScript function body ``probe``
    returns for the frame's ``doc``."""
    with tempfile.TemporaryDirectory(prefix="digest-frame-") as tmp:
        host = _framed(Path(html_path).resolve(), widths, Path(tmp), probe=probe)
        window = f"--window-size={max(*widths, MIN_WINDOW_WIDTH) + 20},{HEIGHT}"
        result = _chromium(["--dump-dom", window], host, chromium, timeout)
    found = re.search(r'data-layout="([^"]*)"', result.stdout)
    if found is None:
        tail = " ".join(result.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"chromium measured nothing (exit {result.returncode}): {tail}")
    layout = json.loads(html_module.unescape(found.group(1)))
    return {int(width): figures for width, figures in layout.items()}


def _framed(page: Path, widths: Sequence[int], tmp: Path, probe: str | None = None) -> Path:
    """A host page showing ``page`` in a frame of each of ``widths`` px (``srcdoc``: same
    origin, so the probe can read the frames' layout)."""
    content = html_module.escape(page.read_text(encoding="utf-8"), quote=True)
    frames = "".join(
        f'<iframe style="display:block;border:0;width:{width}px;height:{HEIGHT}px"'
        f' srcdoc="{content}"></iframe>'
        for width in widths
    )
    script = _PROBE % json.dumps(probe) if probe is not None else ""
    host = tmp / "host.html"
    host.write_text(
        f'<!DOCTYPE html><html><body style="margin:0">{frames}{script}</body></html>',
        encoding="utf-8",
    )
    return host


def _chromium(
    args: list[str], page: Path, chromium: str | None, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a throwaway profile on ``page``."""
    binary = chromium or find_chromium()
    if binary is None:
        raise RuntimeError("chromium is not installed")
    with tempfile.TemporaryDirectory(prefix="digest-chromium-") as profile:
        return subprocess.run(
            [binary, *_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="?", help="HTML file (default: the sample digest)")
    parser.add_argument("-o", "--out", default="digest.png", help="PNG to write")
    parser.add_argument("--width", type=int, default=WIDTH)
    parser.add_argument("--height", type=int, default=HEIGHT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="digest-html-") as tmp:
        html = args.html
        if html is None:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from tracker.demo.sample import sample_digest
            from tracker.digest.render import render_digest

            html = Path(tmp) / "digest.html"
            html.write_text(render_digest(sample_digest()).html, encoding="utf-8")
        try:
            png = screenshot(html, args.out, width=args.width, height=args.height)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"screenshot failed: {exc}", file=sys.stderr)
            return 1
    print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
