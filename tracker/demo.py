"""``tracker demo``: the whole pipeline offline, against the replica, with a scripted timeline."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from notifiers.messages import format_alert
from tracker.replica.news import NAVER_CLIENT_ID, NAVER_CLIENT_SECRET
from tracker.replica.scenario import initial_rows
from tracker.replica.slack import FakeSlack
from tracker.replica.sources import Replica
from tracker.replica.timeline import STEPS

DEMO_TOKEN = "xoxb-demo-token"


def _show_slack_message(console: Console, message: dict[str, Any]) -> None:
    text = message.get("text", "")
    console.print(
        Panel(
            text,
            title=f"Slack {message.get('channel', '')}",
            title_align="left",
            border_style="magenta",
        )
    )


def _check(config: Path, workdir: Path) -> int:
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("SLACK_")}
    env["SLACK_BOT_TOKEN"] = DEMO_TOKEN
    env.pop("ASSEMBLY_API_KEY", None)
    env.update(NAVER_CLIENT_ID=NAVER_CLIENT_ID, NAVER_CLIENT_SECRET=NAVER_CLIENT_SECRET)
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config.resolve()), "check"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    return result.returncode


def _summary_table(db: Path) -> Table:
    import sqlite3

    table = Table(title="추적 중인 의안 (bills)")
    for column in ("의안번호", "의안명", "단계", "결과", "matched_by"):
        table.add_column(column)
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT b.bill_no, b.title, s.label, coalesce(b.result, ''), b.matched_by"
            " FROM bills b JOIN stages s ON s.code = b.stage ORDER BY b.bill_no"
        ).fetchall()
    for row in rows:
        table.add_row(*[str(v) for v in row])
    return table


def run_demo(out_dir: Path, keep_serving: bool = False) -> int:
    """Play the timeline; returns the exit code."""
    console = Console()
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
        config = out_dir / "tracker.toml"
        config.write_text(replica.config_toml(db.resolve(), slack.api_base), encoding="utf-8")
        console.rule("[bold]tracker demo: 해오름산업벨트 특별법 추적 (오프라인 재현)")
        console.print(f"replica of the sources: {replica.url}   fake Slack: {slack.api_base}")
        started = time.monotonic()
        for number, step in enumerate(STEPS, start=1):
            step.apply(replica)
            console.print(f"\n[bold cyan]{number}/{len(STEPS)} {step.day}[/] {step.title}")
            code = _check(config, out_dir)
            status = {0: "[green]ok", 3: "[yellow]source failure (exit 3)"}.get(
                code, f"[red]exit {code}"
            )
            console.print(f"  tracker check → {status}")
        console.print()
        console.print(_summary_table(db))
        console.print(
            f"\n{len(slack.messages)} Slack messages in {time.monotonic() - started:.1f}s."
            f'\nDatabase: {db}\nTry: tracker query "SELECT * FROM stage_history" '
            f"(with TRACKER_DB={db})"
        )
        if keep_serving:
            console.print(f"Replica serving at {replica.url} (config: {config}); Ctrl-C to stop.")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
        slack.stop()
    return 0


__all__ = ["format_alert", "run_demo"]
