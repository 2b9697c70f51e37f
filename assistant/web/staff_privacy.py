"""The console's "personal data" section: delete one visitor's data on request (their leads, logged
conversations and feedback), found by lead number, session id, or phone / e-mail. Staff first see what would be
deleted, then confirm; each deletion is written to the application log (what was asked by, and how many rows
went, never the personal data itself). The JSON twin is ``POST /staff/api/erase`` (form fields kind, value)."""

from __future__ import annotations

import logging
from datetime import tzinfo
from html import escape
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form
from fastapi.responses import JSONResponse, RedirectResponse, Response

from assistant.settings import Settings
from assistant.text_input import visible
from assistant.web import staff_pages as pages
from assistant.web.staff_auth import PREFIX
from assistant.web.staff_text import StaffText, shown_time, staff_text
from assistant.web.store import Store

log = logging.getLogger(__name__)
KINDS = (("lead", "by_lead"), ("session", "by_session"), ("contact", "by_contact"))
MAX_VALUE = 254
Tx = Annotated[StaffText, Depends(staff_text)]
Field = Annotated[str, Form(max_length=MAX_VALUE)]


class BadQuery(ValueError):
    """The kind or value staff gave cannot name a visitor; ``key`` is the console's words for why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def visitor_query(kind: str, value: str) -> dict[str, Any]:
    """``Store.find_visitor`` / ``erase_visitor`` arguments for what staff typed."""
    value = visible(value)[:MAX_VALUE]
    if not value:
        raise BadQuery("empty_value")
    if kind == "lead":
        if not value.isdigit() or len(value) > 18:
            raise BadQuery("bad_lead_number")
        return {"lead_id": int(value)}
    if kind == "session":
        return {"session_id": value[:64]}
    return {"contact": value}


def _form(tx: StaffText, kind: str, value: str) -> str:
    options = "".join(f'<option value="{k}"{" selected" if k == kind else ""}>{escape(tx(label))}</option>'
                      for k, label in KINDS)
    return (f'<form method="get" action="{PREFIX}/privacy" class="actions find"><label>{escape(tx("find_by"))} '
            f'<select name="kind">{options}</select></label><label>{escape(tx("value"))} <input type="text" '
            f'name="value" maxlength="{MAX_VALUE}" value="{escape(value)}"></label>'
            f'<button>{escape(tx("find"))}</button></form>')


def privacy_body(tx: StaffText, settings: Settings, kind: str, value: str, found: dict[str, Any] | None,
                 message: str, zone: tzinfo) -> str:
    p = settings.privacy
    body = (pages.notice(message) + f'<p class="muted">{escape(tx("privacy_hint", lead_days=p.lead_retention_days, log_days=p.conversation_retention_days))}</p>'
            + _form(tx, kind, value))
    if found is None:
        return body
    if not (found["leads"] or found["conversations"] or found["feedback"]):
        return body + f'<p class="empty">{escape(tx("nothing_found"))}</p>'
    rows = [(x["id"], shown_time(x["created"], zone), x["name"], x["company"], x["phone"], x["email"],
             x["session_id"] or "") for x in found["leads"]]
    summary = tx("found", leads=len(found["leads"]), conversations=found["conversations"], feedback=found["feedback"])
    leads = pages.table((tx("col_id"), tx("col_created"), tx("col_name"), tx("col_company"), tx("col_phone"),
                         tx("col_email"), tx("col_session")), rows) if rows else ""
    sessions = (f'<p class="muted">{escape(tx("col_session"))}: {escape(", ".join(found["sessions"]))}</p>'
                if found["sessions"] else "")
    return (body + f'<p class="banner">{escape(summary)}</p>{leads}{sessions}<div class="actions">'
            + pages.post_button(f"{PREFIX}/privacy/erase", tx("confirm_erase"), "danger",
                                {"kind": kind, "value": value})
            + f'<a href="{PREFIX}/privacy">{escape(tx("cancel"))}</a></div>')


def privacy_routes(store: Store, settings: Settings) -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    zone = ZoneInfo(settings.staff.timezone)

    def erase(kind: str, value: str) -> dict[str, int]:
        erased = store.erase_visitor(**visitor_query(kind, value))
        # The audit trail: who asked is the staff session, what went is counted; the personal data is not logged.
        log.warning("staff erased a visitor's personal data (found by %s): %s", kind, erased.to_dict())
        return erased.to_dict()

    @router.get("/privacy")
    def privacy_page(tx: Tx, kind: str = "lead", value: str = "", msg: str = "") -> Response:
        kind = kind if kind in dict(KINDS) else "lead"
        found, status, message = None, 200, msg[:300]
        if value:
            try:
                found = store.find_visitor(**visitor_query(kind, value))
            except BadQuery as exc:
                status, message = 422, tx("refused", why=tx(exc.key))
        body = privacy_body(tx, settings, kind, value[:MAX_VALUE], found, message, zone)
        return pages.html_response(pages.page(tx, tx("nav_privacy"), "privacy", body), status)

    @router.post("/privacy/erase")
    def erase_form(tx: Tx, kind: Field = "", value: Field = "") -> Response:
        try:
            counts = erase(kind, value)
        except BadQuery as exc:
            body = privacy_body(tx, settings, kind, value, None, tx("refused", why=tx(exc.key)), zone)
            return pages.html_response(pages.page(tx, tx("nav_privacy"), "privacy", body), 422)
        return RedirectResponse(f"{PREFIX}/privacy?{urlencode({'msg': tx('erased', **counts)})}", status_code=303)

    @router.post("/api/erase")
    def erase_json(tx: Tx, kind: Field = "", value: Field = "") -> Response:
        try:
            return JSONResponse(erase(kind, value), headers=pages.NO_STORE)
        except BadQuery as exc:
            return JSONResponse({"detail": tx(exc.key)}, status_code=422, headers=pages.NO_STORE)

    return router
