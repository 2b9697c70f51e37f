"""A company profile read from a chat message, Chinese or English: the figures by the words next to them (the
calculators' number reader, Chinese numerals through cn2an), the district and park through the place catalogue,
the factory unit by its listing id, the industry through the lexicon, yes/no and category facts by their words.

The result is a plain dict of Profile fields (talents as a nested dict), so a conversation can keep it as JSON.
A power use is a year's unless the message says a month's; then it is counted twelve times, never the reverse.
A reply to a question the assistant asked (``asked``: a fact of schema FACTS) fills that fact first."""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from assistant.calculators import FACTS, Token, clause_after, clause_before, prepare, tokens
from assistant.listings import Places
from assistant.matching.industry_phrase import industry_phrase
from assistant.matching.profile import OPEN_DISTRICT, Profile

WORDS_FILE = Path(__file__).with_name("profile_words.yaml")
PROFILE_FACTS = tuple(f for f, spec in FACTS.items() if not spec.derived)  # facts a visitor can state
_CLAUSE = re.compile(r"[，,；;。！？!?\n]|\.(?!\d)")
# A measure word between a count and 亿 ("一个亿", "五个亿"): cn2an reads the count once it is gone.
_MEASURE = re.compile(r"(?<=[\d零〇一二两三四五六七八九十百])个(?=亿)|(?<![\d零〇一二两三四五六七八九十])半个(?=亿)")
_TIMES = re.compile(r"\s*[×xX*]\s*")


@functools.cache
def words() -> dict[str, Any]:
    # Read on first use, not at import.
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))


@functools.cache
def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def _near(t: Token, pattern: str) -> bool:
    return bool(rx(pattern).search(clause_before(t)) or rx(pattern).search(clause_after(t)))


def _money_fact(t: Token) -> str | None:
    for source in (clause_before, clause_after):  # the words before a figure name it first (投资5亿元，其中设备…)
        for fact, pattern in words()["money"].items():
            if rx(pattern).search(source(t)):
                return fact
    return None


def _people_fact(t: Token) -> str | None:
    """The fact a count of people states: the noun right after it (5 PhDs, 招5名博士), else the words before it
    in its clause (博士2人, hire 30 workers), else after it."""
    people = words()["people"]
    head = clause_after(t)[:14]
    for source in (lambda _: head, clause_before, clause_after):
        for fact, pattern in people.items():
            if rx(pattern).search(source(t)):
                return fact
    return None


def _set(out: dict[str, Any], fact: str, value: Any) -> None:
    if fact.startswith("talents."):
        out.setdefault("talents", {})[fact.split(".", 1)[1]] = int(value)
    elif fact not in out:  # the first statement of a fact in a message is the one meant
        out[fact] = int(value) if fact == "jobs" else value


def _is_money(t: Token) -> bool:
    """A sum of money: a yuan figure or a bare 万/亿/million, or a bare figure after RMB or ¥ (RMB 800,000)."""
    return t.money or (t.unit == "" and bool(rx(words()["currency_before"]).search(t.before)))


def _figures(found: list[Token], norm: str, out: dict[str, Any]) -> None:
    w = words()
    per_mu = None
    for i, t in enumerate(found):
        if _is_money(t) and _near(t, w["per_mu"]):
            per_mu = t.value
        elif _is_money(t):
            fact = _money_fact(t)
            if fact:
                _set(out, fact, t.value)
        elif t.unit == "mu":
            _set(out, "land_mu", t.value)
        elif t.unit == "m2":
            if _near(t, w["land_area"]) and not _near(t, w["factory_area"]):
                continue  # land given in m²: the mu figure, if any, says it; the profile holds land in mu
            times = found[i - 1].value if i and found[i - 1].unit == "" and _TIMES.fullmatch(t.before) else 1.0
            _set(out, "factory_m2", t.value * times)  # two floors of 2,600 m² (2 × 2,600 m²)
        elif t.unit == "kwh":
            monthly = _near(t, w["monthly"])
            _set(out, "annual_kwh", t.value * 12 if monthly else t.value)
        elif t.unit == "kv":
            _set(out, "voltage_kv", t.value)
        elif t.unit == "kva":
            _set(out, "transformer_kva", t.value)
        elif t.unit == "pct" and re.search(r"鼓励|encouraged", t.before + t.after, re.I):
            _set(out, "encouraged_revenue_share", t.value / 100)
        elif t.unit in ("people", "") and not t.scaled and t.value == int(t.value):
            fact = _people_fact(t)
            if fact and (t.unit == "people" or _near(t, w["people"][fact])):
                _set(out, fact, t.value)
            elif fact is None and rx(w["headcount_unit"]).fullmatch(norm[t.start:t.end].lstrip("0123456789., ")):
                _set(out, "jobs", t.value)  # "120 jobs", "300人": the unit says it is a head count
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


def _park(norm: str, places: Places) -> str | None:
    """The park the message names by its name or an alias (贵阳综合保税区, Shawen Park), not by its district."""
    scored = sorted(places.park_scores(norm), key=lambda ps: -ps[1])
    return scored[0][0].name if scored and scored[0][1] > 1 else None


def _flags(norm: str, out: dict[str, Any]) -> None:
    w = words()
    for fact, pattern in w["flags"].items():
        hit = rx(pattern).search(norm)
        if hit and fact not in out:
            before = norm[max(0, hit.start() - 6): hit.start()]
            out[fact] = not rx(w["negation"]).search(before)


def _local(where: str, places: Places) -> bool:
    where = places.normalise(where)  # Baiyun -> "baiyun 白云"
    return bool(rx(words()["local_place"]).search(where) or places.districts_in(where) or _park(where, places))


def _registered(text: str, places: Places) -> bool | None:
    """Where the company registers: here (在观山湖区注册, registered in Gui'an) is yes, "not yet" is no, elsewhere
    says nothing."""
    w = words()
    for m in rx(w["register_at"]).finditer(text):
        if not _local(m.group("where") or m.group("where2") or "", places):
            continue
        clause = _CLAUSE.split(text[max(0, m.start() - 16): m.start()])[-1]
        return not rx(w["not_yet"]).search(clause + m.group())
    return None


def _widened(found: list[Token], norm: str, reach: int = 60) -> list[Token]:
    """The tokens with up to `reach` characters of text on each side (not past the next figure): the words that
    name a figure may stand further off than the token reader keeps ("Fixed-asset investment excluding land is
    RMB 60 million")."""
    out = []
    for i, t in enumerate(found):
        start = found[i - 1].end if i else 0
        end = found[i + 1].start if i + 1 < len(found) else len(norm)
        out.append(replace(t, before=norm[max(start, t.start - reach): t.start], after=norm[t.end: min(end, t.end + reach)]))
    return out


def _site(text: str) -> str | None:
    """Land or a lease, when the message speaks of one of them only."""
    found = [site for site, pattern in words()["site"].items() if rx(pattern).search(text)]
    return found[0] if len(found) == 1 else None


def _categories(text: str, out: dict[str, Any]) -> None:
    """A category stated outright (计划在新三板挂牌, a provincial technology centre): a value word in the clause of
    the words that say what it is about."""
    w = words()
    for fact, context in w["category_context"].items():
        for clause in _CLAUSE.split(text):
            if fact in out or not rx(context).search(clause):
                continue
            for value, pattern in w["categories"][fact].items():
                if rx(pattern).search(clause):
                    out[fact] = value
                    break


def _answer_to(asked: str, text: str, norm: str, found: list[Token], places: Places) -> dict[str, Any]:
    """The value a short reply gives for the fact just asked about ("5000万", "观山湖", "是的")."""
    w, spec, out = words(), FACTS.get(asked), {}
    if spec is None:
        return out
    if asked == "district":
        district = _district(norm, places)
        if district or OPEN_DISTRICT.match(text.strip(" 。.!！")) or rx(w["open_district"]).search(norm):
            out["district"] = district or "open"
    elif asked == "industry":
        out["industry"] = industry_phrase(text, places, w) or text.strip(" 。.!！")[:100]
    elif spec.kind == "flag":
        reply = text.strip().lower()
        if rx(w["deny"]).search(reply):
            out[asked] = False
        elif rx(w["affirm"]).search(reply):
            out[asked] = True
    elif spec.kind == "category":
        for value, pattern in w["categories"].get(asked, {}).items():
            if rx(pattern).search(norm):
                out[asked] = value
                break
    elif found and not rx(w["question"]).search(text):  # a question ("两免三减半是什么意思") answers no figure
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
    text = _MEASURE.sub(lambda m: "0.5" if m.group().startswith("半") else "", text)
    norm, units = prepare(text, places)
    found = _widened(tokens(norm), norm)
    out: dict[str, Any] = _answer_to(asked, text, norm, found, places) if asked else {}
    answered = bool(asked) and FACTS[asked].kind == "number" and bool(stated(out)) if asked in FACTS else False
    _figures(found[1:] if answered else found, norm, out)  # the figure that answered is read once
    if "district" not in out:
        if district := _district(norm, places):
            out["district"] = district
        elif rx(words()["open_district"]).search(norm) and re.search(r"选址|区县|园区|district|location|site|park", norm, re.I):
            out["district"] = "open"
    if units and "factory_unit" not in out:
        out["factory_unit"] = units[0]
    if "park" not in out and (park := _park(norm, places)):
        out["park"] = park
    if "industry" not in out and (industry := industry_phrase(text, places, words())):
        out["industry"] = industry
    if "site" not in out and (site := _site(text)):
        out["site"] = site
    if "registered_locally" not in out and (registered := _registered(text, places)) is not None:
        out["registered_locally"] = registered
    _flags(norm, out)
    _categories(text.lower(), out)
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
