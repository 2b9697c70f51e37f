"""Chat messages (zh/en) become calculator requests that reproduce the facts brief's worked examples."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from assistant.calculators.requests import parse_calc_request, run_calc_request
from assistant.calculators.rules import RuleSet
from assistant.listings.records import Factory
from tests.calc_support import CORPUS, _calc, two_district_rules
from tests.conftest import sample_places

# ---------- not a computation ----------

@pytest.mark.parametrize("text,lang", [
    ("峰谷电价时段是怎样划分的", "zh"), ("电费怎么算", "zh"), ("10千伏电价是多少", "zh"),
    ("经开区工业用地多少钱一亩", "zh"), ("经开区工业用地要多少钱一亩", "zh"), ("50亩等于多少平方米", "zh"),
    ("博士安家补贴是多少", "zh"), ("年贡献50万元以上才能享受返还吗", "zh"), ("租3000平米厂房，租金14元以内", "zh"),
    ("观山湖区有哪些产业园？", "zh"), ("how is the power bill calculated?", "en"),
    ("how much is industrial land in the ETDZ per mu?", "en"),
])
def test_policy_questions_and_lookups_are_not_calculations(text: str, lang: str) -> None:
    assert parse_calc_request(text, lang, places=sample_places()) is None


# ---------- power bill ----------

def test_power_worked_example_zh(rules: RuleSet) -> None:
    request, result = _calc(rules, "10千伏，每月用电100万度，全部平段，最大需量2000千瓦，电费多少？")
    assert request.kind == "power_bill" and request.missing == ()
    assert request.params == {"voltage": "10kV", "kwh_total": 1_000_000, "max_demand_kw": 2000}
    assert result == 632000


def test_power_worked_example_en(rules: RuleSet) -> None:
    request, result = _calc(rules, "A 10 kV plant uses 1,000,000 kWh a month, all flat, max demand 2,000 kW. "
                                   "How much would we pay?", "en")
    assert request.params["kwh_total"] == 1_000_000 and result == 632000


def test_power_chinese_numerals_and_default_voltage(rules: RuleSet) -> None:
    request, result = _calc(rules, "一百万千瓦时，最大需量2000千瓦，帮我算一下电费")
    assert request.params["voltage"] == "10kV" and request.params["kwh_total"] == 1_000_000
    assert result == 632000


def test_power_split_by_period_with_transformer_zh(rules: RuleSet) -> None:
    request, result = _calc(rules, "35千伏，高峰30万度、平段50万度、低谷20万度，变压器容量1250kVA")
    assert request.params["kwh_by_period"] == {"peak": 300_000, "flat": 500_000, "valley": 200_000}
    # 35 kV: peak 0.861, flat 0.548, valley 0.234 元/kWh; capacity 20.6 元/kVA
    assert result == 300_000 * 0.861 + 500_000 * 0.548 + 200_000 * 0.234 + 1250 * 20.6


def test_power_split_by_period_en_with_bare_numbers() -> None:
    request = parse_calc_request("peak 300,000 kWh, flat 500,000, valley 200,000 at 110 kV, 1250千伏安变压器", "en", places=sample_places())
    assert request is not None
    assert request.params == {"voltage": "110kV", "transformer_kva": 1250,
                              "kwh_by_period": {"peak": 300_000, "flat": 500_000, "valley": 200_000}}


def test_power_partial_split_puts_the_rest_at_flat() -> None:
    request = parse_calc_request("每月用电100万度，其中高峰30万度，算一下电费", places=sample_places())
    assert request is not None and request.params["kwh_by_period"] == {"peak": 300_000, "flat": 700_000}


@pytest.mark.parametrize("text,lang,label", [("帮我算一下电费", "zh", "用电量"),
                                             ("最大需量2000千瓦，电费多少", "zh", "用电量"),
                                             ("Please estimate our electricity bill", "en", "monthly kWh")])
def test_power_missing_consumption(rules: RuleSet, text: str, lang: str, label: str) -> None:
    request = parse_calc_request(text, lang, places=sample_places())
    assert request is not None and request.missing == (label,)
    calc = run_calc_request(rules, request, lang)
    assert calc.result is None and label in calc.working[0]


def test_power_follow_ups_change_one_input(rules: RuleSet) -> None:
    first, _ = _calc(rules, "10千伏，每月用电100万度，最大需量2000千瓦，电费多少？")
    request, result = _calc(rules, "那如果是35千伏呢？", context={"last_calc": first})
    assert request.params == {"voltage": "35kV", "kwh_total": 1_000_000, "max_demand_kw": 2000}
    assert result == 1_000_000 * 0.548 + 2000 * 33
    request, result = _calc(rules, "如果按变压器容量1250kVA算呢？", context={"last_calc": first})
    assert "max_demand_kw" not in request.params and result == 562_000 + 1250 * 21.9
    request, result = _calc(rules, "What about 35 kV?", "en", context={"last_calc": first})
    assert result == 614000
    assert parse_calc_request("那如果是35千伏呢？", places=sample_places()) is None  # no earlier calculation to change


def test_power_unknown_voltage_is_explained(rules: RuleSet) -> None:
    request, result = _calc(rules, "0.4千伏，每月用电10万度，电费多少")
    assert request.params["voltage"] == "0.4kV" and result is None


# ---------- land ----------

def test_land_worked_example(rules: RuleSet) -> None:
    request, result = _calc(rules, "经开区拿50亩地要多少钱")
    assert request.kind == "land_cost" and request.params == {"area_mu": 50, "park": "经开区"}
    assert result == pytest.approx(960, abs=0.01)


def test_land_rebate_by_investment_intensity(rules: RuleSet) -> None:
    request, result = _calc(rules, "经开区拿50亩地，亩均投资150万元，要多少钱")
    assert request.params["investment_wan_per_mu"] == 150 and result == 672


def test_land_rebate_en(rules: RuleSet) -> None:
    request, result = _calc(rules, "50 mu in the ETDZ with investment of 1.6 million yuan per mu, "
                                   "how much would the land cost?", "en")
    assert request.params["investment_wan_per_mu"] == pytest.approx(160) and result == 672


def test_land_rebate_by_jobs_in_named_park(rules: RuleSet) -> None:
    request, result = _calc(rules, "白云经开区拿80亩地，带动就业220人")
    assert request.params["jobs"] == 220
    assert result == pytest.approx(80 * 666.67 * 204 / 10000 * 0.7, abs=0.01)  # 白云: 204 元/㎡, 30% back


def test_land_explicit_price_and_square_metres(rules: RuleSet) -> None:
    request, result = _calc(rules, "拿3万平方米的地，按288元/㎡")
    assert request.params == {"area_m2": 30000, "price_yuan_m2": 288} and result == 864


def test_land_missing_park_and_context_park(rules: RuleSet) -> None:
    assert parse_calc_request("拿50亩地要多少钱", places=sample_places()).missing == ("园区或地价",)
    assert parse_calc_request("How much would 50 mu of land cost?", "en", places=sample_places()).missing == ("park or land price",)
    _, result = _calc(rules, "拿50亩地要多少钱", context={"park": "P-02"})
    assert result == pytest.approx(50 * 666.67 * 336 / 10000, abs=0.01)


def test_land_park_without_listed_price(rules: RuleSet) -> None:
    request = parse_calc_request("修文拿50亩地要多少钱", places=sample_places())
    calc = run_calc_request(rules, request, "zh")
    assert calc.result is None and "没有工业用地挂牌价" in calc.working[0]


def test_land_follow_ups(rules: RuleSet) -> None:
    first, _ = _calc(rules, "经开区拿50亩地，亩均投资150万元，要多少钱")
    request, result = _calc(rules, "如果是100亩呢？", context={"last_calc": first})
    assert request.params["park"] == "经开区" and result == pytest.approx(1344.01, abs=0.01)
    request, result = _calc(rules, "那如果在开阳呢？", context={"last_calc": first})
    assert request.params["area_mu"] == 50 and result == 336  # 开阳 144 元/㎡
    request, _ = _calc(rules, "如果是1万平方米呢", context={"last_calc": first})
    assert "area_mu" not in request.params and request.params["area_m2"] == 10000
    assert parse_calc_request("那开阳的主导产业是什么呢？", context={"last_calc": first}, places=sample_places()) is None
    assert parse_calc_request("如果是100亩呢？", places=sample_places()) is None


# ---------- incentives ----------

def test_contribution_return_worked_example(rules: RuleSet) -> None:
    request, result = _calc(rules, "观山湖区新企业每年地方经济贡献200万元，能拿多少返还")
    assert request.params == {"kind": "contribution_return", "annual_contribution_wan": 200, "district": "观山湖区"}
    assert result == 420


def test_contribution_return_en_and_follow_up(rules: RuleSet) -> None:
    first, result = _calc(rules, "Local contribution of 2 million yuan a year in Guanshanhu: how much would we get back?",
                          "en")
    assert result == 420
    _, result = _calc(rules, "如果每年贡献300万呢", context={"last_calc": first})
    assert result == 630


def test_contribution_return_district_from_context(rules: RuleSet) -> None:
    request, result = _calc(rules, "每年地方经济贡献200万元能返多少", context={"district": "经开区"})
    assert request.params["district"] == "经开区" and result is None  # the rule is 观山湖区's only
    calc = run_calc_request(rules, request, "zh")
    assert "经开区没有地方经济贡献奖励规则" in calc.working[0] and "观山湖区" in calc.working[0]


def test_contribution_return_with_the_only_rule_says_whose_rule_it_is(rules: RuleSet) -> None:
    request, result = _calc(rules, "每年地方经济贡献200万元，帮我算算能返多少")
    assert "district" not in request.params and request.missing == () and result == 420
    calc = run_calc_request(rules, request, "zh")
    assert any("未说明所在区县，按观山湖区的规则计算" in n for n in calc.notes)


def test_contribution_return_asks_for_the_district_when_the_rules_differ(tmp_path: Path) -> None:
    rules = two_district_rules(tmp_path)
    request = parse_calc_request("每年地方经济贡献200万元，帮我算算能返多少", places=sample_places(), rules=rules)
    assert request is not None and "district" not in request.params
    assert request.missing == ("企业所在区县（现有规则适用于：观山湖区、白云区）",)
    assert run_calc_request(rules, request, "zh").result is None
    english = parse_calc_request("A local contribution of 2 million yuan a year: how much would we get back?", "en",
                                 places=sample_places(), rules=rules)
    assert english is not None and english.missing == ("the company's district (the rules cover 观山湖区, 白云区)",)
    # the reply completes the request; a district named at once needs no question
    _, result = _calc(rules, "白云区的呢", context={"last_calc": request})
    assert result == 160  # 200 × 40% × 2 years
    assert _calc(rules, "在白云区", context={"last_calc": request})[1] == 160
    named, result = _calc(rules, "观山湖区新企业每年地方经济贡献200万元，能拿多少返还")
    assert named.params["district"] == "观山湖区" and named.missing == () and result == 420
    assert _calc(rules, "Local contribution of 2 million yuan a year in Baiyun: how much would we get back?",
                 "en")[1] == 160
    elsewhere, result = _calc(rules, "经开区企业每年地方经济贡献200万元，帮我算算能返多少")
    assert elsewhere.params["district"] == "经开区" and result is None  # a district no rule covers


def test_equipment_subsidy_and_cap(rules: RuleSet) -> None:
    request, result = _calc(rules, "设备投资5000万元，固定资产投资2亿元，能拿多少补贴")
    assert request.params["fixed_asset_investment_yi"] == 2 and result == 400
    request, result = _calc(rules, "设备投资1.5亿元，固定资产投资3亿元")
    assert request.params["equipment_investment_wan"] == 15000 and result == 1000
    assert parse_calc_request("设备投资5000万元能拿多少补贴", places=sample_places()).missing == ("固定资产投资额",)


def test_milestone_award(rules: RuleSet) -> None:
    request, result = _calc(rules, "营收首次突破5亿元能拿多少奖励")
    assert request.params["revenue_yi"] == 5 and result == 20
    request, _ = _calc(rules, "去年营收1.5亿元，今年营收6亿元，能拿多少奖励")
    assert request.params["previous_max_revenue_yi"] == 1.5 and request.params["revenue_yi"] == 6


def test_talent(rules: RuleSet) -> None:
    first, result = _calc(rules, "招3个博士能拿多少补贴")
    assert first.params == {"kind": "talent", "degree": "doctorate", "count": 3}
    assert result == pytest.approx(3 * (20 + 3000 * 36 / 10000))
    _, result = _calc(rules, "How much would we get for hiring a master's graduate?", "en")
    assert result == pytest.approx(5 + 1500 * 36 / 10000)
    request, result = _calc(rules, "招两个双一流本科毕业生能拿多少")
    assert request.params["double_first_class"] and result == pytest.approx(2 * (2 + 800 * 36 / 10000))
    request, _ = _calc(rules, "如果是硕士呢", context={"last_calc": first})
    assert request.params["degree"] == "master" and request.params["count"] == 3


def test_rent_relief_by_area_and_rent(rules: RuleSet) -> None:
    request, result = _calc(rules, "租三千平米厂房，租金14元/平米/月，能减免多少租金")
    assert request.params["area_m2"] == 3000 and request.params["rent_yuan_m2_month"] == 14
    assert result == 3000 * 14 * (24 + 36 * 0.5)


def test_rent_relief_by_factory_id(rules: RuleSet, factories: list[Factory]) -> None:
    request = parse_calc_request("F-001能免多少租金", places=sample_places())
    assert request is not None and request.params["factory_id"] == "F-001" and request.missing == ()
    assert run_calc_request(rules, request, "zh", factories).result == 4800 * 14 * 42
    assert run_calc_request(rules, request, "zh").result is None  # the listing is needed to price it
    by_context = parse_calc_request("这个厂房能免多少租金？", context={"factory_ids": ["F-001"]}, places=sample_places())
    assert by_context is not None and by_context.params["factory_id"] == "F-001"
    assert parse_calc_request("能免多少租金？", places=sample_places()).missing == ("租赁面积", "租金单价")


# ---------- household tiers, data centres, valley hours, tax (eval calculation-13 … 18) ----------

@pytest.mark.parametrize("text,lang", [
    ("居民阶梯电价是多少", "zh"), ("贵安数据中心电价是多少", "zh"), ("研发费用加计扣除比例是多少", "zh"),
    ("西部大开发15%税率的条件是什么", "zh"), ("What is the household electricity price?", "en"),
])
def test_more_lookups_are_not_calculations(text: str, lang: str) -> None:
    assert parse_calc_request(text, lang, places=sample_places()) is None


def test_residential_bill_request(rules: RuleSet) -> None:
    request, result = _calc(rules, "一户居民一年用电5000度，电费多少？")
    assert request.kind == "residential_bill" and request.params == {"kwh_year": 5000}
    assert result == pytest.approx(2453)
    request, _ = _calc(rules, "家里每月用电300度，电费多少")
    assert request.params == {"kwh_month": 300}
    request, result = _calc(rules, "A household uses 5,000 kWh a year. How much is the electricity bill?", "en")
    assert request.kind == "residential_bill" and result == pytest.approx(2453)
    follow, result = _calc(rules, "那如果是2000度呢？", context={"last_calc": request})
    assert follow.params == {"kwh_year": 2000} and result == pytest.approx(911.2)


def test_data_centre_saving_request(rules: RuleSet) -> None:
    request, result = _calc(rules, "一个年用电1亿千瓦时的数据中心放在贵安，每年能省多少电费？")
    assert request.kind == "data_centre_power"
    assert request.params == {"kwh": 100_000_000, "want": "saving"} and result == 15_000_000
    calc = run_calc_request(rules, request, "zh")
    assert any("1,500 万元" in line for line in calc.working)
    request, result = _calc(rules, "贵安的数据中心年用电1亿度，电费多少？")
    assert request.params["want"] == "bill" and result == 35_000_000


def test_valley_hour_kwh_in_english(rules: RuleSet) -> None:
    request, result = _calc(rules, "At 10 kV, what does 100,000 kWh of valley-hour electricity cost, "
                                   "energy charge only?", "en")
    assert request.params == {"voltage": "10kV", "kwh_by_period": {"valley": 100_000}}
    assert result == 24000
    request = parse_calc_request("How much would 50,000 kWh off-peak cost?", "en", places=sample_places())
    assert request is not None and request.params["kwh_by_period"] == {"valley": 50_000}
    request = parse_calc_request("35千伏，高峰30万度、平段50万度、低谷20万度，电费多少", places=sample_places())  # a period word ahead wins
    assert request is not None and request.params["kwh_by_period"] == {"peak": 300_000, "flat": 500_000,
                                                                       "valley": 200_000}


def test_talent_subsidy_asked_for(rules: RuleSet) -> None:
    request, result = _calc(rules, "招3个硕士研究生，安家补贴一共多少？")
    assert request.params == {"kind": "talent", "degree": "master", "count": 3, "subsidy": "settlement"}
    assert result == 15
    request, result = _calc(rules, "招3个硕士，生活补贴能拿多少")
    assert request.params["subsidy"] == "allowance" and result == pytest.approx(16.2)
    request, result = _calc(rules, "招3个硕士，安家补贴和生活补贴一共能拿多少")
    assert "subsidy" not in request.params and result == pytest.approx(31.2)


def test_tax_saving_request(rules: RuleSet) -> None:
    request, result = _calc(rules, "With annual taxable income of RMB 20 million, how much corporate income tax "
                                   "does the 15% rate save compared with 25%?", "en")
    assert request.kind == "incentive" and request.params == {"kind": "tax_saving", "taxable_income_wan": 2000,
                                                              "standard_rate": 0.25}
    assert result == 200
    _, result = _calc(rules, "年应纳税所得额2000万元，按15%税率比25%每年少缴多少企业所得税？")
    assert result == 200
    assert parse_calc_request("算一下15%的所得税优惠能省多少", places=sample_places()).missing == ("应纳税所得额",)


def test_rd_deduction_request(rules: RuleSet) -> None:
    request, result = _calc(rules, "An integrated-circuit company has RMB 10 million of expensed R&D costs. "
                                   "How much can it deduct in total before tax?", "en")
    assert request.params == {"kind": "rd_deduction", "rd_expense_wan": 1000, "industry": "集成电路"}
    assert result == 2200
    request, result = _calc(rules, "研发费用1000万元，税前能加计扣除多少？")
    assert "industry" not in request.params and result == 2000
    request, result = _calc(rules, "工业母机企业研发形成无形资产1000万元，能摊销多少")
    assert request.params["intangible"] is True and result == 2200


def test_the_industries_with_special_rd_rates_come_from_the_rules(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "rules", tmp_path / "rules")
    path = tmp_path / "rules" / "incentives.yaml"
    text, n = re.subn(r"(      industries:\n)(        - .*\n)+", r"\1        - {name: 生物医药, name_en: biomedical, "
                      r"aliases: [biopharma]}\n", path.read_text(encoding="utf-8"))
    assert n == 1
    path.write_text(text, encoding="utf-8")
    rules = RuleSet.load(tmp_path / "rules", CORPUS / "listings")
    request, result = _calc(rules, "生物医药企业研发费用1000万元，税前能加计扣除多少？")
    assert request.params["industry"] == "生物医药" and result == 2200
    request, result = _calc(rules, "A biopharma company has RMB 10 million of expensed R&D costs. "
                                   "How much can it deduct in total before tax?", "en")
    assert request.params["industry"] == "生物医药" and result == 2200
    assert "biomedical company" in run_calc_request(rules, request, "en").working[0]
    request, result = _calc(rules, "集成电路企业研发费用1000万元，税前能加计扣除多少？")
    assert "industry" not in request.params and result == 2000  # not listed in these rules


def test_employer_hiring_subsidy(rules: RuleSet) -> None:
    request, result = _calc(rules, "企业招一个硕士毕业生，单位能拿多少补贴？")
    assert request.params["subsidy"] == "hiring" and result == 2000
    calc = run_calc_request(rules, request, "zh")
    assert calc.unit == "元" and any("2,000 元/人 × 1 = 2,000 元" in line for line in calc.working)
    _, result = _calc(rules, "How much hiring subsidy does the employer get for 3 master's graduates?", "en")
    assert result == 6000



# ---------- Chinese numerals (read by cn2an): the readings the old hand-written reader got wrong ----------

def test_power_monthly_kwh_in_chinese_numerals(rules: RuleSet) -> None:
    request, result = _calc(rules, "10千伏，每月用电三万五千度，最大需量两千千瓦，电费多少？")
    assert request.params == {"voltage": "10kV", "kwh_total": 35_000, "max_demand_kw": 2000}  # was 30,000 kWh
    assert result == _calc(rules, "10千伏，每月用电35000度，最大需量2000千瓦，电费多少？")[1]
    assert parse_calc_request("每月用电三万五，电费多少", places=sample_places()).params["kwh_total"] == 35_000  # colloquial


def test_rent_relief_area_in_colloquial_numerals(rules: RuleSet) -> None:
    request, result = _calc(rules, "租两千五平米厂房，租金十四元/平米/月，能减免多少租金")
    assert request.params["area_m2"] == 2500 and request.params["rent_yuan_m2_month"] == 14  # was 2005 m2
    assert result == 2500 * 14 * (24 + 36 * 0.5)


def test_a_year_in_chinese_numerals_is_no_lease_term(rules: RuleSet, factories: list[Factory]) -> None:
    for text in ("F-001从二〇二六年起租，一年租金多少（不算减免）", "F-001从2026年起租，一年租金多少（不算减免）"):
        request = parse_calc_request(text, places=sample_places())
        assert request is not None and request.kind == "rent_cost", text
        assert request.params["months"] == 12, text  # was 72 (二〇二六 read as 6) and 24,312 (2026 years)
        assert run_calc_request(rules, request, "zh", factories).result == 4800 * 14 * 12


def test_land_area_with_a_decimal_chinese_numeral(rules: RuleSet) -> None:
    request, result = _calc(rules, "拿一点五万平方米的地，按288元/㎡")
    assert request.params == {"area_m2": 15_000, "price_yuan_m2": 288} and result == 432  # was 50,000 m2


def test_investment_in_colloquial_yi_stays_money(rules: RuleSet) -> None:
    request, _ = _calc(rules, "设备投资五千万元，固定资产投资三亿五，能拿多少补贴")
    assert request.params["equipment_investment_wan"] == 5000 and request.params["fixed_asset_investment_yi"] == 3.5
