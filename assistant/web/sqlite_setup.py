"""Several processes (web workers) setting up one SQLite database file go one at a time.

The first connection to a new file switches it to WAL (``PRAGMA journal_mode=WAL``): SQLite reads the file's
header and then writes it in one transaction, and gives a read that must become a write no busy wait. So of two
workers opening a new file together, one failed at once with "database is locked" (0.2 ms, whatever the busy
timeout) while the other was switching it or creating its tables. The store's set-up (that first connection,
its tables, added columns) runs under ``one_at_a_time``; once the file is in WAL mode the pragma only reads, and
every later write waits in the busy handler as it should."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # not POSIX: the set-up is not serialised
    fcntl = None  # type: ignore[assignment]


def database_file(engine: Engine) -> Path | None:
    """``engine``'s SQLite database file; None for another database or an in-memory one."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


@contextmanager
def one_at_a_time(engine: Engine) -> Iterator[None]:
    """Held while this process sets up ``engine``'s SQLite file: an exclusive ``flock`` on the file's folder, so
    no lock file is left behind. Not on the database file itself: closing another descriptor of it would drop
    the POSIX locks SQLite holds on it in this process. Each call opens the folder anew, so threads of one
    process take turns too. Nothing to hold for another database."""
    path = database_file(engine)
    if path is None or fcntl is None:
        yield
        return
    fd = os.open(path.resolve().parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # lets go of the lock
