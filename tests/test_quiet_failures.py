"""A host that is down: one line for each source at default verbosity, tracebacks with -v."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_down_host_is_one_line_per_source_and_tracebacks_only_with_v(env, replica):
    text = env.config.read_text(encoding="utf-8")
    text = text.replace(f'"{replica.url}/', f'"http://127.0.0.1:{closed_port()}/')
    assert replica.url not in text.split("[slack]")[0]
    env.config.write_text(
        text.replace("download_delay = 0", "download_delay = 0\ndownload_timeout = 2")
    )
    sources = {"assembly_api", "google_news", "naver_news", "feed:127.0.0.1/rss/allArticle.xml"}

    result = env.tracker("check")

    assert result.returncode == 3
    lines = [line for line in result.stderr.splitlines() if "ASSEMBLY_API_KEY" not in line]
    assert sorted(lines) == lines and len(lines) == len(sources), result.stderr
    assert {line.split(": ")[1] for line in lines} == sources
    assert all(line.startswith("source failed: ") and "refused" in line for line in lines)
    assert "Traceback" not in result.stderr

    verbose = env.tracker("-v", "check")
    assert verbose.returncode == 3
    assert "Traceback" in verbose.stderr and "robots.txt" in verbose.stderr


def test_a_callback_that_raises_fails_its_source_in_one_line(env):
    # The feed parser breaking in a way no parser error foresaw.
    script = (
        "import sys, spiders.news as news\n"
        "def broken(body): raise RuntimeError('feed parser broke')\n"
        "news.parse_feed = broken\n"
        "from tracker.cli import main\n"
        f"sys.argv = ['tracker', '--config', {str(env.config)!r}, 'check']\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=env.path, env=env.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert (
        "source failed: feed:127.0.0.1/rss/allArticle.xml: feed parser broke (http://127.0.0.1:"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
