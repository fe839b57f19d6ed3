"""Helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def get_testdata(path: str) -> str:
    """The text of a saved response under ``tests/fixtures/`` (UTF-8)."""
    return (FIXTURES / path).read_text(encoding="utf-8")


def get_testbytes(path: str) -> bytes:
    """The raw bytes of a saved response under ``tests/fixtures/``."""
    return (FIXTURES / path).read_bytes()
