"""Helpers shared by the tests."""

from __future__ import annotations

import importlib.util
import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SCREENSHOT_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "screenshot_digest.py"


def screenshot_script() -> ModuleType:
    """``scripts/screenshot_digest.py`` (headless Chromium: screenshots and layout figures)."""
    spec = importlib.util.spec_from_file_location("screenshot_digest", SCREENSHOT_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def needs_chromium(shot: ModuleType) -> pytest.MarkDecorator:
    """Skip when Chromium is not installed, unless ``$TRACKER_REQUIRE_CHROMIUM`` is set
    (``.ci/run`` sets it after installing Chromium: there a missing browser is a failure)."""
    missing = shot.find_chromium() is None
    if missing and os.environ.get("TRACKER_REQUIRE_CHROMIUM"):
        raise RuntimeError("$TRACKER_REQUIRE_CHROMIUM is set but chromium is not installed")
    return pytest.mark.skipif(
        missing, reason="chromium is not installed (apt-get install chromium): check skipped"
    )


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    """Rows of ``sql`` on the database file ``db``."""
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def run_ok(env: Any, *args: str, code: int = 0) -> Any:
    """Run ``tracker *args`` through ``env`` (the ``env`` fixture); it must exit ``code``."""
    result = env.tracker(*args)
    assert result.returncode == code, result.stdout + result.stderr
    return result


def get_testdata(path: str) -> str:
    """The text of a saved response under ``tests/fixtures/`` (UTF-8)."""
    return (FIXTURES / path).read_text(encoding="utf-8")


def get_testbytes(path: str) -> bytes:
    """The raw bytes of a saved response under ``tests/fixtures/``."""
    return (FIXTURES / path).read_bytes()


_TAG = re.compile(r'<([a-zA-Z][\w]*)((?:\s+[\w:-]+(?:="[^"]*")?)+)\s*(/?)>')
_ATTRIBUTE = re.compile(r'[\w:-]+(?:="[^"]*")?')
BANNER = '<div class="banner" role="alert"><p>의안정보시스템 개편 안내</p></div>'
ADS = [
    '<div class="ad"><a href="https://ads.example/c?id=1">'
    '<img src="/ad/1.png" alt="광고"></a></div>',
    '<aside class="ad ad--v2"><ins class="adsbygoogle" data-ad-slot="42"></ins>'
    '<iframe src="https://ads.example/frame" title="광고"></iframe></aside>',
]


def reorder_attributes(html: str) -> str:
    def reverse(match: re.Match[str]) -> str:
        attributes = _ATTRIBUTE.findall(match.group(2))
        return f"<{match.group(1)} {' '.join(reversed(attributes))}{match.group(3)}>"

    return _TAG.sub(reverse, html)


def _spaced(html: str) -> str:
    return re.sub(r">\s*<", ">\n    \n  <", html)


def _with_banner(html: str) -> str:
    return html.replace("<body>", "<body>" + BANNER, 1).replace(
        '<div id="rcp_list"', BANNER + '<div id="rcp_list"', 1
    )


def _with_ad(ad: str) -> Callable[[str], str]:
    return lambda html: html.replace("<body>", "<body>" + ad, 1)


def _everything(html: str) -> str:
    squeezed = re.sub(r">\s*<", "> <", _with_banner(html))
    return reorder_attributes(squeezed).replace("</body>", ADS[1] + "</body>")


# Changes a redesign of a page's chrome brings but that leave its data alone.
COSMETIC_CHANGES: tuple[Callable[[str], str], ...] = (
    _spaced,
    reorder_attributes,
    _with_banner,
    *(_with_ad(ad) for ad in ADS),
    _everything,
)


def cosmetic_variants(html: str) -> list[str]:
    """The page under each of the cosmetic changes."""
    return [change(html) for change in COSMETIC_CHANGES]
