"""Single-instance locks beside the database, released by the OS when a process dies."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from tracker.errors import DatabaseUnusable, TrackerError


class LockBusy(TrackerError):
    """Another process holds the lock."""


class FileLock:
    """An exclusive ``flock`` on ``path``; the holder's pid is written into the file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="ascii").strip() or "?"
        except OSError:
            return "?"

    def acquire(self, wait_seconds: float = 0, poll: float = 0.2) -> None:
        """Take the lock, waiting up to ``wait_seconds``; raise LockBusy if it stays taken."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DatabaseUnusable(
                f"cannot create the lock file {self.path}: {exc.strerror}"
            ) from None
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockBusy(f"{self.path} is held by pid {self.holder()}") from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def daemon_lock(db: str | Path) -> FileLock:
    """Held by ``tracker run`` for its whole life: one daemon per database."""
    return FileLock(f"{db}.run.lock")


def cycle_lock(db: str | Path) -> FileLock:
    """Held for one check cycle, by ``tracker check`` wherever it was started from."""
    return FileLock(f"{db}.check.lock")


def digest_lock(db: str | Path) -> FileLock:
    """Held while a digest is chosen and sent, so that two senders cannot both send it."""
    return FileLock(f"{db}.digest.lock")
