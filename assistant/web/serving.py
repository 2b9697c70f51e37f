"""An ASGI app under uvicorn on a loopback port in a background thread, for the tests and the benchmarks that
talk to it over real HTTP. (app.py serves in the foreground with uvicorn.run and does not need this.)"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A port free right now, for a server started in another process (it binds the port itself, so another
    process could take it in between: in-process servers should use serve_in_thread, which binds first)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_in_thread(app: Any, host: str = LOOPBACK, port: int = 0, *, start_timeout: float = 60.0,
                    stop_timeout: float = 15.0,
                    around_run: Callable[[], AbstractContextManager[Any]] = nullcontext,
                    **config: Any) -> Iterator[str]:
    """Serve ``app`` on ``host``:``port`` (0: a free port) in a daemon thread; yields the base URL once the
    server has started, and stops it on exit.

    ``config``: more uvicorn.Config options (log_level defaults to warning). ``around_run`` is entered in the
    server thread around the server's run, e.g. to profile the event loop, which only that thread sees.
    RuntimeError when the server stops or has not started within ``start_timeout`` seconds."""
    import uvicorn  # here, not at module level: importing assistant.web stays light

    sock = socket.create_server((host, port))  # bound before the server starts: no other process can take it
    bound = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, **{"log_level": "warning", **config}))

    def run() -> None:
        with around_run():
            server.run(sockets=[sock])

    thread = threading.Thread(target=run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start on {host}:{bound}")
            time.sleep(0.05)
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=stop_timeout)
        sock.close()
