"""Browser origins that may embed the widget: parsing the allow-list and the headers built from it.

One list drives both guards, so they cannot disagree: CORS on the app (a page's fetch to /api or
/widget-config) and ``Content-Security-Policy: frame-ancestors`` on /embed (the chat panel's iframe)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# scheme://host[:port] and nothing else: no path, query, wildcard, user info, space or ";".
_ORIGIN = re.compile(r"^https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$")
DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(value: str) -> str:
    """The origin as browsers send it (lower case, no trailing slash, default port dropped), or ValueError."""
    text = value.strip().rstrip("/").lower()
    if not _ORIGIN.match(text):
        raise ValueError(f"not an origin like https://example.com or http://127.0.0.1:8080: {value!r}")
    parts = urlsplit(text)
    if parts.port is not None and parts.port == DEFAULT_PORTS[parts.scheme]:
        text = f"{parts.scheme}://{parts.hostname}"
    return text


def parse_origins(value: object) -> list[str]:
    """A list (or a comma-separated string) of origins, normalised, duplicates dropped, order kept."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("allowed_origins must be a list of origins")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"not an origin: {item!r}")
        if item.strip():
            origin = parse_origin(item)
            if origin not in out:
                out.append(origin)
    return out


def frame_ancestors(origins: list[str]) -> str:
    """The CSP of the embeddable page: its own origin plus the allow-list may frame it, nobody else.

    The rest keeps the page to its own scripts, styles and API, so even an injected string could not
    load or send anything elsewhere."""
    ancestors = " ".join(["'self'", *origins])
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}")


def is_allowed(origin: str | None, own_origin: str, allowed: list[str]) -> bool:
    if not origin:
        return False
    try:
        origin = parse_origin(origin)
    except ValueError:
        return False
    return origin == own_origin or origin in allowed
