"""The corpus validator names file, line and column for each fault staff can make."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.calculators.rule_files import load_rules_file, validate_rules_file
from assistant.calculators.schema import Incentives, RdSuperDeduction, Tariffs
from assistant.validation import (
    FACTORY_COLUMNS,
    PARK_COLUMNS,
    Problem,
    validate_factories_csv,
    validate_metadata,
    validate_parks_csv,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FACTORY_HEADER = ",".join(FACTORY_COLUMNS)
F1 = "F-001,贵阳经济技术开发区,经开区,小孟工业园3号厂房,1F,4800,9.0,5.0,1250,14,,for_rent,装备制造、汽车零部件,0851-0000-0001,已配10吨行车,true,2026-11-01"
F3 = "F-003,贵阳国家高新技术产业开发区,高新区,沙文园区A2栋,1F,2600,8.0,3.0,800,13,4800,for_rent_or_sale,电子信息,0851-0000-0002,,true,2026-11-01"
F11 = "F-011,息烽经济开发区,息烽县,J1厂房,1F,6500,10.0,3.0,1600,9,,leased,纺织、新材料,0851-0000-0009,已出租,true,2026-11-01"
PARK_HEADER = ",".join(PARK_COLUMNS)
P1 = "P-01,贵阳经济技术开发区,Guiyang ETDZ,经开区,国家级,先进装备制造、汽车零部件,288,19.2,示例,10kV,高速,0851-0000-0001,,true,2026-11-01"
P11 = "P-11,修文经济开发区,Xiuwen EDZ,修文县,省级,食品、医药,,,不高于20万元/亩（2020年）,10kV,高速,0851-0000-0011,,true,2026-11-01"


def write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_valid_factories_and_parks_have_no_problems(tmp_path: Path) -> None:
    assert validate_factories_csv(write(tmp_path, "listings/factories.csv", FACTORY_HEADER, F1, F3, F11)) == []
    assert validate_parks_csv(write(tmp_path, "listings/parks.csv", PARK_HEADER, P1, P11)) == []


def test_problem_str_names_file_line_and_column() -> None:
    problem = Problem("listings/factories.csv", 7, "area_m2", "not a number: 'abc'")
    assert str(problem) == "listings/factories.csv:7 [area_m2] not a number: 'abc'"
    assert str(Problem("rules/land.yaml", None, None, "top level must be a mapping")) == (
        "rules/land.yaml top level must be a mapping")


def test_missing_required_column_is_reported_on_the_header(tmp_path: Path) -> None:
    header = FACTORY_HEADER.replace(",status", "")
    row = F1.replace(",for_rent", "")
    problems = validate_factories_csv(write(tmp_path, "listings/factories.csv", header, row))
    assert Problem("listings/factories.csv", 1, "status", "missing required column") in problems


def test_non_numeric_area_names_line_and_column(tmp_path: Path) -> None:
    bad = F3.replace(",2600,", ",abc,")
    problems = validate_factories_csv(write(tmp_path, "listings/factories.csv", FACTORY_HEADER, F1, bad))
    assert [str(p) for p in problems] == ["listings/factories.csv:3 [area_m2] not a number: 'abc'"]


@pytest.mark.parametrize("value", ["nan", "1e3", "4,8OO", "4800㎡"])
def test_area_must_be_a_plain_number(tmp_path: Path, value: str) -> None:
    bad = F1.replace(",4800,", f',"{value}",')
    problems = validate_factories_csv(write(tmp_path, "listings/factories.csv", FACTORY_HEADER, bad))
    assert [(p.row, p.column) for p in problems] == [(2, "area_m2")]


def test_unknown_status(tmp_path: Path) -> None:
    bad = F1.replace("for_rent", "available")
    problems = validate_factories_csv(write(tmp_path, "listings/factories.csv", FACTORY_HEADER, bad))
    assert len(problems) == 1
    assert (problems[0].row, problems[0].column) == (2, "status")
    assert "unknown status 'available'" in problems[0].message


def test_duplicate_id_points_at_the_second_row(tmp_path: Path) -> None:
    dup = F3.replace("F-003", "F-001")
    problems = validate_factories_csv(write(tmp_path, "listings/factories.csv", FACTORY_HEADER, F1, F11, dup))
    assert [(p.row, p.column) for p in problems] == [(4, "id")]
    assert "duplicate id 'F-001' (first on line 2)" in problems[0].message


def test_bad_date_and_bad_sample_flag(tmp_path: Path) -> None:
    bad = F1.replace("true,2026-11-01", "yes,2026/11/01")
    problems = validate_factories_csv(write(tmp_path, "listings/factories.csv", FACTORY_HEADER, bad))
    assert {(p.row, p.column) for p in problems} == {(2, "sample"), (2, "updated")}


def test_line_numbers_follow_the_file_even_with_multiline_fields(tmp_path: Path) -> None:
    multiline = F1.replace("已配10吨行车", '"已配10吨行车\n第二行说明"')
    bad = F3.replace(",800,", ",lots,")
    problems = validate_factories_csv(write(tmp_path, "listings/factories.csv", FACTORY_HEADER, multiline, bad))
    assert [(p.row, p.column) for p in problems] == [(4, "power_kva")]


def test_sale_status_needs_a_sale_price(tmp_path: Path) -> None:
    bad = F3.replace(",4800,", ",,")
    problems = validate_factories_csv(write(tmp_path, "listings/factories.csv", FACTORY_HEADER, bad))
    assert [(p.row, p.column) for p in problems] == [(2, "sale_price_yuan_m2")]


def test_park_checks_level_price_consistency_and_note(tmp_path: Path) -> None:
    rows = [P1.replace("国家级", "市级"), P1.replace("P-01", "P-02").replace(",19.2,", ",20.5,"),
            P11.replace("不高于20万元/亩（2020年）", "")]
    problems = validate_parks_csv(write(tmp_path, "listings/parks.csv", PARK_HEADER, *rows))
    assert [(p.row, p.column) for p in problems] == [(2, "level"), (3, "land_price_wan_mu"), (4, "land_price_note")]


GOOD_META = {"title": "贵阳市工业用电价格政策解读", "issuer": "贵阳市发展和改革委员会", "topic": "electricity",
             "effective": "2026-08-01", "expires": "2030-12-31", "language": "zh", "sample": True}


def test_metadata_valid_and_each_fault() -> None:
    assert validate_metadata(GOOD_META, "policies/tariff.md") == []
    bad = {**GOOD_META, "topic": "weather", "language": "fr", "expires": "2020-01-01"}
    del bad["issuer"]
    problems = validate_metadata(bad, "/x/corpus/policies/tariff.md")
    assert {p.column for p in problems} == {"issuer", "topic", "language", "expires"}
    expiry = next(p for p in problems if p.column == "expires")
    assert str(expiry) == "policies/tariff.md [expires] expires 2020-01-01 is before effective 2026-08-01"


def test_metadata_bad_date_format() -> None:
    problems = validate_metadata({**GOOD_META, "effective": "2026/08/01"}, "guide/a.md")
    assert [(p.column, p.message) for p in problems] == [("effective", "bad date '2026/08/01' (use YYYY-MM-DD)")]


def test_metadata_english_title_is_optional_text() -> None:
    assert validate_metadata({**GOOD_META, "title_en": "Guiyang Industrial Electricity Prices Explained"}, "a.md") == []
    problems = validate_metadata({**GOOD_META, "title_en": ["not", "text"]}, "a.md")
    assert [p.column for p in problems] == ["title_en"]


TARIFFS = """\
meta:
  title: 电价规则表
  issuer: 筑商通知识库
  doc_number: ""
  topic: electricity
  effective: 2026-08-01
  expires: ""
  language: zh
  sample: true
time_of_use:
  source: {title: 分时电价通知, doc_number: 黔发改价格〔2023〕481号, article: 第二条}
  sample: false
  periods: {peak: ["10:00-13:00", "17:00-22:00"], flat: ["08:00-10:00"], valley: ["00:00-08:00"]}
  ratios: {peak: 1.6, flat: 1.0, valley: 0.4}
  non_floating_yuan_kwh: 0.025325
two_part_tariff:
  source: {title: 两部制输配电价通知, doc_number: 黔发改价格〔2026〕421号, article: 第一条}
  effective: 2026-08-01
  levels:
    - {voltage: 10kV, energy_yuan_kwh: 0.1238, demand_yuan_kw_month: 35, capacity_yuan_kva_month: 21.9, sample: false}
    - {voltage: 35kV, energy_yuan_kwh: 0.1097, demand_yuan_kw_month: 33, capacity_yuan_kva_month: 20.6, sample: false}
proxy_purchase: {price_yuan_kwh: 0.388997, month: 2025-12, sample: false, source: {title: 电价解读}}
line_loss_and_operation: {price_yuan_kwh: 0.023878, sample: true, source: {title: 电价解读}}
all_in_large_industry_10kv: {flat: 0.562, peak: 0.884, valley: 0.240, sample: true, source: {title: 电价解读}}
data_centre: {district: 贵安新区, price_yuan_kwh: 0.35, elsewhere_yuan_kwh: 0.5, sample: false, source: {title: 电价解读}}
residential_tiers:
  source: {title: 居民阶梯电价通知, doc_number: 黔发改价格〔2016〕1299号, article: 第二条}
  sample: false
  tiers:
    - {from_kwh_year: 0, to_kwh_year: 3000, price_yuan_kwh: 0.4556}
    - {from_kwh_year: 4700, to_kwh_year: null, price_yuan_kwh: 0.7556}
"""


def test_rules_file_valid_then_non_numeric_field_with_dotted_path_and_line(tmp_path: Path) -> None:
    assert validate_rules_file(write(tmp_path, "rules/tariffs.yaml", TARIFFS)) == []
    broken = TARIFFS.replace("energy_yuan_kwh: 0.1097", "energy_yuan_kwh: abc")
    problems = validate_rules_file(write(tmp_path, "rules/tariffs.yaml", broken))
    assert [str(p) for p in problems] == [
        "rules/tariffs.yaml:21 [two_part_tariff.levels[1].energy_yuan_kwh] not a number: 'abc'"]


def test_rules_meta_expiry_before_effective_and_missing_key(tmp_path: Path) -> None:
    broken = TARIFFS.replace('expires: ""', "expires: 2020-01-01").replace("  non_floating_yuan_kwh: 0.025325\n", "")
    problems = validate_rules_file(write(tmp_path, "rules/tariffs.yaml", broken))
    assert [(p.row, p.column) for p in problems] == [(7, "meta.expires"), (10, "time_of_use.non_floating_yuan_kwh")]


INCENTIVES = """\
meta: {title: 优惠政策规则表, issuer: 筑商通知识库, topic: incentives, effective: 2026-11-01, language: zh, sample: true}
incentives:
  - id: guanshanhu-contribution-return
    name: 新落户企业地方经济贡献奖励
    kind: contribution_return
    district: 观山湖区
    conditions: [年度地方经济贡献不低于50万元]
    min_annual_contribution_wan: 50
    schedule: [{from_year: 1, to_year: 3, rate: 0.5}, {from_year: 4, to_year: 5, rate: 0.3}]
    source: {title: 观山湖区招商引资优惠政策, doc_number: "", article: 第三条}
    sample: false
  - id: guanshanhu-contribution-return
    name: 重复
    kind: lottery_prize
    conditions: [无]
    source: {title: 无}
    sample: maybe
"""


def test_incentives_unknown_kind_duplicate_id_and_bad_flag(tmp_path: Path) -> None:
    problems = validate_rules_file(write(tmp_path, "rules/incentives.yaml", INCENTIVES))
    found = {(p.row, p.column) for p in problems}
    assert found == {(12, "incentives[1].id"), (14, "incentives[1].kind"), (17, "incentives[1].sample")}
    assert any("unknown incentive kind 'lottery_prize'" in p.message for p in problems)


def test_incentive_of_an_unknown_kind_is_named_with_file_and_line(tmp_path: Path) -> None:
    text = INCENTIVES.replace("kind: contribution_return", "kind: contribution_retrun")
    problems = validate_rules_file(write(tmp_path, "rules/incentives.yaml", text))
    assert "rules/incentives.yaml:5 [incentives[0].kind] unknown incentive kind 'contribution_retrun'" in map(
        str, problems)


def test_missing_field_of_one_kind_points_at_its_incentive(tmp_path: Path) -> None:
    # contribution_return needs min_annual_contribution_wan; other kinds do not, so only the kind's model knows.
    text = INCENTIVES.replace("    min_annual_contribution_wan: 50\n", "")
    problems = validate_rules_file(write(tmp_path, "rules/incentives.yaml", text))
    assert "rules/incentives.yaml:3 [incentives[0].min_annual_contribution_wan] missing required key" in map(
        str, problems)


def test_bad_time_period_names_file_line_and_position(tmp_path: Path) -> None:
    broken = TARIFFS.replace('flat: ["08:00-10:00"]', 'flat: ["8:00-10:00"]')
    problems = validate_rules_file(write(tmp_path, "rules/tariffs.yaml", broken))
    assert [str(p) for p in problems] == [
        "rules/tariffs.yaml:13 [time_of_use.periods.flat[0]] bad period '8:00-10:00' (use HH:MM-HH:MM)"]


def test_misspelt_key_is_unknown_and_the_key_it_meant_is_missing(tmp_path: Path) -> None:
    broken = TARIFFS.replace("  non_floating_yuan_kwh: 0.025325", "  non_floating_yuan_kwhh: 0.025325")
    problems = validate_rules_file(write(tmp_path, "rules/tariffs.yaml", broken))
    assert [str(p) for p in problems] == [
        "rules/tariffs.yaml:10 [time_of_use.non_floating_yuan_kwh] missing required key",
        "rules/tariffs.yaml:15 [time_of_use.non_floating_yuan_kwhh] unknown key 'non_floating_yuan_kwhh' "
        "(did you mean 'non_floating_yuan_kwh'?)"]


def test_misspelt_key_in_an_incentive_of_a_known_kind(tmp_path: Path) -> None:
    text = INCENTIVES.replace("    schedule: [", "    schedul: [")
    problems = validate_rules_file(write(tmp_path, "rules/incentives.yaml", text))
    assert {str(p) for p in problems if p.column and p.column.startswith("incentives[0]")} == {
        "rules/incentives.yaml:3 [incentives[0].schedule] missing required key",
        "rules/incentives.yaml:9 [incentives[0].schedul] unknown key 'schedul' (did you mean 'schedule'?)"}


def test_duplicate_voltage_and_bad_id(tmp_path: Path) -> None:
    broken = TARIFFS.replace("{voltage: 35kV,", "{voltage: 10kV,")
    problems = validate_rules_file(write(tmp_path, "rules/tariffs.yaml", broken))
    assert [str(p) for p in problems] == [
        "rules/tariffs.yaml:21 [two_part_tariff.levels[1].voltage] duplicate voltage '10kV'"]
    text = INCENTIVES.replace("id: guanshanhu-contribution-return\n    name: 新落户", "id: Guanshanhu_Return\n    name: 新落户")
    problems = validate_rules_file(write(tmp_path, "rules/incentives.yaml", text))
    assert "rules/incentives.yaml:3 [incentives[0].id] id 'Guanshanhu_Return' is not kebab-case" in map(str, problems)


def test_land_extra_top_level_key_must_be_a_note_section(tmp_path: Path) -> None:
    text = ("meta: {title: 用地规则表, issuer: 知识库, topic: land, effective: 2026-11-01, language: zh}\n"
            "mu_m2: 666.67\nmax_term_years: 50\n"
            "national_minimum_grades: {yuan_m2: [840, 720], source: {title: 标准}, sample: false}\n"
            "priority_floor_ratio: {ratio: 0.7, source: {title: 通知}, sample: false}\n"
            "guizhou_floor_ratio: {ratio: 0.5, source: {title: 政策}, sample: false}\n"
            "standard_land: {indicators: [容积率], note: 标准地出让, source: {title: 指引}, sample: true}\n"
            "flexible_term: {min_years: 10, source: {title: 指引}}\n")
    path = write(tmp_path, "rules/land.yaml", text)
    problems = validate_rules_file(path)
    assert [(p.row, p.column) for p in problems] == [(8, "flexible_term.note")]
    assert "read as a note section" in problems[0].message


def test_loading_an_invalid_rules_file_names_file_and_line(tmp_path: Path) -> None:
    broken = TARIFFS.replace('flat: ["08:00-10:00"]', 'flat: ["8:00-10:00"]')
    with pytest.raises(ValueError, match=r"rules/tariffs\.yaml:13 \[time_of_use\.periods\.flat\[0\]\] bad period"):
        load_rules_file(write(tmp_path, "rules/tariffs.yaml", broken), Tariffs)
    tariffs = load_rules_file(write(tmp_path, "rules/tariffs.yaml", TARIFFS), Tariffs)
    assert tariffs.two_part.level("35 kV").energy_yuan_kwh == 0.1097
    assert tariffs.time_of_use.periods["flat"] == ("08:00-10:00",) and tariffs.residential[-1].to_kwh_year is None


def test_unknown_rules_file_and_yaml_syntax_error(tmp_path: Path) -> None:
    assert "unknown rules file" in validate_rules_file(write(tmp_path, "rules/water.yaml", "a: 1"))[0].message
    problems = validate_rules_file(write(tmp_path, "rules/land.yaml", "meta: {title: x", "mu_m2: 666.67"))
    assert len(problems) == 1 and problems[0].row is not None and "does not parse" in problems[0].message


def test_land_rules_missing_grades(tmp_path: Path) -> None:
    text = ("meta: {title: 用地规则表, issuer: 知识库, topic: land, effective: 2026-11-01, language: zh}\n"
            "mu_m2: 666.67\nmax_term_years: 50\n"
            "priority_floor_ratio: {ratio: 0.7, year: 2009, source: {title: 通知}, sample: false}\n"
            "guizhou_floor_ratio: {ratio: half, source: {title: 政策}, sample: false}\n")
    problems = validate_rules_file(write(tmp_path, "rules/land.yaml", text))
    found = {(p.row, p.column) for p in problems}
    assert found == {(None, "national_minimum_grades"), (5, "guizhou_floor_ratio.ratio")}


@pytest.mark.parametrize("name", ["listings/factories.csv", "listings/parks.csv", "rules/tariffs.yaml",
                                  "rules/land.yaml", "rules/incentives.yaml"])
def test_real_corpus_files_validate_clean(name: str) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} not in the corpus yet")
    if name.endswith("factories.csv"):
        problems = validate_factories_csv(path)
    elif name.endswith("parks.csv"):
        problems = validate_parks_csv(path)
    else:
        problems = validate_rules_file(path)
    assert problems == [], "\n".join(map(str, problems))


RD_RULE = """\
meta: {title: 规则表, issuer: 知识库, topic: incentives, effective: 2026-11-01, language: zh}
incentives:
  - id: rd-super-deduction
    name: 研发费用税前加计扣除
    kind: rd_super_deduction
    conditions: [研发费用]
    rate: 1.0
    intangible_rate: 2.0
    from_year: 2023
    special:
      industries:
        - 集成电路
        - {name: 工业母机, name_en: industrial machine-tool, aliases: [machine tool]}
      rate: 1.2
      intangible_rate: 2.2
      from_year: 2023
      to_year: 2027
    source: {title: 指引}
    sample: false
"""


def test_special_industries_are_names_or_mappings_with_english_name_and_aliases(tmp_path: Path) -> None:
    path = write(tmp_path, "rules/incentives.yaml", RD_RULE)
    assert validate_rules_file(path) == []
    special = load_rules_file(path, Incentives).find(RdSuperDeduction).special
    assert special is not None and [i.name for i in special.industries] == ["集成电路", "工业母机"]
    assert special.industry("我们做集成电路设计") is special.industries[0]
    assert special.industry("a maker of Machine-Tools") is special.industries[1]  # an alias, any case, '-' = ' '
    assert special.industry("textiles") is None
    broken = RD_RULE.replace("name_en: industrial", "nmae_en: industrial")
    problems = validate_rules_file(write(tmp_path, "rules/incentives.yaml", broken))
    assert [str(p) for p in problems] == [
        "rules/incentives.yaml:13 [incentives[0].special.industries[1].nmae_en] unknown key 'nmae_en'"]
