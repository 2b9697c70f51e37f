"""How the support check reads a question beyond its subject: what it sets aside, the class it names by a figure
(35 kV), the month it asks about, a name written in capitals, a list asked for, a listing row's fields, and a
count read under its document's region. Invented places (北岸, 南岸) and words, written for these tests."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.answering.covers import make_covers
from assistant.answering.question_patterns import months_in, names_month
from assistant.answering.service import ChatService
from assistant.answering.support import SupportCheck
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings

DISTRICTS = {"北岸": "北岸区", "南岸": "南岸区", "north bank": "北岸区"}


def _districts(text: str) -> set[str]:
    return {d for word, d in DISTRICTS.items() if word in text.lower()}


def _check(words: dict[str, float]) -> SupportCheck:
    return SupportCheck(lambda text: [w for w in words if w in text.lower()], lambda t: words.get(t, 1.0), _districts,
                        min_subject=0.5, home=None)


def _everything(term: str) -> bool:
    return True


def test_what_a_question_sets_aside_is_neither_its_subject_nor_an_answer() -> None:
    check, covers = _check({"commercial": 3.0, "industrial": 3.0, "land": 1.0}), make_covers({})
    ask = check.read("What's the reference price for commercial (not industrial) land in North Bank?", _everything)
    assert "industrial" not in ask.subject and ask.negated == ("industrial",)
    row = "North Bank industrial land price: RMB 252/m2."
    assert not check.judge(ask, row, row, covers).ok  # the price of what was set aside
    both = "North Bank commercial land is priced at RMB 600/m2, industrial land at RMB 252/m2."
    assert check.judge(ask, both, both, covers).ok


def test_a_class_named_by_a_figure_must_be_the_sentence_s_own() -> None:
    check, covers = _check({"demand": 3.0}), make_covers({})
    ask = check.read("What's the demand charge for a 35 kV customer?", _everything)
    assert ask.qualifiers == ("35",)
    assert check.judge(ask, "At 10 kV the demand charge is RMB 35.", "At 10 kV the demand charge is RMB 35.",
                       covers).reason == "subject"  # another voltage's row, though "35" is in it
    assert check.judge(ask, "At 35 kV the demand charge is RMB 33.", "At 35 kV the demand charge is RMB 33.",
                       covers).ok
    low = check.read("0.4千伏接入的输配电价多少？", _everything)
    assert low.qualifiers == ("0.4",) and not check.judge(low, "10千伏电量电价0.1238元。", "", covers).ok


def test_a_month_asked_about_must_be_the_figure_s_month() -> None:
    assert months_in("What's the price for June 2026? And 2025年12月?") == [(2025, 12), (2026, 6)]
    assert names_month("代理购电价格（2025-12）0.388997元", 12) and not names_month("代理购电价格按月公布。", 6)
    check, covers = _check({"proxy": 3.0}), make_covers({})
    ask = check.read("What's the proxy purchase price for June 2026?", _everything)
    december = "The proxy purchase price for December 2026 was RMB 0.39/kWh."
    assert check.judge(ask, december, december, covers).reason == "year"
    # "What's the … price" asks for money: a sentence with none does not answer it.
    assert "money" in ask.kinds
    assert not check.judge(_check({"proxy": 3.0}).read("What's the proxy price?", _everything),
                           "Proxy prices are published monthly.", "", covers).ok


def test_a_year_or_a_list_s_lead_is_not_the_figure_asked_for() -> None:
    check, covers = _check({"目标": 3.0}), make_covers({})
    ask = check.read("人才目标是多少？", _everything)
    assert check.judge(ask, "2026年的目标如下：", "2026年的目标如下：", covers).reason == "figure"
    assert check.judge(ask, "2026年人才目标为15万人。", "2026年人才目标为15万人。", covers).ok


def test_a_list_asked_for_is_not_a_count() -> None:
    ask = _check({"条件": 3.0}).read("要满足哪几个条件？", _everything)
    assert "count" not in ask.kinds and ask.counted_noun == ""
    assert _check({"企业": 1.0}).read("入驻了多少家企业？", _everything).counted_noun == "企业"  # common, still counted


def test_a_name_in_capitals_must_be_named_by_the_passage() -> None:
    check, covers = _check({"office": 3.0, "rent": 2.0}), make_covers({})
    ask = check.read("How much is office rent per square metre in Lakeside Fund Town?", _everything)
    assert ask.titled == ("lakeside", "fund", "town")
    elsewhere = "Office floors at Hillside rent for RMB 35 per m2 a month."
    assert not check.judge(ask, elsewhere, elsewhere, covers).ok
    # A run of capitals that is a place the catalogue knows is checked as a place, not as a name.
    assert check.read("What is the land price in North Bank?", _everything).titled == ()


def test_in_a_listing_row_the_figure_is_in_the_field_that_names_the_subject() -> None:
    check, covers = _check({"保税仓库": 6.0}), make_covers({})
    ask = check.read("北岸的保税仓库仓储费每平米多少钱？", _everything)
    row = "P-03 北岸综保区；主导产业：保税加工；工业用地价格288元/㎡；物流：公共保税仓库齐备"
    assert check.judge(ask, row, row, covers).reason == "figure"
    priced = "P-04 北岸物流园；主导产业：仓储；保税仓库租金25元/㎡·月；物流：近机场"
    assert check.judge(ask, priced, priced, covers).ok


def test_a_count_reads_under_its_document_s_region() -> None:
    check = SupportCheck(lambda text: [], lambda t: 1.0, _districts, min_subject=0.5, home=re.compile("青溪"))
    ask = check.read("北岸2025年引进了多少个产业项目？", _everything)
    row = "2025年引进产业项目852个。"
    verdict = check.judge(ask, row, row, make_covers({}), title="青溪县2026年招商工作要点")
    assert verdict.reason == "place"


def test_a_second_piece_asking_another_kind_of_figure_is_a_question_of_its_own(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus" / "policies"
    corpus.mkdir(parents=True)
    (corpus / "school.md").write_text(
        "---\ntitle: 青溪县外籍人才子女入学服务说明\ntopic: talent\nlanguage: zh\n---\n\n"
        "# 青溪县外籍人才子女入学服务说明\n\n第一条　外籍人才子女就读国际学校的，学费补贴标准为每人每学年2.8万元，学费补贴按学年申请。\n\n"
        "第二条　学费补贴由用人单位统一申报，学费补贴资金按学年拨付到学校，学费补贴不直接发放给个人。\n\n"
        "第三条　同一子女最多享受4个学年。\n", encoding="utf-8")
    (tmp_path / "corpus" / "lexicon.yaml").write_text("home_places: [青溪]\nscope_words: [学费, 补贴]\n", encoding="utf-8")
    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    IndexBuilder(settings).build()
    service = ChatService.from_settings(settings)
    # The second piece has no subject of its own but asks another kind of figure: a question of its own, about
    # the first one's subject, asking only for a duration.
    questions = service.picker._questions("孩子上国际学校，学费补贴能补多少？能补几年？")
    assert [kinds for _, kinds in questions] == [None, ("duration",)]
    assert questions[1][0].endswith("能补几年？")
    # A piece that only narrows the one before ("每学年多少？") stays with it.
    assert len(service.picker._questions("学费补贴能补多少？每学年多少？")) == 1


def test_asking_at_what_point_in_the_year_asks_for_a_date() -> None:
    check, covers = _check({"claim": 3.0}), make_covers({})
    ask = check.read("At what point in the year do we file the claim?", _everything)
    assert ask.kinds == ("date",)
    yearly, quarter = "The claim pays RMB 1 million every year.", "The claim is filed in the second quarter."
    assert check.judge(ask, yearly, yearly, covers).reason == "figure"  # how often, not when
    assert check.judge(ask, quarter, quarter, covers).ok


def test_what_an_investment_total_was_asks_for_money() -> None:
    check, covers = _check({"investment": 3.0}), make_covers({})
    ask = check.read("What was North Bank's total contract investment from new projects in 2024?", _everything)
    assert ask.kinds == ("money",)
    months = "In 2024 the investment of one new project took 9 months from first visit to signing."
    assert check.judge(ask, months, months, covers).reason == "figure"  # a duration is no sum of money
    assert not check.read("What are the investment incentives for R&D centres?", _everything).kinds


def test_a_discount_is_answered_by_a_lower_price_or_a_share_off() -> None:
    check, covers = _check({"discount": 3.0, "electricity": 3.0}), make_covers({})
    ask = check.read("What discount do data centres get on electricity?", _everything)
    assert set(ask.kinds) == {"money", "percent"}
    price = "Data centres get a discount on electricity: RMB 0.35/kWh against RMB 0.5/kWh elsewhere."
    share = "Data centres get a discount of 30% on electricity."
    none = "Data centres get a discount on electricity from the grid company."
    assert check.judge(ask, price, price, covers).ok and check.judge(ask, share, share, covers).ok
    assert check.judge(ask, none, none, covers).reason == "figure"


def test_in_a_row_the_year_is_the_one_of_the_field_stating_the_figure() -> None:
    check, covers = _check({}), make_covers({})
    ask = check.read("北岸2024年一共引进了多少个产业项目？", _everything)
    row = "P-06 北岸汽车园（北岸区）；主导产业：汽车零部件；工业用地价格336元/㎡；备注：2025年全区新引进产业项目84个；座椅企业从2024年8月考察到落地"
    assert check.judge(ask, row, row, covers).reason == "year"  # 84 is 2025's, though the row names 2024


def test_a_figure_asked_about_a_company_is_stated_about_it() -> None:
    words = {"plant": 3.0}
    check = SupportCheck(lambda text: [w for w in words if w in text.lower()], lambda t: words.get(t, 1.0),
                         _districts, min_subject=0.5, corpus_word=lambda w: False)
    covers = make_covers({"huaxing": ("华星",)})
    ask = check.read("How much did Huaxing invest in its plant in North Bank?", _everything, lambda w: False)
    passage = "华星项目去年落地北岸。另一段：北岸园区工业用地价格336元/㎡，plant sites available."
    price = "北岸园区工业用地价格336元/㎡，plant sites available."
    assert check.judge(ask, price, passage, covers, before="华星项目去年落地北岸。另一段：" + "，" * 90).reason == "figure"
