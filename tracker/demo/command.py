"""``tracker demo``: the whole pipeline offline, told as a story of a few weeks.

The replica of every source and a stand-in for the Slack Web API listen on 127.0.0.1. Before
each step of the scripted timeline (:mod:`tracker.demo.replica.timeline`) the replica changes, then
a real ``tracker check`` process runs with ``$TRACKER_CLOCK`` at the step's date and time, so
the database tells the story's dates without any waiting. The stand-in shows every Slack
message as it arrives. The epilogue writes the digest of the whole story through the digest
code, answers a few canned queries and says what to do next; with ``keep_serving`` the replica
and the stand-in stay up for the user's own commands until SIGINT/SIGTERM.
"""

from __future__ import annotations

import html
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tracker.config import load_config
from tracker.demo.replica.news import NAVER_CLIENT_ID, NAVER_CLIENT_SECRET
from tracker.demo.replica.scenario import initial_rows
from tracker.demo.replica.slack import FakeSlack
from tracker.demo.replica.sources import Replica
from tracker.demo.replica.timeline import STEPS, STORY_END, STORY_START, Step
from tracker.digest.mail import write_digest_file
from tracker.digest.service import preview_digest
from tracker.query.canned import QUERIES
from tracker.query.sql import format_table, query_file
from tracker.timeutil import CLOCK_ENV

DEMO_TOKEN = "xoxb-demo-token"
DIGEST_FILES = ("digest.html", "digest.eml")
SHOWN_QUERIES = ("where_bills_stand", "history_of_one_bill", "news_stories")
# Exit codes of `tracker check` the story expects: ok, and a source failing on purpose.
EXPECTED_CODES = {0: "[green]ok", 3: "[yellow]a source failed (exit 3)"}


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _tracker_command() -> str:
    """How the user calls tracker: the virtualenv's script when it is there."""
    script = Path(sys.executable).parent / "tracker"
    return _shown(script) if script.exists() else "tracker"


def _show_slack_message(console: Console, message: dict[str, Any]) -> None:
    console.print(
        Panel(
            html.unescape(message.get("text", "")),
            title=f"Slack {message.get('channel', '')}",
            title_align="left",
            border_style="magenta",
        )
    )


def _check(config: Path, workdir: Path, step: Step) -> subprocess.CompletedProcess[str]:
    """One real ``tracker check`` at the step's time, with the replica's credentials only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    for name in ("ASSEMBLY_API_KEY", "TRACKER_DB"):
        env.pop(name, None)
    env.update(
        SLACK_BOT_TOKEN=DEMO_TOKEN,
        NAVER_CLIENT_ID=NAVER_CLIENT_ID,
        NAVER_CLIENT_SECRET=NAVER_CLIENT_SECRET,
    )
    env[CLOCK_ENV] = step.at.isoformat()
    return subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config.resolve()), "check"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )


def _play(console: Console, replica: Replica, config: Path, workdir: Path) -> bool:
    """Every step of the timeline; False when a check ended in a way the story does not."""
    started = time.monotonic()
    as_expected = True
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    # Transient: on a terminal the bar stays at the bottom; in a log it prints nothing, and
    # each step's line below carries the counter and the elapsed time.
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("tracker check", total=len(STEPS))
        for number, step in enumerate(STEPS, start=1):
            step.apply(replica)
            console.print(
                f"\n[bold cyan]{number}/{len(STEPS)}[/] [dim]{time.monotonic() - started:4.0f}s[/]"
                f" [bold]{step.day} {step.time}[/] {step.title}"
            )
            progress.update(task, description=f"{step.day} tracker check")
            result = _check(config, workdir, step)
            status = EXPECTED_CODES.get(result.returncode)
            if status is None:
                as_expected = False
                last = (result.stderr.strip().splitlines() or [""])[-1]
                status = f"[red]exit {result.returncode}[/] {last}"
            console.print(f"  tracker check → {status}")
            progress.advance(task)
    return as_expected


def write_story_digest(config_path: Path, db: Path, out_dir: Path) -> list[Path]:
    """The digest of the whole story, as sent the morning after it, in ``DIGEST_FILES``."""
    config = load_config(str(config_path))
    config.tracker.db = str(db)  # not $TRACKER_DB: the demo's own database
    preview = preview_digest(config, now=STORY_END, since=STORY_START)
    return [write_digest_file(preview.message, out_dir / name) for name in DIGEST_FILES]


def _show_queries(console: Console, db: Path) -> None:
    console.rule("[bold]tracker query")
    for query in QUERIES:
        if query.name not in SHOWN_QUERIES:
            continue
        console.print(f"\n[bold]{query.question}[/]\n[dim]{query.question_en}[/]")
        console.print(f'$ tracker query "{query.inline_sql()}"', markup=False, highlight=False)
        table = format_table(query_file(db, query.inline_sql()))
        console.print(table, markup=False, highlight=False, soft_wrap=True, end="")


def _summary(console: Console, db: Path, digests: list[Path], messages: int) -> None:
    tracker = _tracker_command()
    first, last = STEPS[0].day, STEPS[-1].day
    console.rule("[bold]What you just saw")
    console.print(
        f"- {len(STEPS)} real `tracker check` runs, {first} … {last} (a simulated clock), against"
        " a local replica of the Assembly Open API, the bill pages and three news sources.\n"
        f"- {messages} Slack messages: the first check's summary of the two member bills"
        " it starts to follow, their fold into a committee"
        " alternative that tracker then followed to promulgation, the news (one story from"
        " three outlets stored once, the 해오름 festival left out), and one source failure"
        " with its recovery, each exactly once.\n"
        f"- The weekly digest of the story: {', '.join(_shown(p) for p in digests)}"
        " (open the .html in a browser, the .eml in a mail client).\n"
        f"- Every change is in {_shown(db)}; look around with:\n"
        f"    TRACKER_DB={_shown(db)} {tracker} browse",
        markup=False,
        highlight=False,
        soft_wrap=True,  # commands stay on one line, to be copied
    )
    console.rule("[bold]What to do next")
    steps = (
        ("write a commented tracker.toml, then set [watch] keywords", f"{tracker} init"),
        ("the Assembly Open API key (open.assembly.go.kr)", "export ASSEMBLY_API_KEY=..."),
        ("Slack alerts in [slack] channel (or SLACK_WEBHOOK_URL)", "export SLACK_BOT_TOKEN=..."),
        ("the digest by email: [email] smtp_host, sender, recipients", "export SMTP_PASSWORD=..."),
        ("the daemon: checks every interval, the digest on schedule", f"{tracker} run"),
    )
    for what, command in steps:
        console.print(f"- {what}\n    {command}", markup=False, highlight=False, soft_wrap=True)


def _serve(console: Console, replica: Replica, slack: FakeSlack, config: Path) -> None:
    """Keep the replica and the Slack stand-in up until SIGINT or SIGTERM."""
    tracker = _tracker_command()
    console.rule("[bold]Serving")
    console.print(
        f"Replica of the sources: {replica.url}   Slack stand-in: {slack.api_base}\n"
        f"Config pointing at them: {_shown(config)}\n"
        f"  SLACK_BOT_TOKEN={DEMO_TOKEN} {tracker} --config {_shown(config)} check\n"
        f'  {tracker} --config {_shown(config)} query "SELECT * FROM stage_changes"\n'
        "Serving until Ctrl-C (or SIGTERM).",
        markup=False,
        highlight=False,
        soft_wrap=True,  # commands stay on one line, to be copied
    )

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_demo(out_dir: Path, keep_serving: bool = False, console: Console | None = None) -> int:
    """Play the story into ``out_dir`` and tell it on ``console``; returns the exit code
    (1 when a check ended in a way the story does not expect)."""
    console = console or Console()
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "tracker.db"
    for stale in out_dir.glob("tracker.db*"):
        stale.unlink()
    replica = Replica()
    for row in initial_rows():
        replica.assembly.add(row)
    slack = FakeSlack(token=DEMO_TOKEN, on_message=lambda m: _show_slack_message(console, m))
    with replica:
        slack.start()
        try:
            config = out_dir / "tracker.toml"
            config.write_text(replica.config_toml(db.resolve(), slack.api_base), encoding="utf-8")
            console.rule("[bold]tracker demo: 해오름산업벨트 특별법 추적 (오프라인 재현)")
            started = time.monotonic()
            as_expected = _play(console, replica, config, out_dir)
            console.print(
                f"\n{len(STEPS)} checks, {len(slack.messages)} Slack messages"
                f" in {time.monotonic() - started:.1f}s."
            )
            digests = write_story_digest(config, db, out_dir)
            _show_queries(console, db)
            _summary(console, db, digests, len(slack.messages))
            if keep_serving:
                _serve(console, replica, slack, config)
        finally:
            slack.stop()
    return 0 if as_expected else 1
