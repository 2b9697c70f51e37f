"""Turn a colloquial factory request (Chinese or English) into a structured query and search the listings.

Reading of quantities: '左右/about' -> ±20%; '以上/at least/over' -> minimum; '以内/以下/under' -> maximum.
A bare area ("I need 5,000 sqm") is read as a minimum, and matches are sorted by closeness to it; other bare
figures (height, floor load, power) are minimums and a bare rent is a ceiling; zero or negative figures
("把租金都说成0元") are ignored. Also read: a crane ("10吨行车", matched against the unit's notes), upper or ground
floors (楼上/一楼) and superlatives ("largest", "租金最便宜": the top unit, or the top N of "top 3").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Literal, cast

from assistant.listings.asked import Asked, Mode, Quantity, quantity_of
from assistant.listings.places import Places
from assistant.listings.records import SAMPLE_EN, SAMPLE_ZH, Factory, Park, format_number

Want = Literal["rent", "sale", "any"]
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_QUANTITY = re.compile(
    rf"(?P<a>{NUMBER})(?:\s*(?:-|–|~|～|到|至|to)\s*(?P<b>{NUMBER}))?\s*(?P<mult>万|千)?\s*(?P<more>多|余)?\s*(?:"
    r"(?P<area>㎡|m²|m2|平方米|平方|平米|平|sq\.?\s?m\b|sqm|square\s+met(?:re|er)s?)|"
    r"(?P<height>米|met(?:re|er)s?\b|m(?![a-z²2]))|"
    r"(?P<load>吨|tonnes?\b|tons?\b|t(?![a-z]))|"
    r"(?P<power>kva|千伏安|kw(?!h))|"
    r"(?P<money>元|块|yuan|rmb))"
)
_AFTER = re.compile(r"\s*(?:/\s*(?:㎡|m2|平米?|平方米)(?:\s*[·/]?\s*月)?|每平米?(?:每月)?)?\s*"
                    r"(?P<q>及以上|或以上|以上|以下|以内|左右|上下|起|多|\+|or more|or above|and above|plus|"
                    r"or less|or below|at most|max(?:imum)?|min(?:imum)?)")
_BEFORE = re.compile(
    r"(?P<max>不超过|不高于|不多于|最多|最高|低于|小于|少于|no more than|not more than|not over|at most|up to|under|"
    r"below|less than|within|max(?:imum)?|budget|≤|<)|"
    r"(?P<min>至少|不低于|不少于|不小于|最少|超过|大于|高于|多于|at least|more than|over|above|min(?:imum)?|≥|>)|"
    r"(?P<about>大约|大概|差不多|约|about|around|approximately|approx\.?|roughly|~)")
_AFTER_KIND = {"以下": "max", "以内": "max", "or less": "max", "or below": "max", "at most": "max", "max": "max",
               "maximum": "max", "左右": "about", "上下": "about"}
FACTORY_ID = re.compile(r"(?<![a-z0-9])f-?\s?(\d{3})(?!\d)")
_CRANE_WORD = r"(?:行车|吊车|天车|桥吊|桥式起重机|起重机|(?:overhead\s+|bridge\s+|gantry\s+)?cranes?\b)"
_TONNES = r"\s*-?\s*(?:吨|tonnes?\b|tons?\b|t\b)"
_CRANE = re.compile(rf"(?:(?P<t>{NUMBER}){_TONNES}\s*(?:的)?\s*)?{_CRANE_WORD}"
                    rf"(?:\s*(?:of|with|:|：)?\s*(?P<t2>{NUMBER}){_TONNES})?")
_UPPER = re.compile(r"楼上|[二2][楼层]及?以上|上层|upper[- ]floors?|upstairs|above the ground floor")
_GROUND = re.compile(r"一楼|[1一]层(?:的|厂房)|首层|底层|ground[- ]floor")
_TOP_N = re.compile(r"top\s*(\d+)|前\s*(\d+)\s*(?:个|名)?|(\d+)\s*(?:largest|biggest|smallest|cheapest|tallest)")
_SUPERLATIVES = (  # (factory field, largest first?, words); checked in order, so "承重最大" is not read as "最大"
    ("rent_yuan_m2_month", False, r"cheapest|least expensive|lowest rent|最便宜|租金最低|最低(?:的)?租金|租金最少"),
    ("rent_yuan_m2_month", True, r"most expensive|highest rent|最贵|租金最高"),
    ("floor_load_t_m2", True, r"(?:highest|heaviest|strongest|largest|biggest|greatest|max(?:imum)?) floor[- ]?load|"
                              r"(?:承重|荷载)最(?:大|高)|最(?:大|高)(?:的)?(?:承重|荷载)"),
    ("power_kva", True, r"most power|(?:highest|largest|biggest) power|(?:电力|容量|供电)最大|最大(?:的)?(?:电力|容量)"),
    ("clear_height_m", True, r"tallest|highest (?:clear )?(?:height|ceiling)|(?:净高|层高)最高|最高(?:的)?(?:净高|层高)|"
                             r"最高的(?:厂房|车间)"),
    ("area_m2", True, r"largest|biggest|面积最大|最大(?=的?(?:厂房|车间|仓库|面积|单元|一个|是哪|$|[？?。，,!！]))"),
    ("area_m2", False, r"smallest|面积最小|最小(?=的?(?:厂房|车间|仓库|面积|单元|一个|是哪|$|[？?。，,!！]))"),
)
_LIMIT_AHEAD = re.compile(r"\s*(?:的|为|是|不超过|不低于|:|：)?\s*\d")  # "租金最高12元" is a ceiling, not a superlative
_RENT_BARE = re.compile(rf"(?:租金|rent)\D{{0,8}}?(?P<v>{NUMBER})(?!\s*(?:元|块|yuan|rmb|㎡|平|m2|sqm))")


@dataclass(frozen=True)
class FactoryQuery:
    districts: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()  # park-name keywords (吉利, 综保区 …) matched against the unit's park and building
    min_area: float | None = None
    max_area: float | None = None
    target_area: float | None = None  # the area asked for; matches are sorted by closeness to it
    min_clear_height: float | None = None
    min_floor_load: float | None = None
    min_power_kva: float | None = None
    max_rent: float | None = None
    max_sale_price: float | None = None
    want: Want = "any"
    industries: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    crane: bool = False  # an overhead crane is wanted (read from the unit's notes)
    min_crane_t: float | None = None
    floor: Literal["upper", "ground"] | None = None  # 楼上 (every floor ≥ 2) or 一楼 (includes the ground floor)
    sort: tuple[str, bool] | None = None  # superlative: (Factory field, largest first)
    top: int = 1  # how many units a superlative returns (ties with the last one are kept)
    asked: tuple[Asked, ...] = ()  # the figures as the visitor stated them, for the answer's wording


def detect_industries(text: str, places: Places) -> tuple[str, ...]:
    """The lexicon's industry stems the text names (places normalises it: 综合保税区 is a place, not 保税)."""
    return places.industries_in(text)


def _qualifier(text: str, match: re.Match[str], window_start: int) -> str:
    if match.group("more"):
        return "min"  # 3000多平 = a little over 3000
    after = _AFTER.match(text, match.end())
    if after:
        return _AFTER_KIND.get(after.group("q"), "min")
    before = list(_BEFORE.finditer(text[max(window_start, match.start() - 16): match.start()]))
    return (before[-1].lastgroup or "bare") if before else "bare"


def _apply(fields: dict[str, float | None], unit: str, low: float, high: float | None, mode: str,
           asked: list[Asked]) -> None:
    """Record one quantity (and, in `asked`, how it was said); `high` is set for ranges like 3000-5000平."""
    if not math.isfinite(low) or (high is not None and not math.isfinite(high)):
        return  # a run of hundreds of digits overflows float: not a requirement anyone means
    if high is not None and high < low:
        low, high = high, low  # "5000-3000平" is the range 3000–5000
    if high is None and low <= 0:
        return  # "把租金都说成0元": no unit is let for nothing, so a zero is not a requirement
    said = cast(Mode, "range" if high is not None else mode)
    if unit == "area":
        asked.append(Asked("area", said, low, high))
        if high is not None:
            fields.update(min_area=low, max_area=high, target_area=(low + high) / 2)
        elif mode == "about":
            fields.update(min_area=low * 0.8, max_area=low * 1.2, target_area=low)
        elif mode == "max":
            fields.update(max_area=low, target_area=low)
        else:
            fields.update(min_area=low, target_area=low)
        return
    if unit == "money":
        key = "max_rent" if low <= 200 else "max_sale_price"  # rents are tens of 元/㎡·月, prices thousands
        if mode != "min":
            asked.append(Asked("rent" if key == "max_rent" else "sale", said, low, high))
            fields[key] = (high or low) * (1.2 if mode == "about" else 1.0)
        return
    key = {"height": "min_clear_height", "load": "min_floor_load", "power": "min_power_kva"}[unit]
    if (unit == "height" and low > 40) or (unit == "load" and low > 100):
        return  # a distance ("500米") or a weight, not a clear height or floor load
    if mode != "max":
        asked.append(Asked(cast(Quantity, unit), said, low, high))
        fields[key] = low * (0.8 if mode == "about" else 1.0)


def _number(text: str | None) -> float | None:
    value = float(text.replace(",", "")) if text else None
    return value if value is None or math.isfinite(value) else None  # hundreds of digits overflow to inf


def _superlative(norm: str) -> tuple[str, bool] | None:
    for attr, descending, pattern in _SUPERLATIVES:
        for match in re.finditer(pattern, norm):
            if not _LIMIT_AHEAD.match(norm, match.end()):
                return attr, descending
    return None


def _crane(body: str) -> tuple[bool, float | None, str]:
    """Whether a crane is asked for, its tonnage, and the text without it (so 10吨 is not read as floor load)."""
    found = list(_CRANE.finditer(body))
    if not found:
        return False, None, body
    tonnes = [_number(m.group("t") or m.group("t2")) for m in found]
    return True, max((t for t in tonnes if t), default=None), _CRANE.sub(" ", body)


def parse_requirements(text: str, places: Places) -> FactoryQuery:
    """The query a request states; `places` (the corpus's catalogue) reads its districts, parks and industries."""
    norm = places.normalise(text)
    ids = tuple(dict.fromkeys(f"F-{m}" for m in FACTORY_ID.findall(norm)))
    crane, min_crane_t, body = _crane(FACTORY_ID.sub(" ", norm))
    top = next((int(g) for m in _TOP_N.finditer(body) for g in m.groups() if g), 1)
    body = _TOP_N.sub(" ", body)
    values: dict[str, float | None] = {}
    asked: list[Asked] = []
    last_end = 0
    for match in _QUANTITY.finditer(body):
        unit = match.lastgroup or ""
        scale = {"万": 10000.0, "千": 1000.0}.get(match.group("mult") or "", 1.0)
        if unit == "money" and scale != 1.0:
            continue  # a total budget in 万元, not a rent or unit price
        low, high = (_number(match.group("a")) or 0) * scale, _number(match.group("b"))
        _apply(values, unit, low, high * scale if high is not None else None, _qualifier(body, match, last_end),
               asked)
        last_end = match.end()
    bare_rent = _RENT_BARE.search(body)
    if bare_rent and "max_rent" not in values and (_number(bare_rent.group("v")) or 0) > 0:
        values["max_rent"] = _number(bare_rent.group("v"))
        asked.append(Asked("rent", "bare", values["max_rent"] or 0.0))
    rent = re.search(r"租|\brent|\bleas(?:e|ing)\b|to let", body) is not None
    sale = re.search(r"买|购|(?<!销)售|\bsale|\bbuy|purchas", body) is not None
    want: Want = "any" if rent == sale else ("rent" if rent else "sale")
    parks = places.park_words_in(norm)
    floor: Literal["upper", "ground"] | None = "upper" if _UPPER.search(norm) else (
        "ground" if _GROUND.search(norm) else None)
    return FactoryQuery(districts=places.districts_in(norm), parks=parks, want=want,
                        industries=detect_industries(text, places),
                        ids=ids, crane=crane, min_crane_t=min_crane_t, floor=floor, sort=_superlative(norm),
                        top=max(1, min(top, 8)), asked=tuple(asked), **values)


# ---------- search ----------

@dataclass(frozen=True)
class Miss:
    constraint: str
    zh: str
    en: str
    gap: float  # relative shortfall, used to rank near misses

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Alternative:
    factory: Factory
    misses: tuple[Miss, ...]

    def explain(self, lang: str = "zh") -> str:
        return ("；" if lang != "en" else "; ").join(m.text(lang) for m in self.misses)


@dataclass
class FactorySearchResult:
    query: FactoryQuery
    matches: list[Factory] = field(default_factory=list)
    leased: list[Factory] = field(default_factory=list)  # would match but are already let
    nearest: list[Alternative] = field(default_factory=list)  # only when nothing matches


_LIMITS = (  # (factory field, query field, 'min'|'max', zh label, en label, unit)
    ("area_m2", "min_area", "min", "面积", "area", "㎡"), ("area_m2", "max_area", "max", "面积", "area", "㎡"),
    ("clear_height_m", "min_clear_height", "min", "净高", "clear height", "m"),
    ("floor_load_t_m2", "min_floor_load", "min", "承重", "floor load", "t/㎡"),
    ("power_kva", "min_power_kva", "min", "电力容量", "power", "kVA"),
    ("rent_yuan_m2_month", "max_rent", "max", "租金", "rent", "元/㎡·月"),
    ("sale_price_yuan_m2", "max_sale_price", "max", "售价", "sale price", "元/㎡"),
)


def _limit_miss(f: Factory, q: FactoryQuery, spec: tuple[str, str, str, str, str, str]) -> Miss | None:
    attr, qattr, kind, zh, en, unit = spec
    limit, value = getattr(q, qattr), getattr(f, attr)
    if limit is None:
        return None
    n = format_number
    if value is None:
        return Miss(qattr, f"{zh}未知", f"{en} unknown", 1.0)
    said = next((a for a in reversed(q.asked) if a.quantity == quantity_of(qattr)), None)  # the last one counts
    if said is not None and ((kind == "min" and value < limit) or (kind == "max" and value > limit)):
        gap = (limit - value) / (limit or 1) if kind == "min" else (value - limit) / (limit or 1)
        return Miss(qattr, said.miss(value, "zh"), said.miss(value, "en"), gap)
    if kind == "min" and value < limit:
        return Miss(qattr, f"{zh}{n(value)}{unit}，低于要求的{n(limit, digits=1)}{unit}",
                    f"{en} {n(value)} {unit}, below the {n(limit, digits=1)} asked", (limit - value) / (limit or 1))
    if kind == "max" and value > limit:
        return Miss(qattr, f"{zh}{n(value)}{unit}，高于要求的{n(limit, digits=1)}{unit}",
                    f"{en} {n(value)} {unit}, above the {n(limit, digits=1)} asked", (value - limit) / (limit or 1))
    return None


def _feature_misses(f: Factory, q: FactoryQuery) -> list[Miss]:
    out, n = [], format_number
    if q.crane and f.crane_t is None:
        out.append(Miss("crane", "未配行车", "no crane listed", 1.0))
    elif q.crane and q.min_crane_t and (f.crane_t or 0) < q.min_crane_t:
        out.append(Miss("crane", f"行车{n(f.crane_t)}吨，低于要求的{n(q.min_crane_t)}吨",
                        f"{n(f.crane_t)}-tonne crane, below the {n(q.min_crane_t)} t asked",
                        (q.min_crane_t - (f.crane_t or 0)) / q.min_crane_t))
    if q.floor and not f.floors:
        out.append(Miss("floor", "楼层未注明", "floor not stated", 1.0))
    elif q.floor == "upper" and min(f.floors) < 2:
        out.append(Miss("floor", f"位于{f.floor}，含一层", f"on {f.floor}, includes the ground floor", 1.0))
    elif q.floor == "ground" and min(f.floors) > 1:
        out.append(Miss("floor", f"位于{f.floor}，不在一层", f"on {f.floor}, not the ground floor", 1.0))
    return out


def _misses(f: Factory, q: FactoryQuery, places: Places) -> list[Miss]:
    """Constraints the unit fails; leased status is judged separately so leased units can be reported."""
    out = [m for spec in _LIMITS if (m := _limit_miss(f, q, spec))]
    out += _feature_misses(f, q)
    place = places.normalise(f.park + f.building)
    if (q.districts or q.parks) and f.district not in q.districts and not any(k in place for k in q.parks):
        out.append(Miss("place", f"位于{f.district}，不在所问区域", f"in {f.district_name('en')}, not the area asked",
                        1.0))
    if q.industries and not any(s in "、".join(f.industries) for s in q.industries):
        out.append(Miss("industry", f"适用产业为{'、'.join(f.industries)}", f"suited to {'、'.join(f.industries)}", 1.0))
    if f.available and q.want == "rent" and not f.for_rent:
        out.append(Miss("want", "只售不租", "for sale only", 1.0))
    if f.available and q.want == "sale" and not f.for_sale:
        out.append(Miss("want", "只租不售", "for rent only", 1.0))
    return out


def _sort_key(f: Factory, q: FactoryQuery) -> tuple[float, float, str]:
    ref = q.target_area or q.min_area or q.max_area
    closeness = abs(f.area_m2 - ref) / ref if ref else 0.0
    return closeness, f.rent_yuan_m2_month if f.rent_yuan_m2_month is not None else float("inf"), f.id


def _like(f: Factory, places: Places) -> FactoryQuery:
    """A query for units similar to `f`, used to suggest alternatives to a unit that is not available."""
    return FactoryQuery(min_area=f.area_m2 * 0.8, max_area=f.area_m2 * 1.2, target_area=f.area_m2,
                        min_clear_height=f.clear_height_m, min_floor_load=f.floor_load_t_m2,
                        industries=detect_industries("、".join(f.industries), places))


def _nearest(factories: list[Factory], q: FactoryQuery, exclude: set[str], places: Places) -> list[Alternative]:
    ranked = []
    for f in factories:
        if f.available and f.id not in exclude:
            misses = _misses(f, q, places)
            ranked.append((len(misses), sum(m.gap for m in misses), _sort_key(f, q), Alternative(f, tuple(misses))))
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked[:3]]


def search_factories(factories: list[Factory], query: FactoryQuery, places: Places) -> FactorySearchResult:
    """Units meeting the query (districts and parks read through `places`), leased ones, or the nearest misses."""
    pool = [f for f in factories if f.id in query.ids] if query.ids else factories
    fits = [f for f in pool if not _misses(f, query, places)]
    available = sorted((f for f in fits if f.available), key=lambda f: _sort_key(f, query))
    leased = [f for f in fits if not f.available and (query.want != "sale" or f.id in query.ids)]
    if query.sort:
        available, leased = _top(available, leased, query)
    result = FactorySearchResult(query, matches=available, leased=leased)
    if not result.matches:
        base = replace(_like(pool[0], places), want=query.want) if query.ids and pool else query
        result.nearest = _nearest(factories, base, set(query.ids), places)
    return result


def _top(available: list[Factory], leased: list[Factory],
         q: FactoryQuery) -> tuple[list[Factory], list[Factory]]:
    """The first `top` units by the superlative's field (ties with the last kept), and leased units as good."""
    attr, descending = q.sort or ("area_m2", True)

    def rank(f: Factory) -> float:
        value = getattr(f, attr)
        return -value if descending else value

    ranked = sorted((f for f in available if getattr(f, attr) is not None),
                    key=lambda f: (rank(f), *_sort_key(f, q)))
    if not ranked:
        return [], []
    cut = rank(ranked[min(q.top, len(ranked)) - 1])
    return [f for f in ranked if rank(f) <= cut], [f for f in leased if getattr(f, attr) is not None
                                                  and rank(f) <= cut]


def describe(factory: Factory, lang: str = "zh") -> str:
    n, f = format_number, factory
    if lang == "en":
        price = f", rent {n(f.rent_yuan_m2_month)} yuan/m2/month" if f.rent_yuan_m2_month else ""
        price += f", sale {n(f.sale_price_yuan_m2)} yuan/m2" if f.sale_price_yuan_m2 else ""
        crane = "" if f.crane_t is None else (f", {n(f.crane_t)}-tonne crane" if f.crane_t else ", overhead crane")
        return (f"{f.id} {f.park_name('en')}, {f.building_name('en')} {f.floor_name('en')}: {n(f.area_m2)} m2, "
                f"clear height {n(f.clear_height_m)} m, "
                f"floor load {n(f.floor_load_t_m2)} t/m2, {n(f.power_kva)} kVA{crane}{price}; {f.status_text('en')}"
                + (SAMPLE_EN if f.sample else ""))
    price = f"，租金{n(f.rent_yuan_m2_month)}元/㎡·月" if f.rent_yuan_m2_month else ""
    price += f"，售价{n(f.sale_price_yuan_m2)}元/㎡" if f.sale_price_yuan_m2 else ""
    crane = "" if f.crane_t is None else (f"，已配{n(f.crane_t)}吨行车" if f.crane_t else "，配有行车")
    return (f"{f.id} {f.park} {f.building} {f.floor}：{n(f.area_m2)}㎡，净高{n(f.clear_height_m)}米，"
            f"承重{n(f.floor_load_t_m2)}吨/㎡，电力{n(f.power_kva)}kVA{crane}{price}，{f.status_text()}"
            + (SAMPLE_ZH if f.sample else ""))


def find_parks(places: Places, text: str) -> list[Park]:
    """Parks of the catalogue named (or whose district is named) in the text, narrowed or found by industry words."""
    parks = places.parks
    order = {p.id: i for i, p in enumerate(parks)}
    scored = sorted(places.park_scores(text), key=lambda ps: (-ps[1], order[ps[0].id]))
    industries = detect_industries(text, places)
    by_industry = [p for p in parks if any(s in "、".join(p.leading_industries) for s in industries)]
    if not scored:
        return by_industry
    best = scored[0][1]
    best_districts = {p.district for p, s in scored if s == best}
    named = [p for p, s in scored if s == best or (s == 1 and p.district in best_districts)]
    narrowed = [p for p in named if p in by_industry]
    return narrowed or named
