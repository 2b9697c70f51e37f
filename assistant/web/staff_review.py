"""Routes of the console for changes and their review: re-index and cancel, delete a document (with a
confirmation page), edit the lexicon, the staged report, questions against the staged index, publish and
discard. Pages post plain forms and are redirected back with a message (a refused action answers its 4xx
page); JSON twins under /staff/api/ answer the same actions with the same statuses. All of it sits behind the
console's gate (session cookie, same-origin check) like every other /staff route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form
from fastapi.responses import JSONResponse, RedirectResponse, Response

from assistant.settings import Settings
from assistant.text_input import visible
from assistant.web import staff_pages as pages
from assistant.web import staff_review_pages as review_pages
from assistant.web.staff_auth import PREFIX
from assistant.web.staff_changes import ConsoleError, StagedChanges
from assistant.web.staff_data import candidate_rows
from assistant.web.staff_text import StaffText, staff_text

MAX_QUESTION_CHARS = 2000
MAX_DOC_ID_FIELD = 1000
DocId = Annotated[str, Form(max_length=MAX_DOC_ID_FIELD)]
LexiconText = Annotated[str, Form()]
Tx = Annotated[StaffText, Depends(staff_text)]


def _json(action: Callable[[], dict[str, Any]], status: int = 200) -> Response:
    try:
        return JSONResponse(action(), status_code=status, headers=pages.NO_STORE)
    except ConsoleError as exc:
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=pages.NO_STORE)


def refusal_page(tx: StaffText, exc: ConsoleError, back: str, title: str, active: str) -> Response:
    body = (pages.notice(tx("refused", why=tx.reason(exc.message, exc.key, exc.values)), bad=True)
            + f'<p><a href="{back}">{tx("back")}</a></p>')
    return pages.html_response(pages.page(tx, title, active, body), exc.status)


def _form(tx: StaffText, action: Callable[[], Any], success: str, back: str, title: str, active: str) -> Response:
    """Run a form's action: redirect to ``back`` with ``success`` (303), or answer the refusal's page."""
    try:
        action()
    except ConsoleError as exc:
        return refusal_page(tx, exc, back, title, active)
    return RedirectResponse(f"{back}?{urlencode({'msg': success})}", status_code=303)


def review_routes(changes: StagedChanges, settings: Settings) -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    rows_shown = settings.staff.report_rows

    def ask_staged(q: str) -> Any:
        question = visible(q)[:MAX_QUESTION_CHARS]
        return changes.ask_staged(question) if question else None

    # ---- re-index and cancel ----
    @router.post("/api/reindex")
    def reindex_json() -> Response:
        return _json(changes.reindex, 202)

    @router.post("/documents/reindex")
    def reindex_form(tx: Tx) -> Response:
        return _form(tx, changes.reindex, tx("msg_reindexing"), f"{PREFIX}/documents", tx("nav_documents"),
                     "documents")

    @router.post("/api/reindex/cancel")
    def cancel_json() -> Response:
        return _json(changes.cancel)

    @router.post("/documents/cancel")
    def cancel_form(tx: Tx) -> Response:
        return _form(tx, changes.cancel, tx("msg_cancelling"), f"{PREFIX}/documents", tx("nav_documents"),
                     "documents")

    # ---- delete ----
    @router.get("/documents/delete")
    def delete_confirm(tx: Tx, doc: str = "") -> Response:
        try:
            doc_id = changes.check_deletable(doc)
        except ConsoleError as exc:
            return refusal_page(tx, exc, f"{PREFIX}/documents", tx("delete_title"), "documents")
        record = next((f for f in changes.service.index.files() if f["doc_id"] == doc_id), None)
        return pages.html_response(pages.page(tx, tx("delete_title"), "documents",
                                              review_pages.delete_body(tx, doc_id, record)))

    @router.post("/documents/delete")
    def delete_form(tx: Tx, doc_id: DocId = "") -> Response:
        return _form(tx, lambda: changes.delete(doc_id), tx("msg_delete_staged", doc=doc_id),
                     f"{PREFIX}/documents", tx("delete_title"), "documents")

    @router.post("/api/documents/delete")
    def delete_json(doc_id: DocId = "") -> Response:
        return _json(lambda: changes.delete(doc_id), 202)

    # ---- the lexicon ----
    @router.get("/lexicon")
    def lexicon_page(tx: Tx, msg: str = "") -> Response:
        return pages.html_response(pages.page(tx, tx("nav_lexicon"), "lexicon",
                                              review_pages.lexicon_body(tx, changes.lexicon_text(), msg[:300])))

    @router.post("/lexicon")
    def lexicon_form(tx: Tx, text: LexiconText = "") -> Response:
        try:
            changes.set_lexicon(text)
        except ConsoleError as exc:  # the text comes back with the problems, nothing is lost
            body = review_pages.lexicon_body(tx, text, tx("refused", why=tx.reason(exc.message, exc.key, exc.values)))
            return pages.html_response(pages.page(tx, tx("nav_lexicon"), "lexicon", body), exc.status)
        msg = tx("msg_lexicon_saved")
        return RedirectResponse(f"{PREFIX}/review?{urlencode({'msg': msg})}", status_code=303)

    @router.get("/api/lexicon")
    def lexicon_json() -> Response:
        return JSONResponse({"text": changes.lexicon_text()}, headers=pages.NO_STORE)

    @router.post("/api/lexicon")
    def lexicon_set_json(text: LexiconText = "") -> Response:
        return _json(lambda: changes.set_lexicon(text), 202)

    # ---- review, publish, discard ----
    @router.get("/review")
    def review(tx: Tx, q: str = "", msg: str = "") -> Response:
        changes.service.reload_if_stale()
        info = changes.info()
        try:
            answer = ask_staged(q) if info["staged"] else None
        except ConsoleError:
            answer = None  # published or discarded meanwhile: the page says what is staged now
        body = review_pages.review_body(tx, info, q, answer, msg[:300], rows_shown)
        return pages.html_response(pages.page(tx, tx("review_title"), "review", body))

    @router.get("/api/staged")
    def staged_json() -> Response:
        changes.service.reload_if_stale()
        return JSONResponse(changes.info(), headers=pages.NO_STORE)

    @router.get("/api/staged/ask")
    def staged_ask_json(q: str = "") -> Response:
        try:
            answer = ask_staged(q)
        except ConsoleError as exc:
            return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=pages.NO_STORE)
        if answer is None:
            return JSONResponse({"detail": "q is empty"}, status_code=422)
        out = answer.public_dict() | {"confidence": answer.confidence, "intents": answer.intents,
                                      "build_id": changes.staged_id(), "notices": answer.notices,
                                      "candidates": candidate_rows(answer.candidates)}
        return JSONResponse(out, headers=pages.NO_STORE)

    @router.post("/api/publish")
    def publish_json() -> Response:
        return _json(changes.publish)

    @router.post("/review/publish")
    def publish_form(tx: Tx) -> Response:
        return _form(tx, changes.publish, tx("msg_published"), f"{PREFIX}/review", tx("review_title"), "review")

    @router.post("/api/discard")
    def discard_json() -> Response:
        return _json(changes.discard)

    @router.post("/review/discard")
    def discard_form(tx: Tx) -> Response:
        return _form(tx, changes.discard, tx("msg_discarded"), f"{PREFIX}/review", tx("review_title"), "review")

    return router
