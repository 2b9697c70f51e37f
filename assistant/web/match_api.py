"""``POST /api/match``: a company profile in, the matching incentives with amounts, citations and costs out.

The matcher reads the served index's catalogue (its rules and factory listings), so it matches against the
same corpus the chat answers from, and follows it when the index is rebuilt."""

from __future__ import annotations

from typing import Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.answering import ChatService
from assistant.matching import Matcher, MatchResult, Profile
from assistant.settings import MatchSettings
from assistant.web.schemas import field_error


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: Profile = Field(description="What the company plans; every field optional (unknown when left out).")
    lang: Literal["zh", "en"] = Field("zh", description="Language of the result's words.")


def install_match(app: FastAPI, service: ChatService, settings: MatchSettings) -> None:
    @app.post("/api/match", response_model=MatchResult, tags=["match"],
              responses={503: {"description": "The served corpus has no valid rules files."}})
    def match(body: MatchRequest) -> MatchResult | JSONResponse:
        """Every incentive rule judged against the profile: criteria met / not met / unknown (with what to
        provide), the amount by the calculators with their working, citation and validity; the first-year total
        (each exclusivity group counted once) and the profile's land, power and rent costs."""
        catalog = service.catalog
        if catalog.rules is None:
            return JSONResponse({"detail": [field_error("", "the served corpus has no valid rules files",
                                                        "rules_unavailable")]}, status_code=503)
        return Matcher(catalog.rules, catalog.factories, settings).match(body.profile, body.lang)
