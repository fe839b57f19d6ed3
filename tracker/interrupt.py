"""Ending ``tracker check`` promptly on SIGINT/SIGTERM or when ``tracker run`` is gone.

Scrapy's own shutdown waits for the requests in flight (minutes, with a source that hangs),
and its threads keep the process alive after the reactor stops. So a stop does not wait for
the crawl: the run is closed as failed on a connection of its own and the process ends at
once. Its writes so far are transactions (a cut one rolls back), its alerts stay in the
outbox, and the cycle lock, a ``flock``, goes with the process.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading
import time
from types import FrameType

from tracker.config import Config
from tracker.errors import DatabaseUnusable

# How often a check started by ``tracker run`` looks whether the daemon is still there.
PARENT_POLL_SECONDS = 0.5


class StopOnSignal:
    """Installed for one ``tracker check``; ``run_id`` is set once its run has started."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.run_id: int | None = None
        self._stopping = threading.Lock()

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def watch_parent(self) -> None:
        """End like on SIGTERM when the parent process dies (``tracker run`` killed with -9):
        an orphaned check would hold the cycle lock the restarted daemon needs."""
        parent = os.getppid()

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(PARENT_POLL_SECONDS)
            self.stop(signal.SIGTERM, "tracker run, which started this check, is gone")

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._stopping.locked():
            # A second Ctrl-C while the run is being closed: leave now.
            os._exit(128 + signum)
        # Closing the run may wait on the database: not in a signal handler, which may have
        # interrupted a holder of a lock it needs.
        name = signal.Signals(signum).name
        threading.Thread(target=self.stop, args=(signum, f"interrupted by {name}")).start()

    def stop(self, signum: int, reason: str) -> None:
        """Close the run as failed with ``reason`` and end the process (exit 128 + signum)."""
        if not self._stopping.acquire(blocking=False):
            return
        message = reason
        if self.run_id is not None:
            message += f": run {self.run_id} {self._close_run(reason)}"
        print(message, file=sys.stderr, flush=True)
        os._exit(128 + signum)

    def _close_run(self, reason: str) -> str:
        from tracker.store.database import open_store

        try:
            store = open_store(self.config.tracker.db, self.config.tracker.timezone)
            try:
                closed = store.runs.fail_unfinished(reason)
            finally:
                store.close()
        except (DatabaseUnusable, sqlite3.Error):
            return "left open (the next check closes it)"
        return "closed as failed" if closed else "had finished"
