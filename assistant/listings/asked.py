"""What a visitor asked of a factory, as they said it, and how the search widened it: so an answer repeats the
request in the visitor's terms ("about 2000 ㎡") and says the tolerance in words, never a limit nobody gave."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from assistant.listings.records import format_number

Quantity = Literal["area", "height", "load", "power", "rent", "sale"]
Mode = Literal["about", "min", "max", "range", "bare"]
ABOUT = 0.2  # '左右 / about' is read as ±20% (search.py widens by this share)

# quantity -> (zh label, en label, zh unit, en unit, the query fields it sets)
_QUANTITIES: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {
    "area": ("面积", "area", "㎡", " m2", ("min_area", "max_area")),  # units spelled as describe() spells them
    "height": ("净高", "clear height", "米", " m", ("min_clear_height",)),
    "load": ("承重", "floor load", "吨/㎡", " t/m2", ("min_floor_load",)),
    "power": ("电力容量", "power", "kVA", " kVA", ("min_power_kva",)),
    "rent": ("租金", "rent", "元/㎡·月", " yuan/m2/month", ("max_rent",)),
    "sale": ("售价", "sale price", "元/㎡", " yuan/m2", ("max_sale_price",)),
}


def quantity_of(query_field: str) -> Quantity | None:
    """The quantity a FactoryQuery field limits (min_area -> area)."""
    return next((cast(Quantity, q) for q, spec in _QUANTITIES.items() if query_field in spec[4]), None)


@dataclass(frozen=True)
class Asked:
    """One requirement as stated: 'about 2000 ㎡' is Asked('area', 'about', 2000); '3000-5000平' a range."""

    quantity: Quantity
    mode: Mode
    value: float
    high: float | None = None

    def _n(self, value: float, lang: str) -> str:
        return format_number(value, digits=1)

    def _unit(self, lang: str) -> str:
        spec = _QUANTITIES[self.quantity]
        return spec[3] if lang == "en" else spec[2]

    def _figure(self, value: float, lang: str) -> str:
        return self._n(value, lang) + self._unit(lang)

    def bounds(self) -> tuple[float | None, float | None]:
        """The range the search used for this requirement (low, high); None where it is open."""
        if self.mode == "range":
            return self.value, self.high
        if self.mode == "about":
            if self.quantity == "area":
                return self.value * (1 - ABOUT), self.value * (1 + ABOUT)
            if self.quantity in ("rent", "sale"):
                return None, self.value * (1 + ABOUT)
            return self.value * (1 - ABOUT), None
        if self.mode == "max" or (self.mode == "bare" and self.quantity in ("rent", "sale")):
            return None, self.value
        return self.value, None

    def words(self, lang: str) -> str:
        """The requirement in the visitor's terms: '约2000㎡' / 'about 2,000 ㎡', '至少8米' / 'at least 8 m'."""
        figure = self._figure(self.value, lang)
        if self.mode == "range" and self.high is not None:
            return f"{self._n(self.value, lang)}–{self._figure(self.high, lang)}"
        prefix = {"about": ("约", "about "), "min": ("至少", "at least "), "max": ("不超过", "at most ")}.get(self.mode)
        return (prefix[1] if lang == "en" else prefix[0]) + figure if prefix else figure

    def tolerance(self, lang: str) -> str:
        """How an 'about' figure was widened, in words and without brackets (the caller may add them):
        'units between 1600 and 2400 m2, ±20%' / '按上下浮动20%即1600–2400㎡查找'; '' when taken as said."""
        if self.mode != "about":
            return ""
        low, high = self.bounds()
        pct = f"{round(ABOUT * 100)}%"
        if low is not None and high is not None:
            return (f"units between {self._n(low, lang)} and {self._figure(high, lang)}, ±{pct}" if lang == "en"
                    else f"按上下浮动{pct}即{self._n(low, lang)}–{self._figure(high, lang)}查找")
        if high is not None:
            return (f"up to {self._figure(high, lang)}, +{pct}" if lang == "en"
                    else f"按上浮{pct}即不超过{self._figure(high, lang)}查找")
        return (f"at least {self._figure(low or 0, lang)}, −{pct}" if lang == "en"
                else f"按下浮{pct}即不低于{self._figure(low or 0, lang)}查找")

    def stated(self, lang: str) -> str:
        """The requirement with its label and tolerance: '面积约2000㎡，按上下浮动20%即1600–2400㎡查找'."""
        label = _QUANTITIES[self.quantity][1 if lang == "en" else 0]
        tol = self.tolerance(lang)
        if lang == "en":
            return f"{label} {self.words(lang)}" + (f": {tol}" if tol else "")
        return f"{label}{self.words(lang)}" + (f"，{tol}" if tol else "")

    def miss(self, value: float, lang: str) -> str:
        """Why a unit's ``value`` falls outside this requirement, naming the request as it was said (no brackets:
        the answer puts the reasons of a unit in brackets)."""
        label = _QUANTITIES[self.quantity][1 if lang == "en" else 0]
        low, high = self.bounds()
        below = low is not None and value < low
        have = self._figure(value, lang)
        if self.mode == "about":
            pct = f"{round(ABOUT * 100)}%"
            if low is not None and high is not None:
                span = f"{self._n(low, lang)}–{self._figure(high, lang)}"
                return (f"{label} {have}, outside {self.words(lang)} ±{pct}, i.e. {span}" if lang == "en"
                        else f"{label}{have}，不在{self.words(lang)}上下浮动{pct}即{span}的范围内")
            bound = self._figure((low if below else high) or 0, lang)
            if lang == "en":
                return f"{label} {have}, {'below' if below else 'above'} {self.words(lang)} " \
                       f"{'−' if below else '+'}{pct}, i.e. {bound}"
            return f"{label}{have}，{'低于' if below else '高于'}{self.words(lang)}{'下浮' if below else '上浮'}{pct}后的{bound}"
        if self.mode == "range":
            return (f"{label} {have}, outside the {self.words(lang)} asked" if lang == "en"
                    else f"{label}{have}，不在所问的{self.words(lang)}范围内")
        if lang == "en":
            return f"{label} {have}, {'below' if below else 'above'} the {self._figure(self.value, lang)} asked"
        return f"{label}{have}，{'低于' if below else '高于'}要求的{self._figure(self.value, lang)}"


def tolerance_note(asked: tuple[Asked, ...], lang: str) -> str:
    """The widened requirements of a search, for the line above its results; '' when none was widened."""
    parts = [a.stated(lang) for a in asked if a.mode == "about"]
    return ("; " if lang == "en" else "；").join(parts)
