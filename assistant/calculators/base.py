"""The Calculation record and the formatting helpers every calculator module shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from assistant.calculators.schema import Incentive, Source
from assistant.listings import format_number


@dataclass
class Calculation:
    kind: str
    result: float | None  # None when the inputs cannot be priced (e.g. a park with no land price)
    unit: str
    working: list[str]
    citations: list[Source]
    sample: bool
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None


def tr(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def num(value: float, digits: int = 6) -> str:
    """Plain digits with thousands separators, no trailing zeros: 2453.0 -> '2,453'."""
    return format_number(value, thousands=True, digits=digits)


def pct(rate: float) -> str:
    """0.15 -> '15%'."""
    return f"{num(rate * 100)}%"


def round_price(value: float) -> float:
    """Half-up to 3 decimals, as the tariff explainer publishes unit prices (0.239995 -> 0.240)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def unique(sources: list[Source]) -> list[Source]:
    return list(dict.fromkeys(sources))


def money_calc(kind: str, result: float, unit_zh: str, unit_en: str, lang: str, working: list[str],
               sources: list[Incentive], notes: list[str] | None = None) -> Calculation:
    """A result in 万元 (or 元) from incentive rules; English gets the amount in yuan millions as well."""
    if lang == "en" and unit_zh == "万元" and result:
        # 万 has no English word: also state the amount in yuan millions, as English readers expect.
        working = [*working, f"Result: {num(result, 2)} × 10,000 yuan = RMB {num(result / 100, 4)} million"]
    return Calculation(kind, round(float(result), 2), tr(lang, unit_zh, unit_en), working,
                       unique([s.source for s in sources]), any(s.sample for s in sources), notes or [])


def yi_en(value_yi: float) -> str:
    """An amount in 亿元 as English readers say it: 1.5 -> 'RMB 150 million', 12 -> 'RMB 1.2 billion'."""
    millions = value_yi * 100
    return f"RMB {num(millions / 1000, 4)} billion" if millions >= 1000 else f"RMB {num(millions, 4)} million"


def yuan_and_wan(value: float, lang: str) -> str:
    """'15,000,000 元（1,500 万元）' / '15,000,000 yuan (RMB 15 million)' — both forms people quote."""
    if lang == "en":
        return f"{num(value, 2)} yuan (RMB {num(value / 1e6, 4)} million)"
    return f"{num(value, 2)} 元（{num(value / 1e4, 4)} 万元）"
