"""Field types of the rules files: each carries the check and the wording staff see when a value is wrong;
and the parts every rule shares (source, metadata, sample flag)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
)
from pydantic_core import PydanticCustomError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERIOD = re.compile(r"^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _fault(kind: str, message: str, value: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, {"value": repr(value)})


# ---------- scalar types: the checks and messages of the old spec language ----------

def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fault("not_a_number", "not a number: {value}", value)
    return float(value)


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise _fault("not_a_whole_number", "not a whole number: {value}", value)
    return int(value)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fault("not_text", "expected non-empty text, got {value}", value)
    return value


def _optional_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fault("not_text", "expected text, got {value}", value)
    return value


def _label(value: Any) -> str:
    """Any scalar, kept as text (a month such as 2025-12)."""
    return "" if value is None else str(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fault("not_a_flag", "bad sample flag {value} (use true or false)", value)
    return value


def _id(value: Any) -> str:
    if not isinstance(value, str) or not _KEBAB.match(value):
        raise _fault("bad_id", "id {value} is not kebab-case", value)
    return value


def _period(value: Any) -> str:
    if not isinstance(value, str) or not _PERIOD.match(value):
        raise _fault("bad_period", "bad period {value} (use HH:MM-HH:MM)", value)
    return value


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if isinstance(value, str) and _DATE.match(value.strip()):
            return dt.date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise _fault("bad_date", "bad date {value} (use YYYY-MM-DD)", value)


def _optional_date(value: Any) -> dt.date | None:
    return None if value in (None, "") else _date(value)


Num = Annotated[float, PlainValidator(_number)]
Whole = Annotated[int, PlainValidator(_whole)]
Text = Annotated[str, PlainValidator(_text)]
OptText = Annotated[str, PlainValidator(_optional_text)]
Label = Annotated[str, PlainValidator(_label)]
Flag = Annotated[bool, PlainValidator(_flag)]
Id = Annotated[str, PlainValidator(_id)]
Period = Annotated[str, PlainValidator(_period)]
Date = Annotated[dt.date, PlainValidator(_date)]
OptDate = Annotated[dt.date | None, PlainValidator(_optional_date)]
T = TypeVar("T")
NonEmpty = Annotated[tuple[T, ...], Field(min_length=1)]


class Strict(BaseModel):
    """Every rules mapping: unknown (e.g. misspelt) keys are faults, objects are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    title: Text
    doc_number: OptText = ""
    article: OptText = ""

    def cite(self) -> str:
        """《标题》（文号）第X条 — the form answers and working lines use."""
        number = f"（{self.doc_number}）" if self.doc_number else ""
        return f"《{self.title}》{number}{self.article}"


class Meta(Strict):
    """A rules file's `meta:`. Its values are judged by validation.validate_metadata (shared with documents, same
    messages), so the types here only convert; what they add is the check for unknown keys."""

    title: Label
    title_en: Label = ""  # its English title, for English readers' citations
    issuer: Label
    doc_number: Label = ""
    topic: Label
    district: Label = ""
    effective: Date
    expires: OptDate = None
    language: Label
    sample: Flag = False


class Item(Strict):
    """A rule with its own citation and sample flag; `note` is free text for people reading the file; `name` and
    `name_en` what a person calls the rule, shown where it is cited (else the first clause of its statement)."""

    source: Source
    sample: Flag
    note: OptText = ""
    name: OptText = ""
    name_en: OptText = ""


class Example(Item):
    """A worked example kept in the file for readers (not indexed as a rule)."""

    title: Text
    text: Text
