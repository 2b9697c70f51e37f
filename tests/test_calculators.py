"""Calculators reproduce the facts brief's worked examples from the rules files, and show their working."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from assistant.calculators.estimates import energy_prices, incentive_estimate, land_cost, power_bill
from assistant.calculators.rules import RuleSet, rules_to_texts
from assistant.calculators.tariff import data_centre_power, residential_bill
from assistant.validation import PARK_COLUMNS
from tests.calc_support import two_district_rules

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SRC = "source: {title: 测试政策, doc_number: 测试〔2026〕1号, article: 第一条}"
META = "meta: {title: 规则表, issuer: 知识库, topic: %s, effective: 2026-08-01, language: zh, sample: true}\n"
TARIFFS = META % "electricity" + f"""\
time_of_use:
  {SRC}
  sample: false
  periods: {{peak: ["10:00-13:00", "17:00-22:00"], flat: ["08:00-10:00", "13:00-17:00", "22:00-24:00"],
            valley: ["00:00-08:00"]}}
  ratios: {{peak: 1.6, flat: 1.0, valley: 0.4}}
  non_floating_yuan_kwh: 0.025325
two_part_tariff:
  {SRC}
  levels:
    - {{voltage: 10kV, energy_yuan_kwh: 0.1238, demand_yuan_kw_month: 35, capacity_yuan_kva_month: 21.9, sample: false}}
    - {{voltage: 35kV, energy_yuan_kwh: 0.1097, demand_yuan_kw_month: 33, capacity_yuan_kva_month: 20.6, sample: false}}
proxy_purchase: {{price_yuan_kwh: 0.388997, month: 2025-12, sample: false, {SRC}}}
line_loss_and_operation: {{price_yuan_kwh: 0.023878, sample: true, {SRC}}}
all_in_large_industry_10kv: {{flat: 0.562, peak: 0.884, valley: 0.240, sample: true, {SRC}}}
data_centre: {{district: 贵安新区, price_yuan_kwh: 0.35, elsewhere_yuan_kwh: 0.5, sample: false, {SRC}}}
residential_tiers:
  {SRC}
  sample: false
  tiers: [{{from_kwh_year: 0, to_kwh_year: null, price_yuan_kwh: 0.4556}}]
"""
LAND = META % "land" + f"""\
mu_m2: 666.67
max_term_years: 50
national_minimum_grades: {{yuan_m2: [840, 720, 600, 480, 384, 336, 288], sample: false, {SRC}}}
priority_floor_ratio: {{ratio: 0.7, year: 2009, sample: false, {SRC}}}
guizhou_floor_ratio: {{ratio: 0.5, year: 2015, sample: false, {SRC}}}
"""


def _inc(iid: str, kind: str, fields: str, district: str = "") -> str:
    return (f"  - {{id: {iid}, name: {iid}, kind: {kind}, district: '{district}', conditions: [条件], sample: true, "
            f"{SRC}, {fields}}}\n")


INCENTIVES = META % "incentives" + "incentives:\n" + "".join([
    _inc("land-rebate", "land_rebate", "tiers: [{min_investment_wan_per_mu: 150, min_jobs: 200, rate: 0.3}, "
         "{min_investment_wan_per_mu: 80, min_jobs: 100, rate: 0.2}]"),
    _inc("contribution", "contribution_return", "min_annual_contribution_wan: 50, schedule: "
         "[{from_year: 1, to_year: 3, rate: 0.5}, {from_year: 4, to_year: 5, rate: 0.3}]", "观山湖区"),
    _inc("milestone", "milestone_award", "tiers: [{revenue_yi: 2, award_wan: 10}, {revenue_yi: 5, award_wan: 20}, "
         "{revenue_yi: 10, award_wan: 50}]"),
    _inc("equipment", "equipment_subsidy", "rate: 0.08, min_fixed_asset_investment_yi: 1, cap_wan: 1000"),
    _inc("settlement", "talent_settlement", "tiers: [{degree: doctorate, award_wan: 20}, "
         "{degree: master, award_wan: 5}, {degree: bachelor_double_first_class, award_wan: 2}]"),
    _inc("allowance", "talent_allowance", "months: 36, tiers: [{degree: doctorate, yuan_month: 3000}, "
         "{degree: master, yuan_month: 1500}, {degree: bachelor, yuan_month: 800}]"),
    _inc("rent-relief", "rent_relief", "free_years: 2, half_years: 3"),
])
PARKS = [("P-01", "贵阳经济技术开发区", "经开区", "288", "19.2", "参考价"),
         ("P-06", "观山湖区吉利汽车配套产业园/智能网联汽车产业园", "观山湖区", "336", "22.4", "参考价"),
         ("P-07", "小兰山数据标注基地", "观山湖区", "", "", "仅提供办公空间，不供应工业用地"),
         ("P-11", "修文经济开发区", "修文县", "", "", "对龙头企业工业用地价格不高于20万元/亩（2020年政策）")]


def _fixture_rules(tmp_path: Path) -> RuleSet:
    (tmp_path / "rules").mkdir()
    (tmp_path / "listings").mkdir()
    for name, text in (("tariffs", TARIFFS), ("land", LAND), ("incentives", INCENTIVES)):
        (tmp_path / "rules" / f"{name}.yaml").write_text(text, encoding="utf-8")
    rows = [",".join(PARK_COLUMNS)] + [",".join([pid, name, name, district, "省级", "产业", yuan, wan, note, "", "",
                                                  "0851-0000-0011", "", "true", "2026-11-01"])
                                       for pid, name, district, yuan, wan, note in PARKS]
    (tmp_path / "listings" / "parks.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    # The sample lexicon names industries and abbreviations: 吉利 is the name before 汽车 in 吉利汽车配套产业园.
    shutil.copy(CORPUS / "lexicon.yaml", tmp_path / "lexicon.yaml")
    return RuleSet.load(tmp_path / "rules", tmp_path / "listings")


@pytest.fixture(params=["fixture", "corpus"])
def rules(request: pytest.FixtureRequest, tmp_path: Path) -> RuleSet:
    if request.param == "fixture":
        return _fixture_rules(tmp_path)
    needed = [CORPUS / "rules" / f"{n}.yaml" for n in ("tariffs", "land", "incentives")]
    needed.append(CORPUS / "listings" / "parks.csv")
    missing = [str(p.relative_to(CORPUS)) for p in needed if not p.exists()]
    if missing:
        pytest.skip(f"real corpus files missing: {missing}")
    return RuleSet.load(CORPUS / "rules", CORPUS / "listings")


def numbers(lines: list[str]) -> set[float]:
    return {float(x.replace(",", "")) for line in lines for x in re.findall(r"\d[\d,]*(?:\.\d+)?", line)}


def test_energy_prices_match_the_brief(rules: RuleSet) -> None:
    assert energy_prices(rules, "10kV") == {"peak": 0.884, "flat": 0.562, "valley": 0.240}


def test_power_bill_worked_example(rules: RuleSet) -> None:
    calc = power_bill(rules, voltage="10kV", kwh_total=1_000_000, max_demand_kw=2000)
    assert calc.result == 632000 and calc.unit == "元"
    text = "\n".join(calc.working)
    for expected in ("1,000,000 kWh × 0.562 = 562,000 元", "2,000 kW × 35", "= 70,000 元", "562,000 + 70,000 = 632,000 元",
                     "0.388997", "0.023878", "0.1238", "0.025325", "3位小数"):
        assert expected in text
    assert any("平段" in n for n in calc.notes)  # says it priced everything at flat
    assert calc.sample is True  # line loss is a sample figure
    assert rules.tariffs.two_part.source in calc.citations and rules.tariffs.time_of_use.source in calc.citations
    assert not any("不一致" in n for n in calc.notes)  # agrees with the published all-in prices


def test_power_bill_by_period_and_capacity_in_english(rules: RuleSet) -> None:
    calc = power_bill(rules, voltage="10 kV", kwh_by_period={"peak": 100_000, "flat": 200_000, "valley": 100_000},
                      transformer_kva=1000, lang="en")
    # 100,000 × 0.884 + 200,000 × 0.562 + 100,000 × 0.240 + 1,000 × 21.9
    assert calc.result == pytest.approx(88_400 + 112_400 + 24_000 + 21_900)
    assert "Basic charge (by capacity) = 1,000 kVA × 21.9 yuan/kVA·month = 21,900 yuan" in calc.working
    assert {0.884, 0.562, 0.24, 246700.0} <= numbers(calc.working)


def test_power_bill_35kv_uses_its_own_energy_price(rules: RuleSet) -> None:
    calc = power_bill(rules, voltage="35kV", kwh_total=1000)
    assert calc.result == pytest.approx(1000 * 0.548)  # 0.388997 + 0.023878 + 0.1097 + 0.025325 = 0.5479
    with pytest.raises(ValueError):
        power_bill(rules, voltage="500kV", kwh_total=1000)


def test_land_cost_worked_example(rules: RuleSet) -> None:
    calc = land_cost(rules, park="经开区", area_mu=50)
    assert calc.result == 960 and calc.unit == "万元"
    assert "50 亩 × 666.67 ㎡/亩 = 33,333.5 ㎡" in calc.working[1]
    assert "33,333.5 ㎡ × 288 元/㎡ = 9,600,048 元，约 960 万元" in calc.working[2]
    assert any("150" in n and "30%" in n for n in calc.notes)  # tells the investor how to get the rebate
    rebated = land_cost(rules, park="经开区", area_mu=50, investment_wan_per_mu=150)
    assert rebated.result == 672
    assert "960 × (1 − 30%) = 672 万元" in rebated.working[-1]
    assert len(rebated.citations) == 2 and rebated.sample


def test_land_rebate_tiers_by_jobs(rules: RuleSet) -> None:
    assert land_cost(rules, price_yuan_m2=288, area_mu=50, jobs=200).result == 672
    assert land_cost(rules, price_yuan_m2=288, area_mu=50, jobs=120).result == 768
    assert land_cost(rules, price_yuan_m2=288, area_mu=50, investment_wan_per_mu=79, jobs=99).result == 960
    assert land_cost(rules, price_yuan_m2=288, area_m2=10000).result == 288


@pytest.mark.parametrize(("alias", "price"), [("吉利", 336), ("观山湖", 336), ("贵阳经济技术开发区", 288)])
def test_land_cost_park_lookup(rules: RuleSet, alias: str, price: float) -> None:
    calc = land_cost(rules, park=alias, area_m2=1000)
    assert calc.result == pytest.approx(price * 1000 / 10000)


def test_land_cost_parks_without_price(rules: RuleSet) -> None:
    xiuwen = land_cost(rules, park="修文", area_mu=50)
    assert xiuwen.result is None and not xiuwen.ok
    assert "20万元/亩" in xiuwen.working[0] and "没有工业用地挂牌价" in xiuwen.working[0]
    xiaolanshan = land_cost(rules, park="小兰山", area_mu=10, lang="en")
    assert xiaolanshan.result is None and "no listed industrial land price" in xiaolanshan.working[0]
    with pytest.raises(ValueError):
        land_cost(rules, park="上海浦东", area_mu=10)


def test_contribution_return_worked_example(rules: RuleSet) -> None:
    calc = incentive_estimate(rules, "contribution_return", annual_contribution_wan=200, district="观山湖区")
    assert calc.result == 420 and calc.unit == "万元"
    assert calc.working[-1] == "合计 = 300 + 120 = 420 万元"
    assert not calc.notes  # the district was given
    below = incentive_estimate(rules, "contribution_return", annual_contribution_wan=40, lang="en")
    assert below.result == 0 and "below the 50" in below.working[0]
    mixed = incentive_estimate(rules, "contribution_return", contributions_wan=[40, 100, 100, 100, 100])
    assert mixed.result == pytest.approx(50 + 50 + 30 + 30)


def test_contribution_return_takes_the_rule_of_the_district(tmp_path: Path) -> None:
    """The districts come from the rules: with one rule it is used (and named); with several, the district
    decides, a district without its own rule takes the rule for everywhere, and no district is an error."""
    for name in ("one", "everywhere"):
        (tmp_path / name).mkdir()
    only = _fixture_rules(tmp_path / "one")
    calc = incentive_estimate(only, "contribution_return", annual_contribution_wan=200)
    assert calc.result == 420 and any("按观山湖区的规则计算" in n for n in calc.notes)
    assert incentive_estimate(only, "contribution_return", annual_contribution_wan=200, district="观山湖").result == 420
    with pytest.raises(ValueError, match="经开区没有地方经济贡献奖励规则（现有规则适用于：观山湖区）"):
        incentive_estimate(only, "contribution_return", annual_contribution_wan=200, district="经开区")
    two = two_district_rules(tmp_path / "two")
    with pytest.raises(ValueError, match="请说明企业所在区县（现有规则适用于：观山湖区、白云区）"):
        incentive_estimate(two, "contribution_return", annual_contribution_wan=200)
    assert incentive_estimate(two, "contribution_return", annual_contribution_wan=200, district="白云").result == 160
    assert incentive_estimate(two, "contribution_return", "en", annual_contribution_wan=200,
                              district="Guanshanhu").result == 420
    everywhere = tmp_path / "everywhere"
    _fixture_rules(everywhere)  # 观山湖区's rule, and below one for everywhere
    path = everywhere / "rules" / "incentives.yaml"
    path.write_text(path.read_text(encoding="utf-8") + _inc(
        "contribution-city", "contribution_return", "min_annual_contribution_wan: 100, schedule: "
        "[{from_year: 1, to_year: 1, rate: 0.1}]"), encoding="utf-8")
    general = RuleSet.load(everywhere / "rules", everywhere / "listings")
    assert incentive_estimate(general, "contribution_return", annual_contribution_wan=200, district="经开区").result == 20
    assert incentive_estimate(general, "contribution_return", annual_contribution_wan=200, district="观山湖区").result == 420
    with pytest.raises(ValueError, match="say which district .* 观山湖区, elsewhere \\(the general rule\\)"):
        incentive_estimate(general, "contribution_return", "en", annual_contribution_wan=200)


def test_milestone_award_highest_tier_unless_stacked(rules: RuleSet) -> None:
    assert incentive_estimate(rules, "milestone_award", revenue_yi=6, previous_max_revenue_yi=1).result == 20
    stacked = incentive_estimate(rules, "milestone_award", revenue_yi=6, previous_max_revenue_yi=1, stack=True)
    assert stacked.result == 30
    assert incentive_estimate(rules, "milestone_award", revenue_yi=3, previous_max_revenue_yi=2.5).result == 0
    assert incentive_estimate(rules, "milestone_award", revenue_yi=12, previous_max_revenue_yi=6).result == 50


def test_english_working_says_hundreds_of_millions_in_millions_and_billions(rules: RuleSet) -> None:
    none = incentive_estimate(rules, "milestone_award", lang="en", revenue_yi=1.5)
    assert none.working == ["Revenue of RMB 150 million crosses no new milestone this year: no award"]
    crossed = incentive_estimate(rules, "milestone_award", lang="en", revenue_yi=12, previous_max_revenue_yi=4)
    assert crossed.working[0] == ("Revenue of RMB 1.2 billion (previous best RMB 400 million) first crosses "
                                  "RMB 500 million, RMB 1 billion")
    small = incentive_estimate(rules, "equipment_subsidy", lang="en", equipment_investment_wan=500,
                               fixed_asset_investment_yi=0.5)
    assert not any("100m" in w for w in none.working + crossed.working + small.working)


def test_equipment_subsidy(rules: RuleSet) -> None:
    assert incentive_estimate(rules, "equipment_subsidy", equipment_investment_wan=5000,
                              fixed_asset_investment_yi=2).result == 400
    capped = incentive_estimate(rules, "equipment_subsidy", equipment_investment_wan=15000, fixed_asset_investment_yi=3)
    assert capped.result == 1000 and "15,000 × 8% = 1,200 万元" in capped.working[0]
    small = incentive_estimate(rules, "equipment_subsidy", equipment_investment_wan=5000, fixed_asset_investment_yi=0.8)
    assert small.result == 0 and "门槛" in small.working[0]


@pytest.mark.parametrize(("degree", "extra", "expected"), [
    ("博士", {}, 30.8), ("master", {}, 10.4), ("本科", {}, 2.88), ("bachelor", {"double_first_class": True}, 4.88),
    ("doctorate", {"count": 2}, 61.6),
])
def test_talent(rules: RuleSet, degree: str, extra: dict[str, object], expected: float) -> None:
    calc = incentive_estimate(rules, "talent", degree=degree, **extra)
    assert calc.result == pytest.approx(expected)


def test_rent_relief(rules: RuleSet) -> None:
    calc = incentive_estimate(rules, "rent_relief", area_m2=4800, rent_yuan_m2_month=14)
    assert calc.result == 2_822_400
    assert "67,200 × 24 = 1,612,800 元" in calc.working[1]
    assert "67,200 × 50% × 36 = 1,209,600 元" in calc.working[2]


def test_unknown_incentive_kind(rules: RuleSet) -> None:
    with pytest.raises(ValueError):
        incentive_estimate(rules, "free_lunch")


def test_rules_to_texts_carry_sources_and_sample_marks(rules: RuleSet) -> None:
    texts = {t.id: t for t in rules_to_texts(rules)}
    ten = texts["tariffs.two_part.10kV"]
    assert "0.1238元/kWh" in ten.text and "35元/kW·月" in ten.text and "来源" in ten.text and not ten.sample
    line_loss = texts["tariffs.line_loss"]
    assert line_loss.sample and "示例数据" in line_loss.text
    assert "840、720" in texts["land.national_minimum_grades"].text
    assert any(t.startswith("incentives.") for t in texts)


# ---------- household tiers, data-centre price and tax (real corpus rules) ----------

@pytest.fixture(scope="module")
def corpus_rules() -> RuleSet:
    return RuleSet.load(CORPUS / "rules", CORPUS / "listings")


def test_residential_bill_walks_the_annual_tiers(corpus_rules: RuleSet) -> None:
    calc = residential_bill(corpus_rules, kwh_year=5000)
    assert calc.result == pytest.approx(2453) and calc.unit == "元"
    text = "\n".join(calc.working)
    for expected in ("3,000 kWh × 0.4556 = 1,366.8", "1,700 kWh × 0.5056 = 859.52", "300 kWh × 0.7556 = 226.68",
                     "= 2,453 元"):
        assert expected in text
    assert corpus_rules.tariffs.residential_source in calc.citations
    assert residential_bill(corpus_rules, kwh_year=2000).result == pytest.approx(911.2)  # first tier only


def test_residential_bill_from_monthly_use(corpus_rules: RuleSet) -> None:
    calc = residential_bill(corpus_rules, kwh_month=300, lang="en")
    assert calc.result == pytest.approx(3000 * 0.4556 + 600 * 0.5056)
    assert "300 kWh/month × 12 months = 3,600 kWh" in calc.working[0]
    assert calc.working[-1].startswith("Monthly average")


def test_data_centre_saving_and_bill(corpus_rules: RuleSet) -> None:
    calc = data_centre_power(corpus_rules, kwh=100_000_000)
    assert calc.result == 15_000_000
    text = "\n".join(calc.working)
    assert "0.35" in text and "0.5" in text and "1,500 万元" in text
    assert data_centre_power(corpus_rules, kwh=100_000_000, want="bill").result == 35_000_000
    assert "RMB 15 million" in "\n".join(data_centre_power(corpus_rules, kwh=100_000_000, lang="en").working)


def test_tax_saving_compares_with_the_given_standard_rate(corpus_rules: RuleSet) -> None:
    calc = incentive_estimate(corpus_rules, "tax_saving", taxable_income_wan=2000, standard_rate=0.25)
    assert calc.result == 200 and calc.unit == "万元"
    text = "\n".join(calc.working)
    assert "2,000 万元 × 25% = 500 万元" in text and "2,000 万元 × 15% = 300 万元" in text
    assert "500 万元 − 300 万元 = 200 万元" in text
    en = incentive_estimate(corpus_rules, "tax_saving", "en", taxable_income_wan=2000, standard_rate=0.25)
    assert "RMB 2 million" in "\n".join(en.working) and "as given in the question" in en.working[1]
    unknown = incentive_estimate(corpus_rules, "tax_saving", taxable_income_wan=2000)
    assert unknown.result is None  # no standard rate in the rules or the question: nothing to compare with


@pytest.mark.parametrize(("industry", "intangible", "expected"), [
    ("集成电路", False, 2200), ("", False, 2000), ("工业母机", True, 2200), ("", True, 2000), ("纺织", False, 2000),
])
def test_rd_deduction(corpus_rules: RuleSet, industry: str, intangible: bool, expected: float) -> None:
    calc = incentive_estimate(corpus_rules, "rd_deduction", rd_expense_wan=1000, industry=industry,
                              intangible=intangible)
    assert calc.result == expected


def test_rd_deduction_working_en(corpus_rules: RuleSet) -> None:
    calc = incentive_estimate(corpus_rules, "rd_deduction", "en", rd_expense_wan=1000, industry="集成电路")
    text = "\n".join(calc.working)
    assert "120%" in text and "2023–2027" in text and "RMB 22 million" in text


def test_rd_deduction_knows_the_special_industries_by_the_rules_names(corpus_rules: RuleSet) -> None:
    """The LLM tool may pass the industry in English: the rule's English name and aliases count as well."""
    calc = incentive_estimate(corpus_rules, "rd_deduction", "en", rd_expense_wan=1000, industry="Integrated circuits")
    assert calc.result == 2200 and "integrated-circuit company" in calc.working[0]
    assert incentive_estimate(corpus_rules, "rd_deduction", rd_expense_wan=1000, industry="machine tools",
                              intangible=True).result == 2200
    general = incentive_estimate(corpus_rules, "rd_deduction", "en", rd_expense_wan=1000)
    assert "integrated-circuit, industrial machine-tool companies: 120%" in general.notes[0]


def test_talent_settlement_or_allowance_only(corpus_rules: RuleSet) -> None:
    settle = incentive_estimate(corpus_rules, "talent", degree="master", count=3, subsidy="settlement")
    assert settle.result == 15 and "5 × 3 = 15 万元" in settle.working
    assert any("1,500" in n and "未计入" in n for n in settle.notes)  # the allowance is named, not added
    allow = incentive_estimate(corpus_rules, "talent", degree="master", count=3, subsidy="allowance")
    assert allow.result == pytest.approx(16.2)
    with pytest.raises(ValueError):
        incentive_estimate(corpus_rules, "talent", degree="master", subsidy="bonus")


def test_talent_hiring_subsidy_for_the_employer(corpus_rules: RuleSet) -> None:
    calc = incentive_estimate(corpus_rules, "talent", degree="master", count=2, subsidy="hiring")
    assert calc.result == 4000 and calc.unit == "元" and calc.kind == "hiring_subsidy"
    assert any("安家补贴" in n for n in calc.notes)  # the graduate's own subsidies are named, not added


def test_land_rebate_amount_line_and_want_rebate(corpus_rules: RuleSet) -> None:
    calc = land_cost(corpus_rules, park="经开区", area_mu=50, jobs=120)
    assert calc.result == 768 and "返还地价款 = 960 × 20% = 192 万元" in calc.working[-2]
    assert "960 × (1 − 20%) = 768 万元" in calc.working[-1]
    assert land_cost(corpus_rules, park="经开区", area_mu=50, jobs=120, want="rebate").result == 192
    assert land_cost(corpus_rules, park="经开区", area_mu=50, want="rebate").result == 0  # no tier reached


def test_talent_mixed_degrees_with_employer_subsidy(corpus_rules: RuleSet) -> None:
    calc = incentive_estimate(corpus_rules, "talent", counts={"doctorate": 2, "master": 5}, subsidy="settlement",
                              hiring=True)
    assert calc.result == 65 and calc.unit == "万元"  # the graduates' subsidy; the employer's is a working line
    assert "合计 = 40 + 25 = 65 万元" in calc.working
    assert any("2,000 元/人 × 7 = 14,000 元" in w for w in calc.working)
    employer = incentive_estimate(corpus_rules, "talent", counts={"doctorate": 2, "master": 5}, subsidy="hiring")
    assert employer.result == 14000 and employer.kind == "hiring_subsidy"


def test_rent_cost_before_and_after_relief(corpus_rules: RuleSet) -> None:
    year = incentive_estimate(corpus_rules, "rent_cost", area_m2=4800, rent_yuan_m2_month=14)
    assert year.result == 806_400 and "67,200 × 12 = 806,400 元" in year.working[1]
    assert any("两免三减半" in n for n in year.notes)  # the relief is named, not deducted
    five = incentive_estimate(corpus_rules, "rent_cost", area_m2=4800, rent_yuan_m2_month=14, months=60, relief=True)
    assert five.result == 67_200 * 60 - 2_822_400
    assert incentive_estimate(corpus_rules, "rent_cost", area_m2=4800, rent_yuan_m2_month=14, relief=True).result == 0
