"""Full scan of a 20,000-bill term, then an idle cycle, against ``scrapy bench`` and a naive loop.

The replica serves a generated term of ``TERM_BILLS`` bills; every ``TRACKED_EVERY``-th has
"해오름 산업벨트" in its title, which the replica config's watch keywords match, so 2,000
bills are *tracked*: the Open API scan finds them (pSize 1000, an API key configured so pages
are not capped to 5 rows) and each gets its bill pages read (the shell GET and the
``billInfo.do`` POST). The other 18,000 bills are in the term the API searches but never
match. ``tracker check --full`` runs as a subprocess against a fresh database and is timed as
a whole: start-up, crawl, parse, diff, store and delivery (no Slack configured: the console
notifier prints the new-bill alerts to /dev/null).

Baselines measured in the same run: ``scrapy bench`` (Scrapy's own spider and server) for the
page rate, a naive sequential requests + BeautifulSoup loop over the same pages (parsed the way
a simple script would, ``bench/_naive.py``: no validation, no storing) for the speed-up, and
the replica's capacity under a concurrent keep-alive client, to tell whether Scrapy or the
server limits the rate. Peak RSS is that of the full-scan process (``wait4``).

The idle cycle is measured as ``tracker run`` runs its cycles: each check process is started
ahead and waits with its imports done (``tracker.standby``), and is timed from *go* to its
exit. Against a fresh database: a full scan so, then ``IDLE_CYCLES`` cycles with nothing
changed (the median one's time against that full scan's, and the history rows they wrote: a
single cycle of half a second is at the mercy of one hiccup), then the ``STEADY_CYCLES`` cycles
that follow at the configured check interval (the clock moved on with ``$TRACKER_CLOCK``), in
which the quiet bills' pages are read again a few each cycle in turn (``tracker.domain.revisit``).
For comparison, the idle ``tracker check`` run by hand (a fresh process, start-up included)
is also timed after the first full scan.

That is the *0 ms profile*: on loopback the replica answers at once, so a crawler's
concurrency has no waiting to hide and the speed-up over the sequential loop measures CPU
alone. A second, *latency profile* then repeats the full scan (fresh database) and the naive
loop with the replica holding every response for ``LATENCY_SECONDS``, a stand-in for the real
sites' response times. The naive loop there reads only the first ``NAIVE_LATENCY_SAMPLE``
tracked bills (it would take minutes otherwise); its time for all of them is extrapolated
from that sample's time per bill, plus the API scan's measured time.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

from bench import _naive
from spiders.assembly_api import keyword_variants
from tracker.demo.replica.assembly import ENDPOINT, advance, bill_row
from tracker.demo.replica.bill_pages import DETAIL_PATH, FORM_FIELDS, INFO_PATH
from tracker.demo.replica.sources import Replica
from tracker.parsers.assembly import bill_from_row, parse_api_page
from tracker.parsers.likms import MENU_NO
from tracker.scheduler import CheckProcess
from tracker.timeutil import CLOCK_ENV, now

TERM_BILLS = 20_000
TRACKED_EVERY = 10
API_KEY = "bench-key"
PAGE_SIZE = 1000
KEYWORD = "해오름 산업벨트"
# The tracked bills' stages, in turn: mostly open bills, some at the plenary (always read in
# full, see spiders/bill_pages.py) and some in a final stage (skipped by a non-full check).
STAGES = (
    (),
    ("committee_review",),
    ("committee_review", "judiciary_review"),
    ("committee_review",),
    ("committee_review", "judiciary_review", "plenary"),
    ("committee_review", "judiciary_review", "plenary", "passed", "promulgated"),
    (),
    ("committee_review",),
    ("withdrawn",),
    ("committee_review",),
)
HISTORY_TABLES = ("bill_changes", "alerts", "bill_events")
SCRAPY_BENCH_SECONDS = 10
NAIVE_MAX_SECONDS = 120
LATENCY_SECONDS = 0.05
NAIVE_LATENCY_SAMPLE = 100
HAMMER_SECONDS = 5
HAMMER_CLIENTS = 16
CHECK_TIMEOUT = 600
STEADY_CYCLES = 12
IDLE_CYCLES = 3

GOAL_SCRAPY_RATIO = 0.8
GOAL_NAIVE_SPEEDUP = 5.0
GOAL_IDLE_RATIO = 0.05
GOAL_RSS_MB = 200


def term_rows() -> Iterator[dict[str, object]]:
    """The generated term: ``TERM_BILLS`` API rows, every ``TRACKED_EVERY``-th one tracked."""
    for n in range(TERM_BILLS):
        tracked = n % TRACKED_EVERY == 0
        title = (
            f"{KEYWORD} 지원 특별법안 제{n}호" if tracked else f"지방세법 일부개정법률안 제{n}호"
        )
        row = bill_row(
            f"PRC_BENCH{n:015d}", str(2_200_000 + n), title, "홍길동의원 등 10인", "2025-01-10"
        )
        if tracked:
            for stage in STAGES[(n // TRACKED_EVERY) % len(STAGES)]:
                advance(row, stage, "2025-03-02")
        yield row


def tracked_count() -> int:
    return len(range(0, TERM_BILLS, TRACKED_EVERY))


@dataclass
class Cycle:
    seconds: float
    requests: int
    cpu_seconds: float | None
    server_cpu_seconds: float
    peak_rss_mb: float | None
    history_rows: dict[str, int]

    @property
    def pages_per_second(self) -> float:
        return self.requests / self.seconds


def _history(db: Path) -> dict[str, int]:
    if not db.exists():
        return dict.fromkeys(HISTORY_TABLES, 0)
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in HISTORY_TABLES}


def _check_env(clock: datetime | None) -> dict[str, str]:
    """The environment of a check: no notifier or tracker settings from ours, the API key, and
    ``clock`` as the time it runs at."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "SMTP_", "NAVER_", "TRACKER_"))
    }
    env["ASSEMBLY_API_KEY"] = API_KEY
    if clock:
        env[CLOCK_ENV] = clock.isoformat()
    return env


def run_check(replica: Replica, workdir: Path, *args: str, clock: datetime | None = None) -> Cycle:
    """One ``tracker check`` subprocess, timed; its CPU time and peak RSS from ``wait4``.
    ``clock`` runs it at that time (``$TRACKER_CLOCK``) instead of now."""
    db = workdir / "tracker.db"
    before = _history(db)
    served = len(replica.server.log)  # type: ignore[union-attr]
    env = _check_env(clock)
    command = [sys.executable, "-m", "tracker", "--config", str(workdir / "tracker.toml")]
    server_cpu = time.process_time()
    started = time.perf_counter()
    # stderr to a file: a pipe nobody reads while waiting would fill up and block the check.
    with (
        tempfile.TemporaryFile() as stderr,
        subprocess.Popen(
            [*command, "check", *args],
            cwd=workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        ) as proc,
    ):
        timer = threading.Timer(CHECK_TIMEOUT, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        seconds = time.perf_counter() - started
        server_cpu = time.process_time() - server_cpu
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        errors = stderr.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"tracker check {' '.join(args)} exited {proc.returncode}:\n{errors}")
    after = _history(db)
    return Cycle(
        seconds,
        len(replica.server.log) - served,  # type: ignore[union-attr]
        usage.ru_utime + usage.ru_stime,
        server_cpu,
        usage.ru_maxrss / 1024,
        {t: after[t] - before[t] for t in HISTORY_TABLES},
    )


@dataclass
class _BenchCheckProcess(CheckProcess):
    """The daemon's check process, asked for a full scan when ``full`` (the daemon never is)."""

    full: bool = False

    def command(self) -> list[str]:
        return [*super().command(), *(["--full"] if self.full else [])]


@contextmanager
def _stdout_to_devnull() -> Iterator[None]:
    """Children started meanwhile print (the run line, console alerts) to /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def run_standby(
    replica: Replica, workdir: Path, full: bool = False, clock: datetime | None = None
) -> Cycle:
    """One cycle as ``tracker run`` runs it: the check process started ahead and ready, timed
    from *go* to its exit."""
    from tracker.config import load_config

    environ = _check_env(clock)
    config = load_config(str(workdir / "tracker.toml"), env=environ)
    checks = _BenchCheckProcess(config, CHECK_TIMEOUT, environ=environ, full=full)
    db = workdir / "tracker.db"
    before = _history(db)
    with _stdout_to_devnull():
        standby = checks.prepare()
    assert standby is not None
    if not standby.ready(CHECK_TIMEOUT):
        raise SystemExit("the standby check process did not get ready")
    served = len(replica.server.log)  # type: ignore[union-attr]
    server_cpu = time.process_time()
    started = time.perf_counter()
    code = checks.run()
    seconds = time.perf_counter() - started
    server_cpu = time.process_time() - server_cpu
    checks.close()
    if code != 0:
        raise SystemExit(f"the standby check exited {code}")
    after = _history(db)
    return Cycle(
        seconds,
        len(replica.server.log) - served,  # type: ignore[union-attr]
        None,
        server_cpu,
        None,
        {t: after[t] - before[t] for t in HISTORY_TABLES},
    )


def daemon_cycles(replica: Replica, workdir: Path) -> tuple[Cycle, list[Cycle], list[Cycle]]:
    """A full scan, ``IDLE_CYCLES`` idle cycles right after it and the ``STEADY_CYCLES`` idle
    cycles that follow at the configured check interval, each as ``tracker run`` runs it,
    against a fresh database."""
    from tracker.config import load_config

    workdir.mkdir()
    config_path = _write_config(replica, workdir)
    config = load_config(str(config_path), env={"ASSEMBLY_API_KEY": API_KEY})
    every = timedelta(minutes=config.schedule.check_every_minutes)
    full = run_standby(replica, workdir, full=True)
    idles = [run_standby(replica, workdir) for _ in range(IDLE_CYCLES)]
    start = now(config.tracker.timezone)
    steady = [
        run_standby(replica, workdir, clock=start + every * k) for k in range(1, STEADY_CYCLES + 1)
    ]
    return full, idles, steady


def scrapy_bench_rate() -> float:
    """Pages/s of ``scrapy bench``: the median of its per-second rates after the first."""
    with tempfile.TemporaryDirectory(prefix="tracker-scrapy-bench-") as tmp:
        # Outside the project, so that Scrapy's defaults apply rather than spiders/settings.py.
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "bench",
                "-s",
                f"CLOSESPIDER_TIMEOUT={SCRAPY_BENCH_SECONDS}",
            ],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=SCRAPY_BENCH_SECONDS * 6,
        )
    rates = [int(m) / 60 for m in re.findall(r"\(at (\d+) pages/min\)", result.stderr)]
    if len(rates) < 3:
        raise SystemExit(f"scrapy bench gave no rates:\n{result.stderr[-2000:]}")
    return statistics.median(rates[1:])


@dataclass
class NaiveScan:
    seconds: float
    requests: int
    bills: int
    api_seconds: float
    bills_found: int

    @property
    def estimated_seconds(self) -> float:
        """Seconds for every bill found: measured if all were read, else extrapolated from
        the time per bill read (plus the API scan's measured time)."""
        if self.bills == self.bills_found:
            return self.seconds
        per_bill = (self.seconds - self.api_seconds) / self.bills
        return self.api_seconds + per_bill * self.bills_found

    @property
    def bills_per_second(self) -> float:
        return self.bills_found / self.estimated_seconds


def naive_scan(config_path: Path, max_seconds: float, sample: int | None = None) -> NaiveScan:
    """The same pages fetched one after another with requests and parsed with BeautifulSoup as a
    simple script would (``bench/_naive.py``); nothing stored. Stops after ``max_seconds`` or
    ``sample`` bills."""
    from tracker.config import load_config

    config = load_config(str(config_path), env={"ASSEMBLY_API_KEY": API_KEY})
    assembly = config.sources.assembly
    started = time.perf_counter()
    fetched = 0
    bill_ids: list[str] = []
    for text, _ in keyword_variants(config.watch.keywords):
        page, total = 1, 1
        while (page - 1) * PAGE_SIZE < total:
            query = {"Type": "json", "pIndex": page, "pSize": PAGE_SIZE, "KEY": API_KEY}
            query |= {"AGE": 22, "BILL_NAME": text}
            url = f"{assembly.api_base}/{ENDPOINT}?{urlencode(query)}"
            parsed = parse_api_page(requests.get(url, timeout=30).content, ENDPOINT)
            fetched += 1
            bill_ids += [bill_from_row(row).bill_id for row in parsed.rows]
            total = parsed.total if parsed.rows else 0
            page += 1
    api_seconds = time.perf_counter() - started
    base = assembly.bill_page_base
    done = 0
    found = list(dict.fromkeys(bill_ids))
    for bill_id in found:
        if time.perf_counter() - started > max_seconds or done == sample:
            break
        # A session per bill, for the cookie the page sets with its CSRF token.
        with requests.Session() as session:
            shell_url = f"{base}/bi/billDetailPage.do"
            query = {"billId": bill_id, "currMenuNo": MENU_NO}
            response = session.get(shell_url, params=query, timeout=30)
            shell = _naive.shell(response.text)
            headers = {"X-CSRF-TOKEN": shell["csrf_token"], "Referer": response.url}
            info_url = f"{base}/bi/bill/detail/billInfo.do"
            response = session.post(info_url, data=shell["form"], headers=headers, timeout=30)
            _naive.bill_info(response.text)
        fetched += 2
        done += 1
    return NaiveScan(time.perf_counter() - started, fetched, done, api_seconds, len(found))


_TOKEN = re.compile(r'<meta content="([^"]+)" name="_csrf"')


def _hammer_client(url: str, bill_ids: list[str], seconds: float, counts: list[int]) -> None:
    """One keep-alive connection doing shell GET + billInfo POST pairs until time is up."""
    address = urlsplit(url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    deadline = time.perf_counter() + seconds
    served = 0
    while time.perf_counter() < deadline:
        for bill_id in bill_ids:
            query = urlencode({"billId": bill_id, "currMenuNo": MENU_NO})
            conn.request("GET", f"{DETAIL_PATH}?{query}")
            response = conn.getresponse()
            body = response.read().decode()
            cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
            token = _TOKEN.search(body)
            form = urlencode(dict.fromkeys(FORM_FIELDS, "") | {"billId": bill_id})
            headers = {
                "Cookie": cookie,
                "X-CSRF-TOKEN": token.group(1) if token else "",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            conn.request("POST", INFO_PATH, form, headers)
            conn.getresponse().read()
            served += 2
            if time.perf_counter() >= deadline:
                break
    counts.append(served)


def _hammer_process(url: str, bill_ids: list[str], seconds: float, out: object) -> None:
    counts: list[int] = []
    threads = [
        threading.Thread(
            target=_hammer_client, args=(url, bill_ids[i::HAMMER_CLIENTS], seconds, counts)
        )
        for i in range(HAMMER_CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.send(sum(counts))  # type: ignore[attr-defined]


def replica_capacity(replica: Replica, bill_ids: list[str]) -> tuple[float, float]:
    """Requests/s the replica serves to ``HAMMER_CLIENTS`` keep-alive connections in another
    process (the bill pages mix), and the server's CPU use meanwhile (1.0 = one core)."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_hammer_process, args=(replica.url, bill_ids, HAMMER_SECONDS, send)
    )
    process.start()
    # Timed from the first request, not from the child's start-up.
    served = len(replica.server.log)  # type: ignore[union-attr]
    while len(replica.server.log) == served:  # type: ignore[union-attr]
        time.sleep(0.01)
    cpu, started = time.process_time(), time.perf_counter()
    total = receive.recv()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    process.join()
    return total / seconds, cpu / seconds


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _report(
    tracked: int,
    full: Cycle,
    idle_by_hand: Cycle,
    daemon: tuple[Cycle, list[Cycle], list[Cycle]],
    naive: NaiveScan,
    scrapy_rate: float,
    capacity: float,
    capacity_cpu: float,
) -> None:
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
    speedup = (tracked / full.seconds) / (naive.bills / naive.seconds)
    idle_ratio = idle.seconds / daemon_full.seconds
    steady_ratio = steady_seconds / daemon_full.seconds
    idle_rows = sum(sum(c.history_rows.values()) for c in [*idles, *steady])
    print(f"\n{'ratio':<44} {'measured':>9} {'goal':>8}")
    checks = (
        ("pages/s vs scrapy bench", f"{scrapy_ratio:.0%}", f">= {GOAL_SCRAPY_RATIO:.0%}",
         scrapy_ratio >= GOAL_SCRAPY_RATIO),
        ("bills/s vs naive loop (0 ms)", f"{speedup:.2f}x", f">= {GOAL_NAIVE_SPEEDUP:.0f}x",
         speedup >= GOAL_NAIVE_SPEEDUP),
        ("idle cycle time vs full scan (tracker run)", f"{idle_ratio:.1%}",
         f"<= {GOAL_IDLE_RATIO:.0%}", idle_ratio <= GOAL_IDLE_RATIO),
        ("later idle cycles, mean, vs full scan", f"{steady_ratio:.1%}",
         f"<= {GOAL_IDLE_RATIO:.0%}", steady_ratio <= GOAL_IDLE_RATIO),
        ("idle cycles' history rows", str(idle_rows), "0", idle_rows == 0),
        ("peak RSS of the full scan (MB)", f"{full.peak_rss_mb:.0f}", f"< {GOAL_RSS_MB}",
         full.peak_rss_mb < GOAL_RSS_MB),
    )  # fmt: skip
    for name, measured, goal, ok in checks:
        print(f"{name:<44} {measured:>9} {goal:>8}  {_verdict(ok)}")
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


def _speedup(tracked: int, full: Cycle, naive: NaiveScan) -> float:
    return (tracked / full.seconds) / naive.bills_per_second


def _report_latency(tracked: int, full: Cycle, naive: NaiveScan, speedup_0ms: float) -> None:
    ms = LATENCY_SECONDS * 1000
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
    speedup = _speedup(tracked, full, naive)
    print(f"\n{'ratio':<44} {'measured':>9} {'goal':>8}")
    for name, value in ((f"bills/s vs naive loop ({ms:.0f} ms)", speedup),
                        ("bills/s vs naive loop (0 ms, above)", speedup_0ms)):  # fmt: skip
        verdict = _verdict(value >= GOAL_NAIVE_SPEEDUP)
        print(
            f"{name:<44} {value:>8.2f}x {'>= ' + str(int(GOAL_NAIVE_SPEEDUP)) + 'x':>8}  {verdict}"
        )


def _write_config(replica: Replica, workdir: Path) -> Path:
    """``workdir/tracker.toml``: the replica's config, its database in ``workdir``."""
    config = workdir / "tracker.toml"
    text = replica.config_toml(workdir / "tracker.db").replace(
        "[sources.assembly]\n", f"[sources.assembly]\npage_size = {PAGE_SIZE}\n"
    )
    config.write_text(text, encoding="utf-8")
    return config


def main() -> None:
    tracked = tracked_count()
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        workdir = Path(tmp)
        replica = Replica()
        replica.assembly.api_key = API_KEY
        for row in term_rows():
            replica.assembly.add(row)
        bill_ids = [b for b, row in replica.assembly.rows.items() if KEYWORD in row["BILL_NAME"]]
        # Every run finds the pages made, as a long-running site would have them.
        for bill_id in bill_ids:
            replica.pages.page(bill_id)
        print(f"a term of {TERM_BILLS:,} bills, {len(bill_ids):,} tracked", flush=True)
        with replica:
            config = _write_config(replica, workdir)
            full = run_check(replica, workdir, "--full")
            idle_by_hand = run_check(replica, workdir)
            daemon = daemon_cycles(replica, workdir / "daemon")
            capacity, capacity_cpu = replica_capacity(replica, bill_ids)
            naive = naive_scan(config, NAIVE_MAX_SECONDS)
            # The latency profile: same replica, every response held LATENCY_SECONDS, and a
            # fresh database so the check is again a full scan of new bills.
            replica.server.latency = LATENCY_SECONDS  # type: ignore[union-attr]
            slow_dir = workdir / "latency"
            slow_dir.mkdir()
            slow_config = _write_config(replica, slow_dir)
            slow_full = run_check(replica, slow_dir, "--full")
            slow_naive = naive_scan(slow_config, NAIVE_MAX_SECONDS, NAIVE_LATENCY_SAMPLE)
        scrapy_rate = scrapy_bench_rate()
    _report(tracked, full, idle_by_hand, daemon, naive, scrapy_rate, capacity, capacity_cpu)
    speedup_0ms = (tracked / full.seconds) / (naive.bills / naive.seconds)
    print(flush=True)
    _report_latency(tracked, slow_full, slow_naive, speedup_0ms)


if __name__ == "__main__":
    main()
