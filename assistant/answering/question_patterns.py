"""How questions ask, read from support_patterns.yaml: the kinds of figure asked for and how sentences state
them, the units priced by, where one message's next question starts, a request for a list. Language, not
domain: the patterns ship with the code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from assistant.language import to_simplified

PATTERNS_FILE = Path(__file__).with_name("support_patterns.yaml")
YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def years_in(text: str) -> list[str]:
    """The years a text names (2024, not 12024), in order."""
    return YEAR.findall(text)


@dataclass(frozen=True)
class Patterns:
    asks: Mapping[str, re.Pattern[str]]  # kind -> a question asking for it
    figures: Mapping[str, re.Pattern[str]]  # kind -> a sentence stating it
    unit_asks: Mapping[str, re.Pattern[str]]  # unit -> a question pricing by it
    unit_names: Mapping[str, re.Pattern[str]]  # unit -> a sentence naming it
    not_subject: frozenset[str] = frozenset()  # words naming the kind of figure asked (price, 费用)
    whole_region: re.Pattern[str] | None = None  # 全市, citywide
    asks_list: re.Pattern[str] | None = None  # 有哪几种, what are the steps
    counted_zh: re.Pattern[str] | None = None  # 多少辆: group 1 is the measure word of the thing counted
    counted_en: re.Pattern[str] | None = None  # how many workers: group 1 is the thing counted
    counters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # 人 -> (人, 名, 位): the same thing counted
    counted_skip: frozenset[str] = frozenset()
    verb_after: re.Pattern[str] | None = None  # an English word after "to", "we"…: a verb when the dictionary says so
    question_breaks: re.Pattern[str] | None = None  # where a message's next question starts
    reference_places: re.Pattern[str] | None = None  # a place named to compare with ("like Guanshanhu does")
    counted_noun: re.Pattern[str] | None = None  # 多少个产业项目: group 1 is the noun counted
    district_zh: re.Pattern[str] | None = None  # 花溪区: group 1 a district-level place name
    district_en: re.Pattern[str] | None = None  # Huaxi District: group 1 the name
    negated: re.Pattern[str] | None = None  # "(not industrial)", 而不是租: words the question sets aside
    qualifier: re.Pattern[str] | None = None  # 35 kV: a class named by a figure; group 1 the figure
    month_en: re.Pattern[str] | None = None  # June 2026: group 1 the month's name, group 2 the year
    month_names: tuple[str, ...] = ()  # january … december: a month's number is its place here + 1


@cache
def default_patterns() -> Patterns:
    data = yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8")) or {}
    kinds, units = data.get("kinds") or {}, data.get("units") or {}

    def compiled(table: Mapping[str, Mapping[str, str]], key: str) -> dict[str, re.Pattern[str]]:
        return {name: re.compile(entry[key], re.I) for name, entry in table.items()}

    counted = data.get("counted") or {}
    counters = {word: tuple(group) for group in counted.get("counters") or () for word in group}
    return Patterns(compiled(kinds, "ask"), compiled(kinds, "figure"), compiled(units, "ask"), compiled(units, "named"),
                    frozenset(str(w).lower() for w in data.get("not_subject") or ()),
                    re.compile(data["whole_region"], re.I) if data.get("whole_region") else None,
                    re.compile(data["asks_list"], re.I) if data.get("asks_list") else None,
                    re.compile(counted["zh"]) if counted.get("zh") else None,
                    re.compile(counted["en"], re.I) if counted.get("en") else None,
                    counters, frozenset(str(w).lower() for w in counted.get("skip") or ()),
                    re.compile(data["verb_after"], re.I) if data.get("verb_after") else None,
                    re.compile(data["question_breaks"], re.I) if data.get("question_breaks") else None,
                    re.compile(data["reference_places"], re.I) if data.get("reference_places") else None,
                    re.compile(counted["zh_noun"]) if counted.get("zh_noun") else None,
                    re.compile(data["district_zh"]) if data.get("district_zh") else None,
                    re.compile(data["district_en"]) if data.get("district_en") else None,
                    *(re.compile(data[key], re.I) if data.get(key) else None for key in ("negated", "qualifier", "month_en")),
                    tuple(str(m).lower() for m in data.get("month_names") or ()))


def asks_for_list(question: str, patterns: Patterns | None = None) -> bool:
    """Does the question ask for several things (有哪几种方式, what are the steps)?"""
    pattern = (patterns or default_patterns()).asks_list
    return bool(pattern and pattern.search(to_simplified(question)))


def kinds_in(question: str, patterns: Patterns | None = None) -> tuple[str, ...]:
    """The kinds of figure a question asks for (money, duration…). Words it sets aside ("(not industrial)") ask
    nothing; a list asked for (要满足哪几个条件) is not a count; a specific kind says more than 多少."""
    patterns = patterns or default_patterns()
    text = to_simplified(question)
    if patterns.negated is not None:
        text = patterns.negated.sub(" ", text)
    kinds = tuple(k for k, p in patterns.asks.items() if p.search(text))
    if patterns.asks_list is not None and patterns.asks_list.search(text):
        kinds = tuple(k for k in kinds if k not in ("count", "number"))
    if len(kinds) > 1:
        kinds = tuple(k for k in kinds if k != "number")
    return kinds


MIN_QUESTION_CHARS = 4  # a shorter piece ("吗？", "ok?") asks nothing of its own


def split_questions(text: str, patterns: Patterns | None = None) -> list[str]:
    """The questions one message asks, in order ("…补多少？一家企业一年最多补多少？" → two); one item when it asks
    one thing. A piece too short to ask anything joins the one before it."""
    pattern = (patterns or default_patterns()).question_breaks
    if pattern is None:
        return [text]
    out: list[str] = []
    for piece in pattern.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if out and len(re.sub(r"\W", "", piece)) < MIN_QUESTION_CHARS:
            out[-1] += piece
        else:
            out.append(piece)
    return out or [text]




_MONTH_ZH = re.compile(r"((?:19|20)\d{2})\s*(?:年\s*|[-/.])(\d{1,2})(?:\s*月|(?!\d))")


def months_in(text: str, patterns: Patterns | None = None) -> list[tuple[int, int]]:
    """The months a text names with their year, as (year, month): June 2026, 2026年6月, 2026-06."""
    patterns = patterns or default_patterns()
    out = [(int(y), int(m)) for y, m in _MONTH_ZH.findall(text) if 1 <= int(m) <= 12]
    if patterns.month_en is not None and patterns.month_names:
        out += [(int(m.group(2)), patterns.month_names.index(m.group(1).lower()) + 1)
                for m in patterns.month_en.finditer(text) if m.group(1).lower() in patterns.month_names]
    return list(dict.fromkeys(out))


def names_month(text: str, month: int, patterns: Patterns | None = None) -> bool:
    """Does a text name this month (6月, 2026-06, June), with or without its year?"""
    patterns = patterns or default_patterns()
    if re.search(rf"(?<!\d)0?{month}\s*月|(?:19|20)\d{{2}}[-/.]0?{month}(?!\d)", text):
        return True
    name = patterns.month_names[month - 1] if len(patterns.month_names) >= month else ""
    return bool(name and re.search(rf"\b{name}[a-z]*\b", text, re.I))
