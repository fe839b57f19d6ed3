"""``python -m bench`` fails when a benchmark misses a goal, and names the benchmark."""

from __future__ import annotations

import types

import pytest

from bench import __main__ as runner


def _benchmarks(monkeypatch: pytest.MonkeyPatch, met: dict[str, bool]) -> list[str]:
    """Stand-ins for the benchmarks (each reports ``met[name]``); returns the names run."""
    ran: list[str] = []

    def module(name: str) -> types.SimpleNamespace:
        short = name.removeprefix("bench.")

        def main() -> bool:
            ran.append(short)
            return met[short]

        return types.SimpleNamespace(main=main)

    monkeypatch.setattr(runner.importlib, "import_module", module)
    return ran


def test_a_missed_goal_fails_the_run_after_every_benchmark_ran(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    met = {"full_scan": False, "query_latency": True, "store_throughput": False}
    ran = _benchmarks(monkeypatch, met)
    assert runner.main([]) == 1
    assert ran == ["full_scan", "query_latency", "store_throughput"]
    assert "goals missed: full_scan, store_throughput" in capsys.readouterr().err


def test_every_goal_met_is_success(monkeypatch: pytest.MonkeyPatch):
    ran = _benchmarks(monkeypatch, {"query_latency": True})
    assert runner.main(["query_latency"]) == 0
    assert ran == ["query_latency"]


def test_an_unknown_benchmark_is_refused(monkeypatch: pytest.MonkeyPatch):
    ran = _benchmarks(monkeypatch, {})
    with pytest.raises(SystemExit, match="unknown benchmark"):
        runner.main(["nosuch"])
    assert ran == []
