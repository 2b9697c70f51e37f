"""One writer at a time on a SQLite database file across this host's processes, queued on a blocking file lock.

SQLite lets one writer in and makes the others poll: a writer that finds the file locked sleeps 1, 2, 5, 10 …
up to 100 ms between tries, however soon the lock is free. With two web workers writing four times an answer,
some answers slept through several of those (benchmarks.load, 20 clients: p95 0.60-0.64 s; queued on this
lock 0.30-0.31 s, the same answers a second). The shared state's writes (``SharedState``) wait on ``flock``
instead and go in turn as soon as the lock is free. It is held around one single-statement transaction, never
longer; other writers (a lead, the conversation log, the ingest) still meet only SQLite's own lock."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's own polling only
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".writers"  # the lock file, beside the database


class SQLiteWriters:
    def __init__(self, database: str) -> None:
        self.path = database + SUFFIX
        self._thread = threading.Lock()  # flock is per open file: the process's threads queue here first
        self._fd = -1
        self._pid = -1

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _open(self) -> int:
        if self._pid != os.getpid():  # a forked child would share its parent's open file, and so its lock
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd


_BY_FILE: dict[str, SQLiteWriters] = {}
_BY_FILE_LOCK = threading.Lock()


def sqlite_writers(engine: Engine) -> SQLiteWriters | None:
    """The lock of ``engine``'s database file, one per file in a process; None for another database, an
    in-memory one, or where there is no ``flock``."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if fcntl is None or not database or database == ":memory:":
        return None
    path = os.path.realpath(database)
    with _BY_FILE_LOCK:
        if path not in _BY_FILE:
            _BY_FILE[path] = SQLiteWriters(path)
        return _BY_FILE[path]
