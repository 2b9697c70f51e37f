"""Request and reply shapes of the web API, and the contact-detail rules the page shares with it."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.matching import Profile
from assistant.text_input import visible
from assistant.web.consent import CONSENT_VERSION

SESSION_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
# Mainland mobile (optionally +86) or a landline with area code, e.g. 0851-8xxxxxxx; spaces, dashes ignored.
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")


def valid_phone(value: str) -> bool:
    digits = re.sub(r"[\s\-()]", "", value)
    return bool(_MOBILE.match(digits) or _LANDLINE.match(digits))


def valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


class _Strict(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _invisible_ends(cls, value: Any) -> Any:
        # Control and format characters at the ends go too ("\x1d", "\u200b", "\ufeff"), so a field of only
        # those is empty: a 422 where the field is required, never stored or answered. A NUL inside is refused
        # (PostgreSQL cannot store one in a text column).
        if not isinstance(value, str):
            return value
        value = visible(value)
        if "\x00" in value:
            raise ValueError("contains a NUL character")
        return value


class ChatRequest(_Strict):
    message: str = Field(description="The question; its length limit is web.max_message_chars.")
    session_id: str | None = Field(None, pattern=SESSION_PATTERN, description=(
        "Conversation id for follow-ups; a new one is returned when omitted."))
    lang: Literal["zh", "en"] | None = Field(None, description="Answer language; default: the question's.")
    stream: bool = Field(False, description=(
        "Reply with server-sent events (also chosen by Accept: text/event-stream)."))


class LeadRequest(_Strict):
    name: str = Field(min_length=1, max_length=100)
    company: str = Field("", max_length=200)
    phone: str = Field("", max_length=40, description=(
        "Mainland mobile or landline (0851-…); phone or email required."))
    email: str = Field("", max_length=254)
    interest: str = Field("", max_length=100, description="Topic of interest, e.g. land, standard factories.")
    message: str = Field("", max_length=2000)
    session_id: str | None = Field(None, pattern=SESSION_PATTERN)
    profile: Profile | None = Field(None, description=(
        "A company profile (as POST /api/match takes it): its investment brief is kept with the lead. Without one, "
        "the profile given in the chat of ``session_id`` is used, if any."))
    profile_lang: Literal["zh", "en"] = Field("zh", description="Language of the brief.")
    consent_version: str = Field("", max_length=40, description=(
        "The version of the consent text the form showed (what is kept, how long, why); recorded with the "
        "time. Forms send it; a version that is not the current one is refused, so the visitor re-reads it."))

    @field_validator("consent_version")
    @classmethod
    def _consent(cls, value: str) -> str:
        if value and value != CONSENT_VERSION:
            raise ValueError("the consent text has changed: reload the form, read it and send again")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and not valid_phone(value):
            raise ValueError("not a mainland mobile (1xxxxxxxxxx) or landline (0851-xxxxxxxx) number")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not valid_email(value):
            raise ValueError("not a valid email address")
        return value

    def contact_errors(self) -> list[dict[str, Any]]:
        """A lead needs a way to reach the investor: a phone number or an email."""
        if self.phone or self.email:
            return []
        msg = "give a phone number or an email address"
        return [field_error("phone", msg, "missing"), field_error("email", msg, "missing")]


class FeedbackRequest(_Strict):
    question: str = Field(min_length=1, max_length=4000)
    answer: str = Field("", max_length=20000)
    rating: Literal[1, -1] = Field(description="1 = helpful, -1 = not helpful.")
    comment: str = Field("", max_length=2000)
    session_id: str | None = Field(None, pattern=SESSION_PATTERN)


class SourceOut(BaseModel):
    title: str
    locator: str
    text: str
    doc_id: str = ""
    page: int = 0
    kind: str = ""
    sample: bool = False
    highlight: str = ""
    url: str | None = Field(None, description="/sources/<doc_id>[#page=N] when the file is served.")


class ChatReply(BaseModel):
    answer: str
    status: str
    handoff: bool
    language: str
    sources: list[SourceOut]
    table: list[dict[str, Any]]
    working: list[str]
    notices: list[str]
    session_id: str
    html: str = Field(description=(
        "The whole answer (text, table, working, source cards) as safe HTML, as the page and widget show it: "
        "raw HTML of answers and documents escaped, links only http(s), mailto, tel and /sources/."))


class Created(BaseModel):
    ok: bool = True
    id: int


class Health(BaseModel):
    ok: bool
    build_id: str
    chunks: int
    current: bool
    database: bool


def field_error(field: str, msg: str, kind: str = "value_error") -> dict[str, Any]:
    """One error in FastAPI's own 422 shape, so clients parse every validation error the same way."""
    return {"type": kind, "loc": ["body", field], "msg": msg}
