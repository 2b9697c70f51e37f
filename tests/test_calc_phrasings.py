"""Varied investor phrasings (zh/en) per category of calculation request, priced with the real rules."""

from __future__ import annotations

import pytest

from assistant.calculators.base import num
from assistant.calculators.requests import CalcRequest, parse_calc_request, run_calc_request
from assistant.calculators.rules import RuleSet
from assistant.listings.records import Factory
from tests.calc_support import _calc
from tests.conftest import sample_places

# ---------- phrasing categories: expected values from the real rules (10 kV: peak 0.884, flat 0.562, valley 0.240) --

def _energy(peak: float, flat: float, valley: float) -> float:
    return peak * 0.884 + flat * 0.562 + valley * 0.240


@pytest.mark.parametrize("text,lang,split,demand", [
    ("We use about 800,000 kWh a month: roughly 300,000 kWh in peak hours, 200,000 flat and 300,000 in the valley. "
     "Max demand is around 1,500 kW, billed on demand. What would the bill be?", "en", (300_000, 200_000, 300_000), 1500),
    ("峰时30万度，平时20万度，谷时30万度，电费多少", "zh", (300_000, 200_000, 300_000), None),
    ("每月峰电20万度、平电50万度、谷电30万度，10千伏，需量1500千瓦，算一下电费", "zh", (200_000, 500_000, 300_000), 1500),
    ("高峰时段用电30万度，低谷时段20万度，其余平段50万度，电费多少", "zh", (300_000, 500_000, 200_000), None),
    ("We consume 500,000 kWh of peak-hour power, 300,000 kWh at flat rate and 200,000 kWh off-peak each month. "
     "What's the bill?", "en", (500_000, 300_000, 200_000), None),
    ("peak 300,000 flat 500,000 valley 200,000, how much would we pay", "en", (300_000, 500_000, 200_000), None),
    ("Our plant draws 1 million kWh monthly, 400,000 of it during peak hours and 250,000 in valley hours; 10 kV, "
     "estimate the bill", "en", (400_000, 350_000, 250_000), None),
])
def test_time_of_use_split_in_either_order(rules: RuleSet, text: str, lang: str, split: tuple, demand: float | None) -> None:
    request, result = _calc(rules, text, lang)
    peak, flat, valley = split
    assert request.params["kwh_by_period"] == {"peak": peak, "flat": flat, "valley": valley}
    assert result == pytest.approx(_energy(peak, flat, valley) + (demand or 0) * 35, abs=0.01)


def test_percentage_split_is_not_read_as_kwh() -> None:
    request = parse_calc_request("每月用电100万度，高峰用电占三成，电费多少", places=sample_places())
    assert request is not None and request.params["kwh_total"] == 1_000_000 and "kwh_by_period" not in request.params
    assert parse_calc_request("平时我们每月用电100万度，电费多少", places=sample_places()).params["kwh_total"] == 1_000_000  # 平时 = usually


@pytest.mark.parametrize("text,lang,rebate,net", [
    ("经开区拿50亩地，带动就业120人，能返多少地价款？", "zh", 192, 768),
    ("经开区拿50亩地，亩均投资150万元，能返还多少地价款", "zh", 288, 672),
    ("We plan to buy 50 mu in the ETDZ and create 250 jobs. How much of the land price would be refunded?", "en", 288, 672),
    ("50 mu in the ETDZ with investment of 1 million yuan per mu: how much rebate would we get back?", "en", 192, 768),
    ("白云经开区拿80亩地，新增就业220人，地价款能返多少", "zh", 80 * 666.67 * 204 / 1e4 * 0.3,
     80 * 666.67 * 204 / 1e4 * 0.7),
])
def test_land_rebate_amount_is_its_own_line(rules: RuleSet, text: str, lang: str, rebate: float, net: float) -> None:
    request, result = _calc(rules, text, lang)
    assert request.params["want"] == "rebate" and result == pytest.approx(rebate, abs=0.01)
    working = run_calc_request(rules, request, lang).working
    assert any("20%" in w or "30%" in w for w in working)
    assert any(w.endswith(f"= {num(rebate, 2)} " + ("万元" if lang == "zh" else "10k yuan")) and "(1 −" not in w
               for w in working)  # 返还地价款 = 960 × 20% = 192 万元, on its own line
    assert any(f"= {num(net, 2)} " in w and "(1 −" in w for w in working)  # the net cost is still shown
    _, net_result = _calc(rules, text.replace("能返多少地价款", "实际要付多少").replace("refunded", "paid after the rebate")
                          .replace("how much rebate would we get back", "what is the net cost after the rebate")
                          .replace("能返还多少地价款", "扣除返还后要多少钱").replace("地价款能返多少", "扣除返还后要多少钱"), lang)
    assert net_result == pytest.approx(net, abs=0.01)


@pytest.mark.parametrize("text,lang,equipment,fixed,result", [
    ("我们项目固定资产投资2亿元，其中新购生产设备1.24亿元，属于重点产业，设备补助能拿多少？", "zh", 12400, 2, 992),
    ("we will invest RMB 200 million in fixed assets, 124 million of it in new production equipment; what equipment "
     "subsidy can we get?", "en", 12400, 2, 992),
    ("固投3亿，购置设备1.5亿元，设备补贴多少", "zh", 15000, 3, 1000),
    ("项目总投资20000万元，采购生产设备6000万元，设备补助多少", "zh", 6000, 2, 480),
    ("Fixed-asset investment is 1.5 billion yuan and equipment purchases 300 million yuan. How much equipment "
     "subsidy?", "en", 30000, 15, 1000),
])
def test_equipment_subsidy_phrasings(rules: RuleSet, text: str, lang: str, equipment: float, fixed: float,
                                     result: float) -> None:
    request, got = _calc(rules, text, lang)
    assert request.params["kind"] == "equipment_subsidy"
    assert request.params["equipment_investment_wan"] == pytest.approx(equipment)
    assert request.params["fixed_asset_investment_yi"] == pytest.approx(fixed) and got == result


@pytest.mark.parametrize("text,lang,counts,subsidy,result", [
    ("招2个博士、5个硕士，安家补贴一共多少？", "zh", {"doctorate": 2, "master": 5}, "settlement", 65),
    ("We'll hire two PhDs and five master's graduates. What is the settlement subsidy in total?", "en",
     {"doctorate": 2, "master": 5}, "settlement", 65),
    ("引进博士3名、硕士10名，能拿多少补贴", "zh", {"doctorate": 3, "master": 10}, None, 3 * 30.8 + 10 * 10.4),
    ("公司计划招1个博士和4个硕士研究生，生活补贴一共多少", "zh", {"doctorate": 1, "master": 4}, "allowance", 10.8 + 4 * 5.4),
    ("How much settlement subsidy for 3 PhDs and 2 master's graduates?", "en", {"doctorate": 3, "master": 2},
     "settlement", 70),
])
def test_talent_with_several_degrees(rules: RuleSet, text: str, lang: str, counts: dict, subsidy: str | None,
                                     result: float) -> None:
    request, got = _calc(rules, text, lang)
    assert request.params["counts"] == counts and request.params.get("subsidy") == subsidy
    assert got == pytest.approx(result)


@pytest.mark.parametrize("text,lang", [
    ("招2个博士、5个硕士，安家补贴一共多少？公司能拿多少招用补贴？", "zh"),
    ("We'll hire two PhDs and five master's graduates. How much settlement subsidy in total, and how much hiring "
     "subsidy does the company get?", "en"),
])
def test_talent_graduate_and_employer_subsidy_together(rules: RuleSet, text: str, lang: str) -> None:
    request, result = _calc(rules, text, lang)
    assert request.params["hiring"] is True and result == 65  # result: the graduates' subsidy, in 万元
    working = run_calc_request(rules, request, lang).working
    assert any("2,000" in w and "× 7 = 14,000" in w for w in working)
    employer, result = _calc(rules, "招2个博士、5个硕士，单位能拿多少补贴？")
    assert employer.params["subsidy"] == "hiring" and result == 14000


_DC = CalcRequest("data_centre_power", {"kwh": 100_000_000, "want": "saving"})


@pytest.mark.parametrize("text,lang,context", [
    ("我们一年大概用8000万度电，跟其他地区比一年能省多少电费？", "zh", {"last_calc": _DC}),
    ("我们一年大概用8000万度电，跟其他地区比一年能省多少电费？", "zh", {"last_text": "贵安数据中心电价是多少"}),
    ("我们的数据中心一年用电8000万度，跟其他地区比能省多少？", "zh", None),
    ("Our data centre would use 80 GWh a year. How much would we save compared with other regions?", "en", None),
    ("If we use 80 million kWh a year, how much cheaper is it than elsewhere?", "en", {"last_calc": _DC}),
])
def test_data_centre_saving_phrasings(rules: RuleSet, text: str, lang: str, context: dict | None) -> None:
    request, result = _calc(rules, text, lang, context)
    assert request.kind == "data_centre_power" and request.params["kwh"] == 80_000_000
    assert result == pytest.approx(80_000_000 * (0.5 - 0.35))  # 1,200 万元
    plain = parse_calc_request("我们一年大概用8000万度电，跟其他地区比一年能省多少电费？", places=sample_places())
    assert plain is not None and plain.kind == "power_bill"  # no data centre in the text or the conversation


@pytest.mark.parametrize("text,lang,context,months", [
    ("F-001一年租金多少（不算减免）？", "zh", None, 12),
    ("这个厂房租一年要多少钱？先不考虑两免三减半", "zh", {"factory_ids": ["F-001"]}, 12),
    ("What would a full year's rent on this unit be before any relief?", "en", {"factory_ids": ["F-001"]}, 12),
    ("How much is the annual rent for F-001, before any rent relief?", "en", None, 12),
    ("F-001租3年，租金总共多少", "zh", None, 36),
])
def test_rent_for_a_period_before_relief(rules: RuleSet, factories: list[Factory], text: str, lang: str,
                                         context: dict | None, months: int) -> None:
    request = parse_calc_request(text, lang, context, places=sample_places())
    assert request is not None and request.kind == "rent_cost" and request.missing == ()
    assert request.params["factory_id"] == "F-001" and request.params["months"] == months
    assert run_calc_request(rules, request, lang, factories).result == 4800 * 14 * months  # 806,400 for a year
    assert run_calc_request(rules, request, lang).result is None  # the listing is needed to price it


def test_rent_cost_after_relief(rules: RuleSet, factories: list[Factory]) -> None:
    request = parse_calc_request("F-001 5年租金一共多少，减免后呢？", places=sample_places())
    assert request is not None and request.params["relief"] is True
    assert run_calc_request(rules, request, "zh", factories).result == 4800 * 14 * 60 - 4800 * 14 * 42
    assert parse_calc_request("F-001能免多少租金", places=sample_places()).params["kind"] == "rent_relief"  # the relief itself
