"""Number grounding, shared by the extractive composer and the LLM agent: every number in an answer must
appear in a cited source or in a calculator's working."""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.answering.units import derived_numbers

_MARKER = re.compile(r"\[\d{1,2}\]")  # citation markers [1] are not claims
_NUMBER = re.compile(r"(?<![0-9A-Za-z.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def normalise_number(token: str) -> str:
    """'1,000,000' -> '1000000'; '0.240' -> '0.24'; '08' -> '8'; '18.0' -> '18'."""
    token = token.replace(",", "")
    if "." in token:
        token = token.rstrip("0").rstrip(".")
    token = token.lstrip("0") or "0"
    return "0" + token if token.startswith(".") else token


def numbers_in(text: str) -> set[str]:
    return {normalise_number(m) for m in _NUMBER.findall(_MARKER.sub(" ", text))}


def ungrounded_numbers(answer: str, evidence: Iterable[str]) -> list[str]:
    """Numbers stated in ``answer`` that no evidence text contains, in order of appearance. A 万 or 亿 amount
    restated in full (50万元 → RMB 500,000) counts as contained: units.derived_numbers lists those."""
    evidence = list(evidence)
    known: set[str] = derived_numbers(evidence)
    for text in evidence:
        known |= numbers_in(text)
    seen: list[str] = []
    for match in _NUMBER.findall(_MARKER.sub(" ", answer)):
        value = normalise_number(match)
        if value not in known and value not in seen:
            seen.append(value)
    return seen
