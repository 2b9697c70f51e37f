"""benchmarks.match on a small golden file written here (the real one is written blind elsewhere): golden names are
matched to rules by document + article, and precision, recall and amounts are counted as its docstring says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import match as bench
from tests.conftest import CORPUS

LAND = "《贵阳市工业用地供应与地价政策指引》第八条 地价奖励"
GSH = "《观山湖区招商引资企业扶持办法》第三条 经济贡献奖励"
HIRING = "《贵阳市人才引进与服务保障若干措施（汇编）》第十四条 招用补贴"


def test_names_resolve_by_document_and_article() -> None:
    rules = bench.load_matcher(CORPUS).match(bench.COMPLETE).rules
    everything = rules + bench.load_matcher(CORPUS).match(bench.COMPLETE).not_applicable
    assert bench.resolve(LAND, everything) == {"guizhou-industrial-land-rebate"}
    assert bench.resolve("《贵阳市支持工业企业做大做强若干措施（汇编）》第十三条", everything) == {"western-development-cit"}
    assert bench.resolve("《贵阳市人才引进与服务保障若干措施（汇编）》", everything) == set()  # many rules cite it
    assert bench.resolve("地价奖励", everything) == set()
    assert bench.resolve("《小兰山数据标注基地简介》第五条 经济贡献奖励", everything) == {"guanshanhu-contribution-return"}
    assert bench.resolve("《小兰山数据标注基地简介》第五条 购房补贴", everything) == {"guanshanhu-talent-home-purchase"}
    # a condition's article names the rule when no citation does (第一条: the district the measures apply in)
    assert bench.resolve("《观山湖区招商引资企业扶持办法》第一条（企业在白云区）", everything) == {
        "guanshanhu-contribution-return"}
    tariff = "两部制输配电价 — 《贵州电网两部制输配电价有关事项的通知（摘编）》第四条；《另一文件》第三条"
    assert bench.cited(tariff) == [("贵州电网两部制输配电价有关事项的通知（摘编）", {"四"}), ("另一文件", {"三"})]
    assert not bench.cites(tariff, [("贵州电网两部制输配电价有关事项的通知（摘编）", {"三"})])
    assert bench.yuan("230.4万元") == [2304000.0] and bench.yuan(14000) == [14000.0]
    # the first sum of money, not the first figure
    assert bench.yuan("5年少缴租金1,512,000元（正常月租36,000元）") == [1512000.0]
    assert bench.yuan("extra deduction RMB 30 million; RMB 60 million in total") == [3e7]
    # a unit price is no sum; a sum a year is
    assert bench.yuan("电量电价0.1097元/kWh，需量电价33元/kW·月；输配电量电费约329.1万元/年") == [3291000.0]
    assert bench.yuan("RMB 0.35/kWh, about RMB 175 million a year") == [1.75e8]


def test_the_message_fills_only_what_the_golden_profile_leaves_unset() -> None:
    places = bench.load_matcher(CORPUS).rules.places
    golden = {"industry": "汽车零部件", "investment_yuan": 1.2e8, "equipment_investment_yuan": None,
              "talents": {"phd": 1}}
    message = "我们做汽车座椅，总投资2亿元，其中新购生产设备8000万元，引进博士3人、硕士4人。"
    merged, added = bench.with_message(golden, message, places)
    assert merged["investment_yuan"] == 1.2e8 and merged["equipment_investment_yuan"] == 8e7
    assert merged["talents"] == {"phd": 1, "master": 4} and merged["industry"] == "汽车零部件"
    assert sorted(added) == ["equipment_investment_yuan", "talents.master"]


def test_scores_a_golden_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = {"industry": "锂电池正极材料", "investment_yuan": 500000000, "land_mu": 80, "jobs": 300,
               "district": "开阳县", "talents": {"phd": 2, "master": 5}, "registered_locally": True}
    lines = [
        {"profile": profile, "must_match": [LAND, HIRING], "must_not_match": [GSH],
         "amounts": [{"incentive": LAND, "amount": "230.4万元", "working": "768 × 30%"},
                     {"incentive": HIRING, "amount": 14000, "working": "2000 × 7"},
                     {"incentive": HIRING, "amount": 99, "working": "wrong on purpose"}]},
        {"profile": {**profile, "district": "观山湖区"}, "must_match": [GSH, "《不存在的文件》第一条"]},
        {"profile": {"jobs": "many"}, "must_match": [LAND]},
        {"profile": {**profile, "company": "某新能源公司"}, "must_match": [LAND]},
    ]
    path = tmp_path / "profiles.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    assert bench.main(["--profiles", str(path), "--corpus", str(CORPUS), "--repeat", "5"]) == 0
    out = capsys.readouterr().out
    assert "golden profiles: 3 scored of 4" in out and "line 4: profile keys ignored: company" in out
    assert "recall (may apply):       0.800 (4/5)" in out  # the unknown document is a miss
    assert "precision (may apply):    1.000 (4/4)" in out
    assert "correct amounts:          0.667 (2/3)" in out
    assert "no rule found for golden name '《不存在的文件》第一条'" in out and "line 3: unreadable profile" in out
    assert "p95" in out


def test_tariffs_and_tiers_are_scored_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tariff = "10千伏两部制输配电价 — 《贵州电网两部制输配电价有关事项的通知（摘编）》第四条、第五条"
    profile = {"industry": "汽车零部件", "land_mu": 50, "jobs": 300, "annual_kwh": 3e7, "voltage_kv": 10,
               "district": "经开区", "registered_locally": True}
    lines = [{"profile": profile, "must_match": [LAND, tariff], "must_not_match": [LAND + "（20%档）"]},
             {"profile": {**profile, "annual_kwh": None}, "must_match": [tariff]}]
    path = tmp_path / "profiles.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    assert bench.main(["--profiles", str(path), "--corpus", str(CORPUS), "--repeat", "3"]) == 0
    out = capsys.readouterr().out
    assert "recall (may apply):       1.000 (1/1)" in out and "precision (may apply):    1.000 (1/1)" in out
    assert "tariffs priced as costs:  0.500 (1/2)" in out and "line 2: tariff not priced" in out
    assert "tiers of a must rule:     1" in out


def test_without_a_golden_file_it_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--profiles", str(tmp_path / "none.jsonl"), "--corpus", str(CORPUS), "--repeat", "3"]) == 0
    assert "does not exist" in capsys.readouterr().out
