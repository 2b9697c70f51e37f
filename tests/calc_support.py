"""A helper shared by the calculation tests (their fixtures `rules` and `factories` live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from assistant.calculators.requests import CalcRequest, parse_calc_request, run_calc_request
from assistant.calculators.rules import RuleSet
from tests.conftest import sample_places

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _calc(rules: RuleSet, text: str, lang: str = "zh", context: dict | None = None) -> tuple[CalcRequest, float | None]:
    request = parse_calc_request(text, lang, context, places=sample_places())
    assert request is not None, text
    return request, run_calc_request(rules, request, lang).result
