"""Render a digest's HTML part to a PNG with headless Chromium, to check the email layout.

    python scripts/screenshot_digest.py                 # the bundled sample digest
    python scripts/screenshot_digest.py digest.html -o digest.png

Without an HTML file it renders ``notifiers.sample.sample_digest()``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTH, HEIGHT = 1000, 1800


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
    binary = chromium or find_chromium()
    if binary is None:
        raise RuntimeError("chromium is not installed")
    html = Path(html_path).resolve()
    png = Path(png_path).resolve()
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="digest-chromium-") as profile:
        result = subprocess.run(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={width},{height}",
                html.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if not png.exists() or png.stat().st_size == 0:
        tail = " ".join(result.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"chromium made no screenshot (exit {result.returncode}): {tail}")
    return png


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
            from notifiers.email import render_digest
            from notifiers.sample import sample_digest

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
