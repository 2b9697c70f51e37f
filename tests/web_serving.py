"""Serving helpers for the web tests: the app under uvicorn (assistant.web's serve_in_thread, which the
benchmarks share), and plain static folders (other sites), each on its own loopback port in a background thread."""

from __future__ import annotations

import functools
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from assistant.web import free_port, serve_in_thread

serve_app = serve_in_thread  # the app on a free loopback port; yields its base URL (the tests' name for it)
__all__ = ["QuietHandler", "StaticSite", "free_port", "host_page", "serve_app", "serve_in_thread",
           "wait_for_reindex"]


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


def host_page(app_base: str, **data: str) -> str:
    """A page of another site carrying the one-tag snippet, pointing at the app."""
    attrs = " ".join(f'data-{k}="{v}"' for k, v in data.items())
    return ("<!doctype html><html><head><meta charset='utf-8'><meta name='viewport' "
            "content='width=device-width, initial-scale=1'><title>Partner site</title></head>"
            "<body><h1>合作伙伴网站 / Partner site</h1><p>Some page content.</p>"
            f'<script src="{app_base}/widget.js" {attrs} defer></script></body></html>')


def wait_for_reindex(client: httpx.Client, runs: int, seconds: float = 180) -> dict:
    """The staff console's re-index job once its ``runs``-th run has ended (done, failed or cancelled)."""
    deadline = time.monotonic() + seconds
    while True:
        job = client.get("/staff/api/reindex").json()
        if job["runs"] >= runs and job["state"] in ("done", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
