"""Small helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def get_testdata(path: str) -> bytes:
    """The bytes of ``tests/fixtures/<path>``."""
    return (FIXTURES / path).read_bytes()
