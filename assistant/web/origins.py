"""Browser origins that may embed the widget: the headers built from the allow-list (parsed in settings).

One list drives both guards, so they cannot disagree: CORS on the app (a page's fetch to /api or
/widget-config) and ``Content-Security-Policy: frame-ancestors`` on /embed (the chat panel's iframe)."""

from __future__ import annotations

from assistant.settings import parse_origin


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
