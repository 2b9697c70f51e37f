"""Figures of a quoted passage restated in the reader's language: "0.5元/千瓦时" → "RMB 0.5/kWh", "50万元" →
"RMB 500,000", "2026年9月1日" → "1 September 2026", and English figures the other way ("RMB 3,000 per month" →
"3000元/月"). Only exact conversions; the number-grounding check accepts what `derived_numbers` lists and
nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

_NUM = r"(\d+(?:,\d{3})*(?:\.\d+)?)"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
# Chinese multipliers whose products are restated in full (and the English word for the larger one).
_SCALE = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}

# (pattern over Chinese text, English rendering of the figure, its scale word or ""). Longer units first.
_ZH_UNITS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple((re.compile(p), e, s) for p, e, s in (
    (r"每亩\s*" + _NUM + r"\s*(万|亿)元", "RMB {v}/mu", "scale"),
    (_NUM + r"\s*(万|亿)元\s*/\s*(?:亩)", "RMB {v}/mu", "scale"),
    (_NUM + r"\s*(万|亿)元", "RMB {v}", "scale"),
    (_NUM + r"\s*元\s*/\s*(?:千瓦时|度|kWh)", "RMB {n}/kWh", ""),
    (_NUM + r"\s*元\s*/\s*(?:千伏安|kVA)\s*[·•/]\s*月", "RMB {n}/kVA per month", ""),
    (_NUM + r"\s*元\s*/\s*(?:千瓦|kW)\s*[·•/]\s*月", "RMB {n}/kW per month", ""),
    (_NUM + r"\s*元\s*/\s*(?:平方米|㎡|m2|m²)\s*[·•/]\s*月", "RMB {n}/m² per month", ""),
    (_NUM + r"\s*元\s*/\s*(?:平方米|㎡|m2|m²)", "RMB {n}/m²", ""),
    (_NUM + r"\s*元\s*/\s*亩", "RMB {n}/mu", ""),
    (r"每亩\s*" + _NUM + r"\s*元", "RMB {n}/mu", ""),
    (_NUM + r"\s*元\s*/\s*(?:人\s*[·•/]\s*)?月", "RMB {n} per month", ""),
    (_NUM + r"\s*元\s*/\s*年", "RMB {n} per year", ""),
    (_NUM + r"\s*元", "RMB {n}", ""),
    (_NUM + r"\s*亩", "{n} mu", ""),
    (_NUM + r"\s*(?:平方米|㎡)", "{n} m²", ""),
    (_NUM + r"\s*(?:千伏安)", "{n} kVA", ""),
    (_NUM + r"\s*(?:千伏)", "{n} kV", ""),
    (_NUM + r"\s*(?:千瓦时)", "{n} kWh", ""),
    (_NUM + r"\s*(?:千瓦)", "{n} kW", ""),
    (_NUM + r"\s*%", "{n}%", ""),
    (_NUM + r"\s*个?工作日", "{n} working days", ""),
    (_NUM + r"\s*个月", "{n} months", ""),
    (_NUM + r"\s*[天日](?![内前后起])", "{n} days", ""),
))
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
_YEARS = re.compile(r"(?<![\d.])(\d{1,2})\s*年(?![度底末初月])")

_EN_UNITS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.I), z) for p, z in (
    (r"(?:RMB|CNY|¥)\s*" + _NUM + r"\s*(?:/|per)\s*kWh", "{n}元/千瓦时"),
    (r"(?:RMB|CNY|¥)\s*" + _NUM + r"\s*(?:/|per)\s*(?:sq\.? ?m|m²|m2|square met(?:re|er))\s*(?:/|per|a|each)\s*month",
     "{n}元/平方米·月"),
    (r"(?:RMB|CNY|¥)\s*" + _NUM + r"\s*(?:/|per)\s*mu\b", "{n}元/亩"),
    (r"(?:RMB|CNY|¥)\s*" + _NUM + r"\s*(?:/|per|a|each)\s*month", "{n}元/月"),
    (r"(?:RMB|CNY|¥)\s*" + _NUM + r"\s*(?:/|per|a|each)\s*year", "{n}元/年"),
    (r"(?:RMB|CNY|¥)\s*" + _NUM + r"\s*亿(?:元)?", "{n}亿元"),
    (r"(?:RMB|CNY|¥)\s*" + _NUM + r"\s*万(?:元)?", "{n}万元"),
    # "RMB 189.1 billion" is not restated: in 亿 it would be a number no source states.
    (r"(?:RMB|CNY|¥)\s*" + _NUM + r"(?![\d.,]|\s*(?:million|billion|亿|万))", "{n}元"),
    (_NUM + r"\s*(?:RMB|yuan|CNY)", "{n}元"),
    (_NUM + r"\s*(?:sq\.? ?m\b|m²|m2\b|square met(?:re|er)s?)", "{n}平方米"),
    (_NUM + r"\s*mu\b", "{n}亩"),
    (_NUM + r"\s*%", "{n}%"),
    (_NUM + r"\s*(?:working|business) days", "{n}个工作日"),
    (_NUM + r"\s*months?\b", "{n}个月"),
    (_NUM + r"\s*days?\b", "{n}天"),
    (_NUM + r"\s*years?\b", "{n}年"),
))


def _plain(number: str) -> Decimal:
    return Decimal(number.replace(",", ""))


def _amount(value: Decimal) -> str:
    """An amount the English way: 500,000; 12 million; 189.133 billion."""
    for size, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if value >= size:
            return f"{_grouped(value / size)} {word}"
    return _grouped(value)


def _amounts(value: Decimal) -> set[str]:
    """The numbers ``_amount`` may write for a value: in full, in millions, in billions."""
    sizes = [size for size in (Decimal(10) ** 6, Decimal(10) ** 9) if value >= size]
    return {_grouped(v).replace(",", "") for v in (value, *(value / size for size in sizes))}


def _grouped(value: Decimal) -> str:
    """12,345.6 style, without trailing zeros."""
    text = f"{value.normalize():f}"
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


def _singular(text: str) -> str:
    """'1 working days' → '1 working day': one of a unit is named in the singular."""
    return text[:-1] if re.fullmatch(r"1 [a-z ]+s", text) else text


def figures_in_english(sentence: str) -> list[str]:
    """The figures of a Chinese sentence, restated in English, in order of appearance, each once."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for m in _DATE.finditer(sentence):
        year, month, day = m.group(1), int(m.group(2)), m.group(3)
        if 1 <= month <= 12:
            text = f"{int(day)} {_MONTHS[month - 1]} {year}" if day else f"{_MONTHS[month - 1]} {year}"
            found.append((m.start(), text))
            taken.append(m.span())
    for pattern, english, scale in _ZH_UNITS:
        for m in pattern.finditer(sentence):
            if not free(*m.span()):
                continue
            number = m.group(1)
            if scale:
                value = _plain(number) * _SCALE[m.group(2)]
                text = english.format(v=_amount(value))
            else:
                text = _singular(english.format(n=number))
            found.append((m.start(), text))
            taken.append(m.span())
    for m in _YEARS.finditer(sentence):
        if free(*m.span()):
            found.append((m.start(), _singular(f"{m.group(1)} years")))
            taken.append(m.span())
    return list(dict.fromkeys(text for _, text in sorted(found)))


def figures_in_chinese(sentence: str) -> list[str]:
    """The figures of an English sentence, restated the Chinese way (RMB 3,000 per month → 3000元/月)."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, chinese in _EN_UNITS:
        for m in pattern.finditer(sentence):
            if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            found.append((m.start(), chinese.format(n=_grouped(_plain(m.group(1))).replace(",", ""))))
            taken.append(m.span())
    return list(dict.fromkeys(text for _, text in sorted(found)))


def derived_numbers(evidence: Iterable[str]) -> set[str]:
    """Numbers the conversions above state that their sources do not: products of 万 and 亿 amounts written in
    full. The grounding check accepts these beside the sources' own numbers."""
    out: set[str] = set()
    for text in evidence:
        for m in re.finditer(_NUM + r"\s*(万|亿)", text):
            out |= _amounts(_plain(m.group(1)) * _SCALE[m.group(2)])
    return out
