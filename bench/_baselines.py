"""What the full scan is compared with: ``scrapy bench``, a naive loop, the replica's capacity."""

from __future__ import annotations

import http.client
import multiprocessing
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

from bench import _naive
from bench._term import API_KEY, PAGE_SIZE
from spiders.assembly_api import keyword_variants
from tracker.demo.replica.assembly import ENDPOINT
from tracker.demo.replica.bill_pages import DETAIL_PATH, FORM_FIELDS, INFO_PATH
from tracker.demo.replica.sources import Replica
from tracker.parsers.assembly import bill_from_row, parse_api_page
from tracker.parsers.likms import MENU_NO

SCRAPY_BENCH_SECONDS = 10
HAMMER_SECONDS = 5
HAMMER_CLIENTS = 16


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
            params = {"billId": bill_id, "currMenuNo": MENU_NO}
            response = session.get(shell_url, params=params, timeout=30)
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
    conn = http.client.HTTPConnection(urlsplit(url).netloc, timeout=30)
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
