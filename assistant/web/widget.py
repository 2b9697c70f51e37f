"""The embeddable widget: /widget.js (the one-tag loader), /widget-config, the /embed chat panel and its
assets, and /demo/promo.html (a sample page embedding it).

Which sites may embed it is ``web.allowed_origins`` (plus the app's own origin), enforced twice:

* the browser itself: /embed answers with ``Content-Security-Policy: frame-ancestors 'self' <allowed>``,
  so Chromium, Firefox and Safari refuse to show the panel in a frame on any other site, whatever that
  site's script does; and CORS on the app (create_app) lets only those origins read /api or /widget-config;
* a friendly early stop: widget.js first fetches /widget-config cross-origin. From a site not on the list
  the browser blocks the reply (no Access-Control-Allow-Origin), so the script adds no button at all
  instead of a panel that would show a browser error. The Origin header is set by the browser, not by
  the page, so a page cannot lie its way in. Checking Referer when serving widget.js was not chosen:
  referrer policies strip it and caches would serve one site's verdict to another.

Nothing served here holds a secret: the panel calls the public /api/chat on its own origin."""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from assistant.settings import Settings
from assistant.web.consent import CONSENT_VERSION, consent_text
from assistant.web.origins import frame_ancestors, is_allowed

STATIC = Path(__file__).resolve().parent / "static"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8"}
EMBED_ASSETS = {"embed.js", "embed-lead.js", "embed-match.js", "embed.css", "answer.css"}  # answer.css: the page's too (render.py)
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'")


@cache
def _read(name: str) -> str:
    # Files of the package: read once per process, on first use rather than at import.
    return (STATIC / name).read_text(encoding="utf-8")


def _asset(name: str, max_age: int = 300) -> Response:
    return Response(_read(name), media_type=TYPES[Path(name).suffix], headers={
        "Cache-Control": f"public, max-age={max_age}", "X-Content-Type-Options": "nosniff"})


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}".lower()


def widget_router(settings: Settings) -> APIRouter:
    allowed = list(settings.web.allowed_origins)
    csp = frame_ancestors(allowed)
    limit = settings.web.max_message_chars
    router = APIRouter(tags=["widget"])

    # Static pages answer HEAD like GET (link checkers, caches and monitors ask HEAD first).
    @router.api_route("/widget.js", methods=["GET", "HEAD"], response_class=Response)
    def widget_js() -> Response:
        """The loader script a site includes with one ``<script src=…/widget.js data-…>`` tag."""
        return _asset("widget.js")

    @router.api_route("/widget/{name}", methods=["GET", "HEAD"], include_in_schema=False)
    def widget_asset(name: str) -> Response:
        if name not in EMBED_ASSETS:
            return JSONResponse({"detail": "not found"}, status_code=404)
        return _asset(name)

    @router.get("/widget-config")
    def widget_config(request: Request) -> JSONResponse:
        """Whether the calling page's origin may embed the widget. A request without Origin is
        same-origin (or not from a page) and allowed; CORS hides the reply from other sites anyway."""
        origin = request.headers.get("origin")
        ok = origin is None or is_allowed(origin, own_origin(request), allowed)
        return JSONResponse({"allowed": ok, "max_message_chars": limit, "contact_url": "/"},
                            headers={"Cache-Control": "no-store", "Vary": "Origin"})

    @router.api_route("/embed", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
    def embed() -> Response:
        # The lead form's consent line, in both languages (the panel picks one), quoting the retention periods.
        html = (_read("embed.html").replace("__MAX_CHARS__", str(int(limit)))
                .replace("__CONSENT_ZH__", escape(consent_text("zh", settings)))
                .replace("__CONSENT_EN__", escape(consent_text("en", settings)))
                .replace("__CONSENT_VERSION__", CONSENT_VERSION))
        return HTMLResponse(html, headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache",
                                           "Referrer-Policy": "same-origin",
                                           "X-Content-Type-Options": "nosniff"})

    @router.api_route("/demo/promo.html", methods=["GET", "HEAD"], response_class=HTMLResponse,
                      include_in_schema=False)
    def promo() -> Response:
        return HTMLResponse(_read("promo.html"), headers={"Content-Security-Policy": PAGE_CSP,
                                                          "Cache-Control": "no-cache"})

    @router.api_route("/demo/{name}", methods=["GET", "HEAD"], include_in_schema=False)
    def promo_asset(name: str) -> Response:
        if name not in {"promo.js", "promo.css"}:
            return JSONResponse({"detail": "not found"}, status_code=404)
        return _asset(name)

    return router


def install_widget(app: FastAPI, settings: Settings) -> None:
    """Add the widget routes; call before the investor page is mounted at ``/``, which takes every path."""
    app.include_router(widget_router(settings))
