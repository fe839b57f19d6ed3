"""A check talks to its configured sources only: with the network blocked except 127.0.0.1 and
a fresh home directory (no cache), it makes no other connection attempt and does not wait."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

# Loaded by every Python process started with its folder first on PYTHONPATH: any name
# resolution or connection to a host other than the loopback is written down and refused.
GUARD = """
import os
import socket

_LOG = os.environ["NETWORK_GUARD_LOG"]
_LOCAL = {"127.0.0.1", "::1", "localhost"}


def _refuse(what):
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(what + "\\n")
    raise ConnectionRefusedError("network blocked: " + what)


_getaddrinfo = socket.getaddrinfo


def getaddrinfo(host, *args, **kwargs):
    if host is not None and str(host) not in _LOCAL:
        _refuse(f"resolve {host}")
    return _getaddrinfo(host, *args, **kwargs)


def _allowed(address):
    return not isinstance(address, tuple) or str(address[0]) in _LOCAL


_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def connect(self, address):
    if not _allowed(address):
        _refuse(f"connect {address}")
    return _connect(self, address)


def connect_ex(self, address):
    if not _allowed(address):
        _refuse(f"connect {address}")
    return _connect_ex(self, address)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
"""


def guarded_env(env, tmp_path: Path) -> tuple[dict[str, str], Path]:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "attempts.log"
    blocked = {k: v for k, v in env.env.items() if k not in ("XDG_CACHE_HOME", "TLDEXTRACT_CACHE")}
    paths = [str(guard), *filter(None, [os.environ.get("PYTHONPATH")])]
    blocked |= {"HOME": str(home), "PYTHONPATH": os.pathsep.join(paths)}
    blocked["NETWORK_GUARD_LOG"] = str(log)
    return blocked, log


def test_the_guard_refuses_and_records_other_hosts(env, tmp_path):
    blocked, log = guarded_env(env, tmp_path)
    probe = "import socket; socket.create_connection(('example.org', 80), timeout=1)"
    result = subprocess.run(
        [sys.executable, "-c", probe], env=blocked, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert log.read_text(encoding="utf-8").splitlines() == ["resolve example.org"]


def test_a_check_with_a_fresh_home_connects_to_the_configured_sources_only(
    env, replica, slack, tmp_path
):
    env.env, log = guarded_env(env, tmp_path)
    started = time.monotonic()

    result = env.tracker("check")

    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    attempts = log.read_text(encoding="utf-8") if log.exists() else ""
    assert attempts == "", attempts
    # The bill pages set a session cookie, which is when a public-suffix list is needed.
    assert replica.requests("/bill/")
    assert slack.messages
    assert seconds < 30, f"the check took {seconds:.1f}s"
