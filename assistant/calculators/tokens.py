"""Read the quantities in a chat message: Chinese numerals, 万/亿/million multipliers and the unit after each.

Each number becomes a Token in base units (yuan, kWh, kW, kVA, kV, mu, m2, people, percent) with the text
around it, so the request parsers can tell "设备投资5000万元" from "固定资产投资2亿元" by the words nearby.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from assistant.listings import FACTORY_ID, NUMBER, Places

_CN_DIGITS = "零〇一二两三四五六七八九"
# A numeral run starts at a digit or 十 (千万不要, 万一 are words) and may carry a decimal part ("一点五万") unless
# that is a time of day (两点五十, 两点五分).
_CN_RUN = re.compile(rf"[{_CN_DIGITS}十][{_CN_DIGITS}十百千万亿]*(?:点[{_CN_DIGITS}]+(?![十百分刻钟])[千万亿]*)?")
_CN_RANGE = re.compile(r"[一二两三四五六七八九]{2}")  # 两三个, 三四: two digits side by side are a range, not 23
_CN_YI_AND_DIGIT = re.compile(r"亿([一二两三四五六七八九])$")
_CN_BIG = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
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
    rf"(?P<n>{NUMBER})\s*(?P<mult>千万|百万|万|亿|千(?![瓦伏])|billion\b|million\b|thousand\b)?\s*(?:"
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


@functools.cache
def _cn2an() -> Callable[[str, str], int | float]:
    """cn2an's reader, imported on first use: importing cn2an compiles its patterns (about 0.15 s)."""
    import cn2an

    return cn2an.cn2an


def _cn_number(run: str) -> str | None:
    """The run in digits, or None when it is no number cn2an can read (十四五, 五六十) or a range (两三).

    A trailing 万/亿 (and 千 after a decimal) stays as written, so the token still carries a multiplier and a bare
    "两亿" is still money: "两亿" -> "2亿", "一点五万" -> "1.5万", "三亿五千万" -> "35000万", "三万五千" -> "35000".
    """
    if _CN_RANGE.fullmatch(run):
        return None
    body, suffix = run, ""
    if "点" in run:  # cn2an reads 一点五 but not 一点五万: the multiplier goes to the token reader
        body = run.rstrip("千万亿")
        suffix = run[len(body):]
    body = _CN_YI_AND_DIGIT.sub(r"亿\1千万", body)  # 三亿五 = 3.5亿; cn2an reads 两千五 and 三万五 so, not this
    try:
        value = Decimal(str(_cn2an()(body, "normal")))
    except (ValueError, KeyError):  # cn2an raises KeyError on some garbled runs (九一十两)
        return None
    if not suffix and body[-1] in _CN_BIG:
        suffix = body[-1]
        value /= _CN_BIG[suffix]
    return format(value.normalize(), "f") + suffix


def arabic(text: str) -> str:
    """'一百万千瓦时' -> '100万千瓦时', '三万五千度' -> '35000度', '两千五' -> '2500', '二〇二六年' -> '2026年',
    '一点五万平方米' -> '1.5万平方米'; a lone 一 stays (算一下, 双一流, 多少钱一亩), and so does what is no number."""
    def convert(m: re.Match[str]) -> str:
        run, nxt = m.group(), text[m.end(): m.end() + 1]
        tail = "千" if run.endswith("千") and nxt in ("瓦", "伏") else ""  # 千瓦/千伏 are units, not 1000
        run = run[: len(run) - len(tail)]
        if run == "一" or text.startswith("分之", m.end()):
            return m.group()
        number = _cn_number(run)
        return m.group() if number is None else number + tail
    return _CN_RUN.sub(convert, text)


def prepare(text: str, places: Places) -> tuple[str, tuple[str, ...]]:
    """Normalised text (place names read through `places`) with factory ids blanked out (so F-001 is not read
    as 1), and those ids."""
    text = text.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    norm = places.normalise(arabic(text))
    norm = _EN_NUMBER.sub(lambda m: str(_EN_NUMBERS[m.group("w") or "one"]), norm)
    return FACTORY_ID.sub(" ", norm), tuple(dict.fromkeys(f"F-{m}" for m in FACTORY_ID.findall(norm)))


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
