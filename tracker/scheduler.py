"""``tracker run``: the long-running scheduler (APScheduler 3).

Each check runs as a fresh ``tracker check`` process, because Scrapy's Twisted reactor cannot be
restarted inside one process; a cycle that hangs past its timeout is killed and recorded as a
failed run, and the next cycle runs as usual. The next cycle's process is started as soon as a
cycle ends and waits with its imports done (``tracker.standby``). The digest is built in this
process (no Scrapy).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tracker import exit_codes
from tracker.check import source_summary
from tracker.config import Config
from tracker.digest.service import send_due_digest
from tracker.domain.schedule import parse_digest_spec
from tracker.errors import DatabaseUnusable
from tracker.locks import daemon_lock
from tracker.standby import StandbyProcess
from tracker.store.database import open_store
from tracker.timeutil import now

logger = logging.getLogger("tracker.run")

CHECK_JOB = "check"
DIGEST_JOB = "digest"
# How late a missed run may still start; later ones are skipped (coalesced into the next).
MISFIRE_GRACE_SECONDS = 300
# A cycle waits this long for the cycle lock: a check of a daemon killed with -9 notices
# within a second that its parent is gone and ends (tracker.interrupt), freeing it.
CHECK_LOCK_WAIT_SECONDS = 10


@dataclass
class CheckProcess:
    """Runs each ``tracker check`` in a child process with a timeout; keeps the next one on
    standby."""

    config: Config
    timeout: float
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    current: subprocess.Popen[bytes] | None = None
    standby: StandbyProcess | None = None
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "tracker"]
        if self.config.path:
            args += ["--config", os.path.abspath(self.config.path)]
        return [*args, "check", "--wait", str(CHECK_LOCK_WAIT_SECONDS), "--standby"]

    def env(self) -> dict[str, str]:
        env = dict(self.environ)
        env["TRACKER_DB"] = os.path.abspath(self.config.tracker.db)
        return env

    def prepare(self) -> StandbyProcess | None:
        """Start the next cycle's process now, unless one waits already or we are closed."""
        with self.lock:
            if self.standby is None and not self.closed:
                self.standby = StandbyProcess.start(self.command(), self.env())
            return self.standby

    def close(self) -> None:
        """Stop the waiting process and start no other."""
        with self.lock:
            self.closed = True
            standby, self.standby = self.standby, None
        if standby is not None:
            standby.stop()

    def _take_standby(self) -> subprocess.Popen[bytes] | None:
        """The waiting process told to go, or a fresh one (none waited, or it died)."""
        with self.lock:
            if self.closed:
                return None
            standby = self.standby or StandbyProcess.start(self.command(), self.env())
            self.standby = None
            if not standby.go():
                standby.stop()
                standby = StandbyProcess.start(self.command(), self.env())
                standby.go()
            self.current = standby.process
            return standby.process

    def run(self) -> int | None:
        """Run a cycle; returns its exit code, or None when it was killed or stopped."""
        process = self._take_standby()
        if process is None:
            return None
        try:
            code = process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.record_failure(f"timed out after {self.timeout:.0f}s and was killed")
            return None
        finally:
            with self.lock:
                self.current = None
        if code < 0:
            self.record_failure(f"ended by signal {-code}")
            return None
        return code

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with self.lock:
            process = self.current
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def record_failure(self, reason: str) -> None:
        store = open_store(self.config.tracker.db, self.config.tracker.timezone)
        try:
            count = store.runs.fail_unfinished(f"check {reason}")
            if not count:
                run_id = store.runs.start()
                store.runs.finish(run_id, "failed", {"crawl": {"errors": [f"check {reason}"]}})
        finally:
            store.close()
        logger.error("check %s", reason)


class Daemon:
    """The scheduler with its check and digest jobs."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.tz = config.tracker.timezone
        self.checks = CheckProcess(config, config.tracker.crawl_timeout_seconds)
        self.scheduler = BlockingScheduler(
            timezone=self.tz,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )
        self.stopping = threading.Event()
        self.exit_code = exit_codes.OK

    def check_job(self) -> None:
        if self.stopping.is_set():
            return
        try:
            code = self.checks.run()
            if code is not None:
                self.log_run()
                logger.info("check finished with exit code %d", code)
            self.prune()
        except DatabaseUnusable as exc:
            # Every later cycle would fail the same way: stop, and say why.
            logger.error("%s: stopping", exc)
            self.exit_code = exc.exit_code
            self.stop()
            return
        self.checks.prepare()

    def digest_job(self) -> None:
        if self.stopping.is_set():
            return
        try:
            outcome = send_due_digest(self.config)
            logger.info("digest: %s", outcome)
        except Exception as exc:  # a digest failure must not stop the daemon
            logger.error("digest failed: %s", self.config.scrub(str(exc)))

    def log_run(self) -> None:
        """The finished cycle's line per source, from its ``runs`` row."""
        store = open_store(self.config.tracker.db, self.tz)
        try:
            run = store.runs.last()
        finally:
            store.close()
        stats = json.loads(run["stats"]) if run and run["stats"] else {}
        for line in source_summary(stats):
            logger.info("%s", line)

    def prune(self) -> None:
        cutoff = now(self.tz) - timedelta(days=self.config.tracker.keep_runs_days)
        store = open_store(self.config.tracker.db, self.tz)
        try:
            pruned = store.runs.prune(cutoff)
        finally:
            store.close()
        if pruned:
            logger.info("pruned %d run(s) older than %s", pruned, cutoff.date())

    def schedule(self) -> None:
        spec = parse_digest_spec(self.config.schedule.digest)
        interval = timedelta(minutes=self.config.schedule.check_every_minutes)
        self.scheduler.add_job(
            self.check_job,
            IntervalTrigger(seconds=interval.total_seconds(), timezone=self.tz),
            id=CHECK_JOB,
            name="check",
            next_run_time=now(self.tz),
        )
        self.scheduler.add_job(
            self.digest_job,
            CronTrigger(
                day_of_week=spec.day_name, hour=spec.hour, minute=spec.minute, timezone=self.tz
            ),
            id=DIGEST_JOB,
            name="digest",
        )
        self.scheduler.add_listener(self._log_next, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _log_next(self, event: JobExecutionEvent) -> None:
        if event.exception:
            logger.error("job %s failed: %s", event.job_id, event.exception)
        for job in self.scheduler.get_jobs():
            if job.next_run_time:
                logger.info("next %s at %s", job.name, job.next_run_time.isoformat())

    def stop(self, signum: int | None = None, frame: Any = None) -> None:
        """Stop soon: abandon the running cycle (its writes are atomic) and shut down."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        logger.info("stopping (signal %s)", signum)
        threading.Thread(target=self._shutdown, daemon=True).start()

    def _shutdown(self) -> None:
        self.checks.close()
        self.checks.kill(signal.SIGTERM)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def catch_up_digest(self) -> None:
        """Send a digest missed while the daemon was down (the digests table says which)."""
        self.digest_job()

    def run(self) -> int:
        """Run until stopped; 0, or 2 when the database cannot be used."""
        lock = daemon_lock(self.config.tracker.db)
        lock.acquire()
        try:
            # A database that cannot be used stops the daemon now, with one line, not at
            # every cycle.
            open_store(self.config.tracker.db, self.tz).close()
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)
            self.schedule()
            if self.config.schedule.check_every_minutes < 1:
                logger.warning(
                    "schedule.check_every_minutes = %s: a check more often than once a minute"
                    " is meant for tests and demos, not the real sites",
                    self.config.schedule.check_every_minutes,
                )
            logger.info(
                "tracker run: checks every %s min, digest %s (%s)",
                self.config.schedule.check_every_minutes,
                self.config.schedule.digest,
                self.tz,
            )
            threading.Thread(target=self.catch_up_digest, daemon=True).start()
            self.scheduler.start()
        finally:
            self.checks.close()
            self.checks.kill(signal.SIGTERM)
            lock.release()
        logger.info("stopped")
        return self.exit_code
