"""Web surfaces: the JSON/SSE API, the investor page, the widget and the staff console in one FastAPI app, and the
store of leads, feedback and conversations."""

from __future__ import annotations

from assistant.web.api import create_app
from assistant.web.serving import free_port, serve_in_thread
from assistant.web.store import Lead, Store

__all__ = ["Lead", "Store", "create_app", "free_port", "serve_in_thread"]
