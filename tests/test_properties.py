"""Property tests (hypothesis): the chunker, the request parsers, the calculators on the real rules, the
grounding check and the router hold their invariants on arbitrary input, Chinese included."""

from __future__ import annotations

import math
import re
from dataclasses import fields
from functools import cache

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.answering.grounding import numbers_in, ungrounded_numbers
from assistant.answering.router import route
from assistant.calculators.estimates import incentive_estimate, land_cost, power_bill
from assistant.calculators.requests import parse_calc_request
from assistant.calculators.rules import RuleSet
from assistant.calculators.tariff import data_centre_power, residential_bill
from assistant.calculators.tax import rd_deduction, tax_saving
from assistant.documents import Block, DocMeta
from assistant.ingest.chunking import CHAPTER, pack, split_sentences
from assistant.ingest.chunking import chunk_blocks as chunk
from assistant.language import detect_language
from assistant.lexicon import Lexicon, load_lexicon
from assistant.listings.search import FactoryQuery, parse_requirements
from tests.conftest import CORPUS, sample_places

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that hits the patterns: Chinese words and numerals, sentence ends, units, article and chapter heads.
_WORDS = ["第一条", "第十二条", "第三章 总则", "第二节", "。", "！", "？", "；", "，", "、", ",", ".", ". ", ":", "：",
          "\n", " ", "\t", "\u3000", "经开区", "高新区", "贵安新区", "厂房", "出租", "租金", "以上", "以下", "左右",
          "约", "至少", "不超过", "3000", "5,000", "8", "12.5", "0", "-", "~", "到", "平", "平米", "㎡", "米", "吨",
          "kVA", "元", "万", "亿", "千", "度", "kWh", "千伏", "kW", "亩", "人", "%", "博士", "硕士", "招聘", "营收",
          "设备投资", "贡献", "所得税", "研发费用", "加计扣除", "免租", "电费", "算一下", "多少钱", "那如果", "呢",
          "F-001", "top 3", "最大", "最便宜", "行车", "10吨行车", "楼上", "一楼", "I need", " sqm", "at least",
          "rent", "for sale", "about", "under", "electricity", "how much would", "valley", "peak", "the"]
_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
MIXED = st.lists(st.one_of(st.sampled_from(_WORDS), st.text(_ALPHABET, max_size=6)), max_size=40).map("".join)
LONG_NUMBER = st.integers(300, 420).map(lambda n: "9" * n)  # beyond float range: float() gives inf
TEXT = st.one_of(MIXED, st.text(_ALPHABET, max_size=200),
                 st.tuples(MIXED, LONG_NUMBER, st.sampled_from(["平", "亩", "度", "名博士", "元", "吨", "米"]),
                           MIXED).map("".join))


@cache
def rules() -> RuleSet:
    # cached, not a fixture: hypothesis runs many examples per test and function fixtures are not reset
    return RuleSet.load(CORPUS / "rules", CORPUS / "listings")


@cache
def _lexicon() -> Lexicon:
    return load_lexicon(CORPUS)


# ---------- chunking ----------

def _pieces_in_order(text: str, pieces: list[str]) -> bool:
    """text == w0 + p1 + w1 + … + pn + wn, every w only whitespace (what strip() took off a piece's edges)."""
    pos = 0
    for piece in pieces:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not text.startswith(piece, pos):
            return False
        pos += len(piece)
    return text[pos:].strip() == ""


@FAST
@given(TEXT)
def test_split_sentences_concatenates_back(text: str) -> None:
    parts = split_sentences(text)
    assert "".join(parts) == text and all(parts)


@FAST
@given(st.lists(TEXT, max_size=8), st.integers(1, 400))
def test_pack_keeps_text_exactly_and_respects_limit(texts: list[str], limit: int) -> None:
    pieces = pack(texts, limit)
    assert "".join(pieces) == "".join(texts)
    assert all(0 < len(p) <= limit for p in pieces)


META = DocMeta(doc_id="x.md", title="t")


@FAST
@given(TEXT | st.tuples(st.text("天。 ", min_size=1, max_size=3), st.integers(1, 120), st.text(" \n　")).map(
    lambda t: t[0] * t[1] + t[2]), st.integers(20, 400))
@example("a" * 79 + "。" + " " * 5, 80)  # found by this test: the trailing spaces made an empty chunk
def test_one_block_chunks_are_its_text_in_order(text: str, limit: int) -> None:
    """A block's chunks, in order, are its text with only whitespace dropped between and around them."""
    chunks = chunk(META, [Block(text=text, page=1)], limit)
    stripped = text.strip()
    if not stripped or CHAPTER.match(stripped):
        assert chunks == []  # nothing, or a chapter heading that titles what follows
        return
    assert all(0 < len(c.text) <= limit and c.text == c.text.strip() for c in chunks)
    assert _pieces_in_order(text, [c.text for c in chunks])
    assert [c.seq for c in chunks] == list(range(len(chunks)))


@FAST
@given(st.lists(st.tuples(TEXT, st.sampled_from(["", "一、总则", "Rent"]), st.sampled_from(["", "F-001"])),
                max_size=6), st.integers(20, 400))
def test_many_blocks_keep_all_text_within_limit(parts: list[tuple[str, str, str]], limit: int) -> None:
    blocks = [Block(text=t, heading=h, row_id=r, page=i + 1) for i, (t, h, r) in enumerate(parts)]
    chunks = chunk(META, blocks, limit)
    kept = [b.text for b in blocks if b.text.strip() and not (CHAPTER.match(b.text.strip()) and not b.row_id)]

    def squash(s: str) -> str:
        return re.sub(r"\s+", "", s)

    assert squash("".join(c.text for c in chunks)) == squash("".join(kept))
    assert all(0 < len(c.text) <= limit for c in chunks)


# ---------- request parsers ----------

def _numbers(obj: object) -> list[float]:
    values = [getattr(obj, f.name) for f in fields(obj)] if hasattr(obj, "__dataclass_fields__") else [obj]
    out: list[float] = []
    for v in values:
        if isinstance(v, bool):
            continue
        if isinstance(v, int | float):
            out.append(float(v))
        elif isinstance(v, dict):
            out += [x for item in v.values() for x in _numbers(item)]
    return out


@FAST
@given(TEXT)
def test_parse_requirements_gives_sane_numbers(text: str) -> None:
    q = parse_requirements(text, sample_places())
    assert isinstance(q, FactoryQuery)
    assert all(math.isfinite(x) and x >= 0 for x in _numbers(q)), q
    if q.min_area is not None and q.max_area is not None:
        assert q.min_area <= q.max_area, q
    assert 1 <= q.top <= 8


@pytest.mark.parametrize("text", ["想租5000-3000平的厂房", "需要3000到2000平方米", "rent 5,000 to 4,000 sqm"])
def test_parse_requirements_orders_a_reversed_range(text: str) -> None:
    q = parse_requirements(text, sample_places())
    assert q.min_area is not None and q.max_area is not None and q.min_area <= q.max_area


@pytest.mark.parametrize("text", [f"招聘{'9' * 400}名博士能拿多少补贴", f"经开区{'9' * 400}亩地要多少钱",
                                  f"用电{'9' * 400}度电费多少", f"想租{'9' * 400}平厂房"])
def test_numbers_past_float_range_are_ignored_not_infinite(text: str) -> None:
    request = parse_calc_request(text, places=sample_places())  # the first one raised OverflowError (int of inf)
    assert request is None or all(math.isfinite(x) for x in _numbers(request.params))
    assert all(math.isfinite(x) for x in _numbers(parse_requirements(text, sample_places())))


@FAST
@given(TEXT, st.sampled_from(["zh", "en"]))
def test_parse_calc_request_gives_sane_numbers(text: str, lang: str) -> None:
    request = parse_calc_request(text, lang, places=sample_places())
    if request is None:
        return
    numbers = _numbers(request.params)
    assert all(math.isfinite(x) and x >= 0 for x in numbers), request
    again = parse_calc_request("那如果是" + text + "呢", lang, {"last_calc": request}, places=sample_places())
    assert again is None or all(math.isfinite(x) and x >= 0 for x in _numbers(again.params))


# ---------- calculators on the real rules ----------

_NUMBERISH = re.compile(r"\binf\b|\bnan\b", re.I)
AMOUNT = st.floats(0, 1e9, allow_nan=False)
SMALL = st.floats(0, 1e5, allow_nan=False)


def _sane(calc: object) -> float:
    """The result is finite and non-negative and every number in the working is a real number."""
    result = calc.result  # type: ignore[attr-defined]
    assert result is not None and math.isfinite(result) and result >= 0, calc
    text = "\n".join(calc.working + calc.notes)  # type: ignore[attr-defined]
    assert not _NUMBERISH.search(text), text
    assert all(math.isfinite(float(n)) for n in numbers_in(text))
    return float(result)


def _voltages() -> list[str]:
    return [lv.voltage for lv in rules().tariffs.two_part.levels]


@FAST
@given(AMOUNT, AMOUNT, st.data())
def test_power_bill_more_kwh_never_costs_less(a: float, b: float, data: st.DataObject) -> None:
    voltage = data.draw(st.sampled_from(_voltages()))
    demand = data.draw(st.none() | SMALL)
    lo, hi = sorted((a, b))
    low = _sane(power_bill(rules(), voltage, kwh_total=lo, max_demand_kw=demand))
    high = _sane(power_bill(rules(), voltage, kwh_total=hi, max_demand_kw=demand))
    assert low <= high


@FAST
@given(st.dictionaries(st.sampled_from(["peak", "flat", "valley"]), AMOUNT, min_size=1),
       st.sampled_from(["peak", "flat", "valley"]), SMALL, st.none() | SMALL, st.none() | SMALL)
def test_power_bill_by_period_is_monotonic(usage: dict[str, float], period: str, extra: float,
                                           demand: float | None, kva: float | None) -> None:
    base = power_bill(rules(), kwh_by_period=usage, max_demand_kw=demand, transformer_kva=kva)
    more = power_bill(rules(), kwh_by_period={**usage, period: usage.get(period, 0.0) + extra},
                      max_demand_kw=demand, transformer_kva=kva)
    assert _sane(base) <= _sane(more)


def _priced_parks() -> list[str]:
    return [p.name for p in rules().parks if p.land_price_yuan_m2 is not None]


@FAST
@given(SMALL, SMALL, st.none() | SMALL, st.none() | st.integers(0, 10_000), st.data())
def test_land_cost_more_mu_never_costs_less(a: float, b: float, investment: float | None, jobs: int | None,
                                           data: st.DataObject) -> None:
    """Same investment per mu and jobs (so the same rebate tier): more land never costs less."""
    park = data.draw(st.sampled_from(_priced_parks()))
    lo, hi = sorted((a, b))
    low = land_cost(rules(), park=park, area_mu=lo, investment_wan_per_mu=investment, jobs=jobs)
    high = land_cost(rules(), park=park, area_mu=hi, investment_wan_per_mu=investment, jobs=jobs)
    assert _sane(low) <= _sane(high)
    by_m2 = land_cost(rules(), price_yuan_m2=data.draw(SMALL), area_m2=hi)
    _sane(by_m2)


def test_unpriced_park_gives_no_number_rather_than_zero() -> None:
    unpriced = [p.name for p in rules().parks if p.land_price_yuan_m2 is None]
    for name in unpriced:
        assert land_cost(rules(), park=name, area_mu=10).result is None


@FAST
@given(SMALL, SMALL, st.data())
def test_incentives_grow_with_their_base(a: float, b: float, data: st.DataObject) -> None:
    lo, hi = sorted((a, b))
    kind, inputs = data.draw(st.sampled_from([
        ("contribution_return", lambda x: {"annual_contribution_wan": x}),
        ("equipment_subsidy", lambda x: {"equipment_investment_wan": x, "fixed_asset_investment_yi": 5.0}),
        ("equipment_subsidy", lambda x: {"equipment_investment_wan": 1000.0, "fixed_asset_investment_yi": x}),
        ("milestone_award", lambda x: {"revenue_yi": x}),
        ("talent", lambda x: {"degree": "doctorate", "count": int(x)}),
        ("talent", lambda x: {"degree": "bachelor", "count": int(x), "subsidy": "hiring"}),
        ("rent_relief", lambda x: {"area_m2": x, "rent_yuan_m2_month": 20.0}),
        ("rent_relief", lambda x: {"area_m2": 3000.0, "rent_yuan_m2_month": x}),
        ("tax_saving", lambda x: {"taxable_income_wan": x, "standard_rate": 0.25}),
        ("rd_deduction", lambda x: {"rd_expense_wan": x}),
        ("rd_deduction", lambda x: {"rd_expense_wan": x, "industry": "集成电路", "intangible": True}),
    ]))
    low = _sane(incentive_estimate(rules(), kind, data.draw(st.sampled_from(["zh", "en"])), **inputs(lo)))
    high = _sane(incentive_estimate(rules(), kind, "zh", **inputs(hi)))
    assert low <= high, (kind, lo, hi)


@FEW
@given(SMALL, SMALL)
def test_tax_helpers_directly(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert _sane(tax_saving(rules(), "en", lo, 0.25)) <= _sane(tax_saving(rules(), "zh", hi, 0.25))
    assert _sane(rd_deduction(rules(), "zh", lo)) <= _sane(rd_deduction(rules(), "en", hi))


@FAST
@given(AMOUNT, AMOUNT, st.booleans())
def test_household_and_data_centre_bills_are_monotonic(a: float, b: float, monthly: bool) -> None:
    lo, hi = sorted((a, b))
    key = "kwh_month" if monthly else "kwh_year"
    assert _sane(residential_bill(rules(), **{key: lo})) <= _sane(residential_bill(rules(), **{key: hi}))
    assert _sane(data_centre_power(rules(), lo, "bill")) <= _sane(data_centre_power(rules(), hi, "bill"))
    assert _sane(data_centre_power(rules(), lo, "saving")) <= _sane(data_centre_power(rules(), hi, "saving"))


# ---------- grounding and routing ----------

@FAST
@given(TEXT)
def test_text_is_grounded_in_itself(text: str) -> None:
    assert ungrounded_numbers(text, [text]) == []


@FAST
@given(TEXT, TEXT)
def test_ungrounded_numbers_come_from_the_answer(answer: str, evidence: str) -> None:
    missing = ungrounded_numbers(answer, [evidence])
    assert set(missing) <= numbers_in(answer) and not set(missing) & numbers_in(evidence)
    assert ungrounded_numbers(answer, [evidence, answer]) == []


@FAST
@given(TEXT, st.booleans(), st.booleans())
def test_router_never_crashes(text: str, calc: bool, followup: bool) -> None:
    r = route(text, _lexicon(), places=sample_places().pattern, is_calculation=calc, followup_context=followup)
    assert r.language in ("zh", "en") and r.intents
    assert detect_language(text) == r.language
