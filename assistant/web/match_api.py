"""``POST /api/match``: a company profile in, the matching incentives with amounts, citations and costs out;
``/api/match/answer``: the same as the chat shows it (text and safe HTML, for the forms of the page and widget);
``/api/match/brief``: the investment brief, one printable HTML page to download.

The matcher reads the served index's catalogue (its rules and factory listings) through the one ChatService, so
it matches against the same corpus the chat answers from, and follows it when the index is rebuilt."""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from assistant.answering import ChatService
from assistant.chat_types import Answer
from assistant.matching import MatchResult, Profile
from assistant.web.brief import brief_filename, brief_html
from assistant.web.render import answer_html
from assistant.web.schemas import field_error
from assistant.web.turns import source_files

log = logging.getLogger(__name__)
_UNAVAILABLE = {503: {"description": "The served corpus has no valid rules files."}}
BRIEF_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: Profile = Field(description="What the company plans; every field optional (unknown when left out).")
    lang: Literal["zh", "en"] = Field("zh", description="Language of the result's words.")


class MatchAnswer(BaseModel):
    answer: str = Field(description="The result as the chat gives it: grouped, [n] citations, one question.")
    html: str = Field(description="The same as safe HTML with working and source cards (render.answer_html).")
    language: str
    notices: list[str] = []


def matched(service: ChatService, profile: Profile, lang: str) -> tuple[MatchResult, Answer, dict[str, Any]]:
    """The match of a profile, and its answer as the chat words it."""
    fields = profile.model_dump(exclude_none=True)
    result = service.matching.match(profile, lang)
    answer, _summary = service.matching.answer_for(result, fields)
    return result, answer, fields


def profile_brief(service: ChatService, profile: Profile, lang: str) -> str:
    result, answer, fields = matched(service, profile, lang)
    return brief_html(result, answer, fields, service.today(), source_files(service))


def lead_brief(service: ChatService, profile: Profile | None, session_id: str | None, lang: str) -> str | None:
    """The brief a lead keeps: of the profile the form sent, else of the one given in the lead's chat. A brief
    that cannot be made is logged and left out: it must never cost the investor the lead."""
    try:
        if not service.matching.available:
            return None
        if profile is None and session_id and (conv := service.conversations.find(session_id)) and conv.profile:
            profile = Profile.model_validate(conv.profile)
        if profile is None or not profile.model_dump(exclude_none=True):
            return None
        return profile_brief(service, profile, lang)
    except Exception:
        log.exception("could not make the investment brief of a lead")
        return None


def brief_response(html: str, lang: str, download: bool = True) -> Response:
    disposition = f'attachment; filename="{brief_filename(lang)}"' if download else "inline"
    return HTMLResponse(html, headers={"Content-Disposition": disposition, "Content-Security-Policy": BRIEF_CSP,
                                       "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def _unavailable() -> JSONResponse:
    return JSONResponse({"detail": [field_error("", "the served corpus has no valid rules files",
                                                "rules_unavailable")]}, status_code=503)


def install_match(app: FastAPI, service: ChatService) -> None:
    @app.post("/api/match", response_model=MatchResult, tags=["match"], responses=_UNAVAILABLE)
    def match(body: MatchRequest) -> MatchResult | JSONResponse:
        """Every incentive rule judged against the profile: criteria met / not met / unknown (with what to
        provide), the amount by the calculators with their working, citation and validity; the first-year total
        (each exclusivity group counted once) and the profile's land, power and rent costs."""
        if not service.matching.available:
            return _unavailable()
        return service.matching.match(body.profile, body.lang)

    @app.post("/api/match/answer", response_model=MatchAnswer, tags=["match"], responses=_UNAVAILABLE)
    def match_answer(body: MatchRequest) -> MatchAnswer | JSONResponse:
        """The match as the chat words it: rules grouped, met (✓) or to confirm (?), amounts, [n] citations, the
        first-year total, costs and the one missing fact that matters most; ``html`` as the page shows it."""
        if not service.matching.available:
            return _unavailable()
        _result, answer, _fields = matched(service, body.profile, body.lang)
        return MatchAnswer(answer=answer.answer, html=answer_html(answer, source_files(service), body.lang),
                           language=answer.language, notices=answer.notices)

    @app.post("/api/match/brief", tags=["match"], response_class=HTMLResponse,
              responses={200: {"content": {"text/html": {}}, "description": "The brief, to save or print."},
                         **_UNAVAILABLE})
    def match_brief(body: MatchRequest) -> Response:
        """The investment brief of the profile: one printable HTML page (print stylesheet; the browser's print
        dialog saves it as PDF), sent as a download."""
        if not service.matching.available:
            return _unavailable()
        return brief_response(profile_brief(service, body.profile, body.lang), body.lang)
