"""The full scan's report: its tables, and each ratio against its goal."""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench._baselines import HAMMER_CLIENTS, NaiveScan
from bench._cycles import Cycle

GOAL_SCRAPY_RATIO = 0.8
GOAL_NAIVE_SPEEDUP = 5.0
GOAL_IDLE_RATIO = 0.05
GOAL_RSS_MB = 200


@dataclass(frozen=True)
class Goal:
    """One ratio of the report against its goal."""

    name: str
    measured: str
    goal: str
    met: bool


def print_goals(goals: Sequence[Goal]) -> bool:
    """The goals as a table, each PASS or FAIL; whether every one was met."""
    print(f"\n{'ratio':<44} {'measured':>9} {'goal':>8}")
    for goal in goals:
        verdict = "PASS" if goal.met else "FAIL"
        print(f"{goal.name:<44} {goal.measured:>9} {goal.goal:>8}  {verdict}")
    return all(goal.met for goal in goals)


def naive_speedup(tracked: int, full: Cycle, naive: NaiveScan) -> float:
    """Bills/s of the full scan against the naive loop's over every bill it found."""
    return (tracked / full.seconds) / naive.bills_per_second


def _speedup_goal(name: str, speedup: float) -> Goal:
    return Goal(
        name, f"{speedup:.2f}x", f">= {GOAL_NAIVE_SPEEDUP:.0f}x", speedup >= GOAL_NAIVE_SPEEDUP
    )


def report(
    tracked: int,
    full: Cycle,
    idle_by_hand: Cycle,
    daemon: tuple[Cycle, list[Cycle], list[Cycle]],
    naive: NaiveScan,
    scrapy_rate: float,
    capacity: float,
    capacity_cpu: float,
) -> bool:
    """Print the 0 ms profile's runs and ratios; whether every goal was met."""
    daemon_full, idles, steady = daemon
    idle = sorted(idles, key=lambda c: c.seconds)[len(idles) // 2]
    steady_seconds = statistics.mean(c.seconds for c in steady)
    naive_rate = naive.requests / naive.seconds
    print("-- 0 ms profile: the replica answers at once (loopback)")
    print(f"{'run':<40} {'seconds':>8} {'requests':>9} {'pages/s':>8} {'bills/s':>8} {'CPU s':>6}")
    rows = (
        ("tracker check --full", full.seconds, full.requests, full.cpu_seconds, tracked),
        ("tracker check (idle, by hand)", idle_by_hand.seconds, idle_by_hand.requests,
         idle_by_hand.cpu_seconds, tracked),
        ("tracker run: full scan", daemon_full.seconds, daemon_full.requests, None, tracked),
        (f"tracker run: idle cycle, median of {len(idles)}", idle.seconds, idle.requests, None,
         tracked),
        (f"tracker run: {len(steady)} idle cycles later, mean", steady_seconds,
         round(statistics.mean(c.requests for c in steady)), None, tracked),
        ("naive requests + BeautifulSoup", naive.seconds, naive.requests, None, naive.bills),
    )  # fmt: skip
    for name, seconds, count, cpu, bills in rows:
        cpu_text = f"{cpu:>6.1f}" if cpu is not None else f"{'':>6}"
        print(
            f"{name:<40} {seconds:>8.1f} {count:>9,} {count / seconds:>8.0f}"
            f" {bills / seconds:>8.0f} {cpu_text}"
        )
    print(f"{'scrapy bench (its own server)':<40} {'':>8} {'':>9} {scrapy_rate:>8.0f}")
    assert full.cpu_seconds is not None and full.peak_rss_mb is not None
    print(
        f"replica capacity: {capacity:,.0f} requests/s to {HAMMER_CLIENTS} keep-alive clients"
        f" (server at {capacity_cpu:.2f} cores); during the full scan the server used"
        f" {full.server_cpu_seconds / full.seconds:.2f} cores, tracker"
        f" {full.cpu_seconds / full.seconds:.2f}"
    )
    scrapy_ratio = full.pages_per_second / scrapy_rate
    idle_ratio = idle.seconds / daemon_full.seconds
    steady_ratio = steady_seconds / daemon_full.seconds
    idle_rows = sum(sum(c.history_rows.values()) for c in [*idles, *steady])
    met = print_goals(
        (
            Goal("pages/s vs scrapy bench", f"{scrapy_ratio:.0%}", f">= {GOAL_SCRAPY_RATIO:.0%}",
                 scrapy_ratio >= GOAL_SCRAPY_RATIO),
            _speedup_goal("bills/s vs naive loop (0 ms)", naive_speedup(tracked, full, naive)),
            Goal("idle cycle time vs full scan (tracker run)", f"{idle_ratio:.1%}",
                 f"<= {GOAL_IDLE_RATIO:.0%}", idle_ratio <= GOAL_IDLE_RATIO),
            Goal("later idle cycles, mean, vs full scan", f"{steady_ratio:.1%}",
                 f"<= {GOAL_IDLE_RATIO:.0%}", steady_ratio <= GOAL_IDLE_RATIO),
            Goal("idle cycles' history rows", str(idle_rows), "0", idle_rows == 0),
            Goal("peak RSS of the full scan (MB)", f"{full.peak_rss_mb:.0f}", f"< {GOAL_RSS_MB}",
                 full.peak_rss_mb < GOAL_RSS_MB),
        )
    )  # fmt: skip
    print(
        f"(by hand, a fresh `tracker check` process: idle {idle_by_hand.seconds:.1f} s,"
        f" {idle_by_hand.seconds / full.seconds:.1%} of its full scan; the difference is"
        f" start-up, which `tracker run` pays while it waits between cycles)"
    )
    print(
        f"(idle cycles right after the full scan: seconds"
        f" {', '.join(f'{c.seconds:.2f}' for c in idles)}; rows by table of the median one:"
        f" {idle.history_rows})"
    )
    print(
        f"(later idle cycles, {len(steady)} at the check interval: seconds"
        f" {', '.join(f'{c.seconds:.2f}' for c in steady)};"
        f" requests {', '.join(str(c.requests) for c in steady)})"
    )
    print(f"(naive loop: {naive_rate:.0f} requests/s; {os.cpu_count()} cores)")
    return met


def report_latency(tracked: int, full: Cycle, naive: NaiveScan, latency: float) -> bool:
    """Print the latency profile's runs and ratio; whether its goal was met."""
    ms = latency * 1000
    print(f"\n-- latency profile: the replica holds every response {ms:.0f} ms")
    print(f"{'run':<34} {'seconds':>8} {'requests':>9} {'pages/s':>8} {'bills/s':>8} {'CPU s':>6}")
    print(
        f"{'tracker check --full':<34} {full.seconds:>8.1f} {full.requests:>9,}"
        f" {full.pages_per_second:>8.0f} {tracked / full.seconds:>8.0f} {full.cpu_seconds:>6.1f}"
    )
    print(
        f"{'naive loop, extrapolated':<34} {naive.estimated_seconds:>8.1f} {'':>9}"
        f" {'':>8} {naive.bills_per_second:>8.1f}"
    )
    print(
        f"(naive loop measured over {naive.bills} of {naive.bills_found} bills:"
        f" {naive.seconds:.1f} s, {naive.requests} requests, API scan {naive.api_seconds:.2f} s;"
        f" the rest extrapolated at {(naive.seconds - naive.api_seconds) / naive.bills:.3f} s"
        " a bill)"
        if naive.bills < naive.bills_found
        else f"(naive loop read all {naive.bills} bills: {naive.seconds:.1f} s)"
    )
    speedup = naive_speedup(tracked, full, naive)
    return print_goals([_speedup_goal(f"bills/s vs naive loop ({ms:.0f} ms)", speedup)])
