"""A helper shared by the calculation tests (their fixtures `rules` and `factories` live in conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.calculators.requests import CalcRequest, parse_calc_request, run_calc_request
from assistant.calculators.rules import RuleSet
from tests.conftest import sample_places

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _calc(rules: RuleSet, text: str, lang: str = "zh", context: dict | None = None) -> tuple[CalcRequest, float | None]:
    request = parse_calc_request(text, lang, context, places=sample_places(), rules=rules)
    assert request is not None, text
    return request, run_calc_request(rules, request, lang).result


# A second contribution-return rule (白云区) beside the corpus's 观山湖区 one: the rules now differ by district.
BAIYUN_RULE = """\
  - id: baiyun-contribution-return
    name: 白云区新落户企业地方经济贡献奖励（测试规则）
    kind: contribution_return
    district: 白云区
    conditions: [新落户白云区的企业, 第1至2年按地方经济贡献的40%给予奖励]
    min_annual_contribution_wan: 20
    schedule:
      - {from_year: 1, to_year: 2, rate: 0.4}
    source: {title: 白云区测试办法, doc_number: "", article: 第一条}
    sample: true
"""


def two_district_rules(tmp_path: Path) -> RuleSet:
    """The corpus rules with a contribution-return rule for 白云区 as well as for 观山湖区."""
    rules_dir = tmp_path / "rules"
    shutil.copytree(CORPUS / "rules", rules_dir)
    path = rules_dir / "incentives.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\n# 背景信息")  # the end of the incentives list
    path.write_text(text[:at] + "\n" + BAIYUN_RULE + text[at:], encoding="utf-8")
    return RuleSet.load(rules_dir, CORPUS / "listings")
