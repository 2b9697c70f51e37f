"""Read the quantities in a chat message: Chinese numerals, 万/亿/million multipliers and the unit after each.

Each number becomes a Token in base units (yuan, kWh, kW, kVA, kV, mu, m2, people, percent) with the text
around it, so the request parsers can tell "设备投资5000万元" from "固定资产投资2亿元" by the words nearby.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.listings.records import normalise_place_text
from assistant.listings.search import _IDS, _NUM

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千]+")
_EN_NUMBERS = {w: i for i, w in enumerate(
    ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
     "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]) if w} \
    | {"thirty": 30, "forty": 40, "fifty": 50, "a dozen": 12}
# "two PhDs", "five master's graduates": number words before a count; a bare "one" only before a person or degree
# word ("which one" stays), and "two-part tariff" is a name, not a quantity.
_EN_NUMBER = re.compile(r"\b(?:(?P<w>" + "|".join(w for w in _EN_NUMBERS if w != "one") + r")\b(?![- ]part)|"
                        r"\bone(?=\s+(?:more\s+)?(?:phd|doctor|master|bachelor|graduate|person|employee|worker|year)))")
_CLAUSE_END = re.compile(r"[，,；;。!?！？、\n]|\.(?!\d)|\band\b|\bwhile\b|和|以及|及|另外|其中")
_MULTS = {"亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3, "billion": 1e9, "million": 1e6, "thousand": 1e3}
_TOKEN = re.compile(
    rf"(?P<n>{_NUM})\s*(?P<mult>千万|百万|万|亿|千(?![瓦伏])|billion\b|million\b|thousand\b)?\s*(?:"
    r"(?P<gwh>gwh|gigawatt[- ]hours?)|(?P<mwh>mwh|megawatt[- ]hours?)|(?P<mw>兆瓦|mw\b|megawatts?)|"
    r"(?P<kwh>度|千瓦时|kwh|kw·h|kilowatt[- ]hours?)|(?P<kva>千伏安|kva)|(?P<kv>千伏|kv)|(?P<kw>千瓦|kw|kilowatts?)|"
    r"(?P<mu>亩|mu\b)|(?P<m2>㎡|m²|m2|平方米|平方|平米|平(?![段时])|sq\.?\s?m\b|sqm|square\s+met(?:re|er)s?)|"
    r"(?P<yuan>元|块|yuan|rmb)|(?P<pct>%|％|percent\b|per cent\b)|"
    r"(?P<people>个|名|位|人|jobs?\b|people\b|persons?\b|employees?\b|workers?\b))?")
_UNITS = ("kwh", "kva", "kv", "kw", "mu", "m2", "yuan", "pct", "people")
_SCALED_UNITS = {"gwh": ("kwh", 1e6), "mwh": ("kwh", 1e3), "mw": ("kw", 1e3)}  # read into the base unit


@dataclass(frozen=True)
class Token:
    value: float  # in base units: yuan, kWh, kW, kVA, kV, mu, m2, people; percent as written (15 for 15%)
    unit: str  # kwh | kva | kv | kw | mu | m2 | yuan | pct | people | "" (bare number)
    scaled: bool  # carried 万/亿/million…: a bare "2亿" is money
    before: str  # text since the previous number (at most 30 chars)
    after: str  # text up to the next number (at most 30 chars)
    start: int = -1  # where the number starts and its unit ends in the prepared text
    end: int = -1

    @property
    def money(self) -> bool:
        return self.unit == "yuan" or (self.unit == "" and self.scaled)


def _cn_value(run: str) -> int:
    total, digit = 0, 0
    for ch in run:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total, digit = total + (digit or 1) * _CN_UNITS[ch], 0
    return total + digit


def arabic(text: str) -> str:
    """'一百万千瓦时' -> '100万千瓦时', '三千平米' -> '3000平米'; a lone 一 stays (算一下, 双一流, 多少钱一亩)."""
    def convert(m: re.Match[str]) -> str:
        run, nxt = m.group(), text[m.end(): m.end() + 1]
        tail = "千" if run.endswith("千") and nxt in ("瓦", "伏") else ""  # 千瓦/千伏 are units, not 1000
        run = run[: len(run) - len(tail)]
        if not any(c in _CN_DIGITS or c == "十" for c in run) or (run == "一" and nxt not in ("万", "亿")) \
                or text.startswith("分之", m.end()):
            return m.group()
        return str(_cn_value(run)) + tail
    return _CN_RUN.sub(convert, text)


def prepare(text: str) -> tuple[str, tuple[str, ...]]:
    """Normalised text with factory ids blanked out (so F-001 is not read as 1), and those ids."""
    text = text.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    norm = normalise_place_text(arabic(text))
    norm = _EN_NUMBER.sub(lambda m: str(_EN_NUMBERS[m.group("w") or "one"]), norm)
    return _IDS.sub(" ", norm), tuple(dict.fromkeys(f"F-{m}" for m in _IDS.findall(norm)))


def tokens(text: str) -> list[Token]:
    matches = list(_TOKEN.finditer(text))
    out = []
    for i, m in enumerate(matches):
        start = matches[i - 1].end() if i else 0
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        mult = m.group("mult") or ""
        unit = next((u for u in _UNITS if m.group(u)), "")
        scale = 1.0
        if scaled := next((u for u in _SCALED_UNITS if m.group(u)), None):
            unit, scale = _SCALED_UNITS[scaled]
        value = float(m.group("n").replace(",", "")) * _MULTS.get(mult, 1.0) * scale
        if not math.isfinite(value):
            continue  # hundreds of digits overflow to inf (and int(inf) would raise): not a quantity
        out.append(Token(value, unit, bool(mult), text[max(start, m.start() - 30): m.start()],
                         text[m.end(): min(end, m.end() + 30)], m.start(), m.end()))
    return out


def clause_end(text: str) -> bool:
    """Whether text holds a clause break (comma, "and", 其中…)."""
    return bool(_CLAUSE_END.search(text))


def clause_before(t: Token) -> str:
    """The part of t.before in the number's own clause ("固定资产2亿元，其中设备" -> "设备")."""
    return _CLAUSE_END.split(t.before)[-1]


def clause_after(t: Token) -> str:
    """The part of t.after in the number's own clause ("200 million in fixed assets, 124…" -> " in fixed assets")."""
    return _CLAUSE_END.split(t.after, maxsplit=1)[0]


def labelled(found: list[Token], pattern: str, pick: str = "money") -> Token | None:
    """The first token of the wanted sort with a keyword just before it in its clause, else just after it in its
    clause, else anywhere before or after it ("200 million in fixed assets, 124 million of it in equipment")."""
    pool = [t for t in found if (t.money if pick == "money" else t.unit == pick)]
    for text_of in (clause_before, clause_after, lambda t: t.before, lambda t: t.after):
        if hit := next((t for t in pool if re.search(pattern, text_of(t))), None):
            return hit
    return None
