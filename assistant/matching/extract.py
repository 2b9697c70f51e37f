"""A company profile read from a chat message, Chinese or English: the figures by the words next to them (the
calculators' number reader), the district through the place catalogue, the industry through the lexicon.

The result is a plain dict of Profile fields (talents as a nested dict), so a conversation can keep it as JSON.
A power use is a year's unless the message says a month's; then it is counted twelve times, never the reverse.
A reply to a question the assistant asked (``asked``: a fact of schema FACTS) fills that fact first."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from assistant.calculators import FACTS, Token, clause_after, clause_before, prepare, tokens
from assistant.listings import Places
from assistant.matching.profile import OPEN_DISTRICT, Profile

WORDS_FILE = Path(__file__).with_name("profile_words.yaml")
PROFILE_FACTS = tuple(f for f, spec in FACTS.items() if not spec.derived)  # facts a visitor can state
_CLAUSE = re.compile(r"[，,；;。！？!?\n]|\.(?!\d)")


@functools.cache
def _words() -> dict[str, Any]:
    # Read on first use, not at import.
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))


def _rx(pattern: str) -> re.Pattern[str]:
    return _compiled(pattern)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def _near(t: Token, pattern: str) -> bool:
    rx = _rx(pattern)
    return bool(rx.search(clause_before(t)) or rx.search(clause_after(t)))


def _money_fact(t: Token) -> str | None:
    for source in (clause_before, clause_after):  # the words before a figure name it first (投资5亿元，其中设备…)
        for fact, pattern in _words()["money"].items():
            if _rx(pattern).search(source(t)):
                return fact
    return None


def _people_fact(t: Token) -> str | None:
    for source in (clause_before, clause_after):
        for fact, pattern in _words()["people"].items():
            if _rx(pattern).search(source(t)):
                return fact
    return None


def _set(out: dict[str, Any], fact: str, value: Any) -> None:
    if fact.startswith("talents."):
        out.setdefault("talents", {})[fact.split(".", 1)[1]] = int(value)
    elif fact not in out:  # the first statement of a fact in a message is the one meant
        out[fact] = int(value) if fact == "jobs" else value


def _figures(found: list[Token], out: dict[str, Any]) -> None:
    w = _words()
    per_mu = None
    for t in found:
        if t.money and _near(t, w["per_mu"]):
            per_mu = t.value
        elif t.money:
            fact = _money_fact(t)
            if fact:
                _set(out, fact, t.value)
        elif t.unit == "mu":
            _set(out, "land_mu", t.value)
        elif t.unit == "m2":
            if _near(t, w["land_area"]) and not _near(t, w["factory_area"]):
                continue  # land given in m²: the mu figure, if any, says it; the profile holds land in mu
            _set(out, "factory_m2", t.value)
        elif t.unit == "kwh":
            monthly = _near(t, w["monthly"])
            _set(out, "annual_kwh", t.value * 12 if monthly else t.value)
        elif t.unit == "kv":
            _set(out, "voltage_kv", t.value)
        elif t.unit == "pct" and re.search(r"鼓励|encouraged", t.before + t.after, re.I):
            _set(out, "encouraged_revenue_share", t.value / 100)
        elif t.unit in ("people", "") and not t.scaled and t.value == int(t.value):
            fact = _people_fact(t)
            if fact and (t.unit == "people" or _near(t, w["people"][fact])):
                _set(out, fact, t.value)
    if per_mu is not None and out.get("land_mu") and "fixed_asset_investment_yuan" not in out:
        _set(out, "fixed_asset_investment_yuan", per_mu * out["land_mu"])


def _district(norm: str, places: Places) -> str | None:
    named = places.districts_in(norm)
    if named:
        return named[0]
    scored = sorted(places.park_scores(norm), key=lambda ps: -ps[1])
    if scored and scored[0][1] > 1:
        return scored[0][0].district
    return None


def _industry(text: str, places: Places) -> str | None:
    """The phrase naming the industry ("锂电池正极材料"), when the lexicon knows an industry in it."""
    w = _words()
    clauses = [c.strip() for c in _CLAUSE.split(text) if c.strip()]
    for clause in clauses:
        if not places.industries_in(clause):
            continue
        after = _rx(f"(?:{w['industry_before']})\\s*(.+)$").search(clause)
        if not after and re.search(r"\d", clause):
            continue  # a clause of figures ("R&D spend 20 million") names a spend, not the industry
        phrase = after.group(1) if after else clause
        phrase = re.split(r"的(?:企业|公司|项目)|，|,|计划|准备|打算|\bplan|\band we\b", phrase)[0].strip(" 的")
        phrase = _rx(w["industry_after"]).sub("", phrase).strip(" 的")
        if places.industries_in(phrase) and len(phrase) <= 60:
            return phrase
        return clause[:60]
    return None


def _flags(norm: str, out: dict[str, Any]) -> None:
    w = _words()
    for fact, pattern in w["flags"].items():
        hit = _rx(pattern).search(norm)
        if hit and fact not in out:
            before = norm[max(0, hit.start() - 6): hit.start()]
            out[fact] = not _rx(w["negation"]).search(before)


def _answer_to(asked: str, text: str, norm: str, found: list[Token], places: Places) -> dict[str, Any]:
    """The value a short reply gives for the fact just asked about ("5000万", "观山湖", "是的")."""
    w, spec, out = _words(), FACTS.get(asked), {}
    if spec is None:
        return out
    if asked == "district":
        district = _district(norm, places)
        if district or OPEN_DISTRICT.match(text.strip(" 。.!！")) or _rx(w["open_district"]).search(norm):
            out["district"] = district or "open"
    elif asked == "industry":
        out["industry"] = _industry(text, places) or text.strip(" 。.!！")[:100]
    elif spec.kind == "flag":
        reply = text.strip().lower()
        if _rx(w["deny"]).search(reply):
            out[asked] = False
        elif _rx(w["affirm"]).search(reply):
            out[asked] = True
    elif spec.kind == "category":
        for value, pattern in w["categories"].get(asked, {}).items():
            if _rx(pattern).search(norm):
                out[asked] = value
                break
    elif found and not _rx(w["question"]).search(text):  # a question ("两免三减半是什么意思") answers no figure
        t = found[0]
        value = t.value
        if asked == "annual_kwh" and _near(t, w["monthly"]):
            value *= 12
        if asked == "encouraged_revenue_share" and (t.unit == "pct" or value > 1):
            value /= 100
        _set(out, asked, value)
    return out


def profile_from_text(text: str, places: Places, asked: str = "") -> dict[str, Any]:
    """The profile facts a message states, as Profile fields (invalid figures dropped)."""
    norm, _ids = prepare(text, places)
    found = tokens(norm)
    out: dict[str, Any] = _answer_to(asked, text, norm, found, places) if asked else {}
    _figures(found, out)
    if "district" not in out:
        if district := _district(norm, places):
            out["district"] = district
        elif _rx(_words()["open_district"]).search(norm) and re.search(r"选址|区县|district|location|site", norm, re.I):
            out["district"] = "open"
    if "industry" not in out and (industry := _industry(text, places)):
        out["industry"] = industry
    _flags(norm, out)
    return valid_part(out)


def valid_part(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields a Profile accepts: one that fails validation (a figure out of range) is left out."""
    kept: dict[str, Any] = {}
    for key, value in fields.items():
        trial = {**kept, key: value}
        try:
            Profile.model_validate(trial)
        except ValueError:
            continue
        kept[key] = value
    return kept


def merge(profile: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """The profile with the update's facts, later ones replacing earlier ones (talents merged by degree)."""
    out = {**profile, **{k: v for k, v in update.items() if k != "talents"}}
    if "talents" in update:
        out["talents"] = {**profile.get("talents", {}), **update["talents"]}
    return out


def stated(profile: dict[str, Any]) -> list[str]:
    """The facts a profile states (talents by degree), in FACTS order."""
    talents = profile.get("talents") or {}
    return [f for f in PROFILE_FACTS
            if (f.startswith("talents.") and talents.get(f.split(".", 1)[1]) is not None) or profile.get(f) is not None]
