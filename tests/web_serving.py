"""Serving helpers for the widget tests: the app under uvicorn, and plain static folders (other sites),
each on its own loopback port in a background thread."""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    """A loopback port free right now, for a server started in another process (it binds it itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class StaticSite:
    """A folder served by http.server: bound on creation, so its origin is known before the app starts."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(QuietHandler, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StaticSite:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@contextmanager
def serve_app(app: FastAPI, **config: Any) -> Iterator[str]:
    """The app on a free loopback port (``config``: more uvicorn options); yields its base URL."""
    sock = socket.create_server(("127.0.0.1", 0))  # bound here, so no other process can take the port
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def host_page(app_base: str, **data: str) -> str:
    """A page of another site carrying the one-tag snippet, pointing at the app."""
    attrs = " ".join(f'data-{k}="{v}"' for k, v in data.items())
    return ("<!doctype html><html><head><meta charset='utf-8'><meta name='viewport' "
            "content='width=device-width, initial-scale=1'><title>Partner site</title></head>"
            "<body><h1>合作伙伴网站 / Partner site</h1><p>Some page content.</p>"
            f'<script src="{app_base}/widget.js" {attrs} defer></script></body></html>')
