"""The replica server's ``latency``: a fixed delay added to every response, for benchmarks."""

from __future__ import annotations

import time
import urllib.request

import pytest

from tracker.demo.replica.http import ReplicaServer, Response

pytestmark = pytest.mark.e2e


def _timed_get(url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=5) as response:
        body = response.read()
    return time.perf_counter() - started, body


def test_latency_delays_every_response_and_defaults_to_none() -> None:
    routes = {"/": lambda request: Response(200, "ok")}
    with ReplicaServer(routes) as server:
        assert server.latency == 0
        seconds, body = _timed_get(server.url + "/a")
        assert body == b"ok"
        assert seconds < 0.2
        server.latency = 0.3
        seconds, body = _timed_get(server.url + "/b")
        assert body == b"ok"
        assert seconds >= 0.3


def test_latency_adds_to_a_route_delay() -> None:
    routes = {"/": lambda request: Response(200, "ok", delay=0.1)}
    with ReplicaServer(routes, latency=0.2) as server:
        seconds, _ = _timed_get(server.url + "/")
        assert seconds >= 0.3
