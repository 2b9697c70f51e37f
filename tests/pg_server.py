"""A throwaway PostgreSQL server for the store tests: a new cluster in a temporary folder, listening on a free
loopback port, stopped and deleted afterwards. Debian's server binaries (``apt-get install postgresql``, done by
``make test``) are found under /usr/lib/postgresql/<version>/bin or on PATH."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.web_serving import free_port

REQUIRE_ENV = "ZST_REQUIRE_POSTGRES"  # set by `make test`: a missing server fails the run instead of skipping


def server_bin_dir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, newest version first; None when not installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name),
                        reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for folder in candidates:
        if all((Path(folder) / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None



def _as_server_user(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; Debian's package creates the 'postgres' account for this.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a cluster in a new temporary folder; yields a URL of an empty database on loopback."""
    bin_dir = server_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL server binaries not found (apt-get install postgresql)")
    # Not pytest's tmp_path: its parents are private to the test user, and the server runs as 'postgres'.
    folder = Path(tempfile.mkdtemp(prefix="zst-pg-"))
    data, sockets = folder / "cluster", folder / "sockets"
    sockets.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "zst", "--auth=trust",
                                    "--encoding=UTF8", "--locale=C.UTF-8"]),
                   check=True, capture_output=True, cwd=folder)
    options = f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off"
    subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
                                    "-l", str(folder / "server.log"), "start"]),
                   check=True, capture_output=True, cwd=folder)
    try:
        _create_database(port)
        yield f"postgresql://zst@127.0.0.1:{port}/zst"
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


def _create_database(port: int) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(host="127.0.0.1", port=port, user="zst", dbname="postgres",
                                 autocommit=True) as conn:
                conn.execute("CREATE DATABASE zst")
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
