"""The answer-shape check of the quality benchmark (benchmarks/answer_shape.py), on hand-written answers."""

from __future__ import annotations

from benchmarks.answer_shape import (
    check_shape,
    figures,
    first_sentence,
    format_offenders,
    repeated_figures,
    split_sentences,
    summarise_shapes,
)
from benchmarks.eval_lib import Expectation


def _expect(**kw) -> Expectation:
    return Expectation(status=kw.pop("status", ("answered",)), **kw)


def test_sentences_split_in_both_languages_but_never_inside_a_number() -> None:
    assert split_sentences("贵安新区0.35元/kWh[1]。其他地区约0.5元/kWh[1]！") == [
        "贵安新区0.35元/kWh[1]。", "其他地区约0.5元/kWh[1]！"]
    assert split_sentences("Gui'an pays RMB 0.35/kWh [1]. Elsewhere about 0.5, e.g. in Kaiyang.") == [
        "Gui'an pays RMB 0.35/kWh [1].", "Elsewhere about 0.5, e.g. in Kaiyang."]


def test_first_sentence_skips_a_label_line_and_the_list_marker() -> None:
    assert first_sentence("测算过程：\n- 合计 = 632,000 元[1]\n（注：以上含示例数据，以主管部门最新发布为准。）") == \
        "合计 = 632,000 元[1]"
    assert first_sentence("Working:\n- Total = RMB 4.2 million[1]") == "Total = RMB 4.2 million[1]"
    assert first_sentence("## 电价\n贵安新区数据中心电价0.35元/kWh[1]。另有说明。") == "贵安新区数据中心电价0.35元/kWh[1]。"


def test_a_first_sentence_with_the_figure_passes() -> None:
    answer = "2025年贵阳贵安引进产业项目852个，合同投资额1891.33亿元[1]。其中重点项目……[1]。"
    result = check_shape(_expect(facts=("852", "1891.33")), answer, "answered")
    assert result.measured and result.first_holds and result.repeated == []


def test_a_figure_later_in_the_answer_does_not_count() -> None:
    answer = "Six channels of investment promotion[1]. They include fund-based promotion (基金招商)[1]."
    result = check_shape(_expect(any_of=(("fund", "基金招商"),)), answer, "answered")
    assert result.measured and not result.first_holds
    assert result.shape == "sentence without the asked figure"


def test_a_fact_with_a_unit_needs_the_unit() -> None:
    expect = _expect(any_of=(("9个月", "9 months"),))
    assert not check_shape(expect, "双英从考察到落地用时9周[1]。", "answered").first_holds
    assert check_shape(expect, "Shuangying took 9 months from visit to landing[1].", "answered").first_holds


def test_only_answered_questions_with_figures_are_measured() -> None:
    assert not check_shape(_expect(facts=("852",)), "抱歉，没有找到。", "no_answer").measured
    assert not check_shape(_expect(status=("no_answer",)), "抱歉。", "answered").measured
    assert not check_shape(_expect(), "好的。", "answered").measured  # nothing to look for


def test_figures_fold_units_across_languages_and_skip_years_and_voltage_classes() -> None:
    assert figures("合同投资额162.2亿元") == figures("contract investment of RMB 162.2 亿元") == {("162.2亿", "元")}
    assert figures("0.35元/kWh") == figures("RMB 0.35/kWh") == {("0.35", "元/kwh")}
    assert figures("2025年，10kV用户") == figures("10千伏（10kV）用户") == set()
    assert figures("年产4亿米") == {("4亿", "米")}


def test_a_fact_stated_twice_is_found_but_two_list_rows_are_two_subjects() -> None:
    twice = ("《工作要点》：2025年引进产业项目852个[1]。\n《工作要点》：指标 新引进产业项目 852个[2]。\n"
             "（注：以上含示例数据，以主管部门最新发布为准。）")
    assert repeated_figures(twice) == ["852个"]
    bilingual = "观山湖区合同投资额162.2亿元[1]。\nGuanshanhu signed RMB 162.2 亿元 of contracts[2]."
    assert repeated_figures(bilingual) == ["162.2亿元"]
    rows = "- 经开区：工业用地288元/㎡[1]\n- 综保区：工业用地288元/㎡[2]"
    assert repeated_figures(rows) == []
    assert repeated_figures("Gui'an pays RMB 0.35/kWh[1].\n(Includes sample data; RMB 0.35/kWh.)") == []


def test_summary_shares_and_offender_lines() -> None:
    expect = _expect(facts=("852",))
    checked = [("a", check_shape(expect, "引进项目852个[1]。", "answered")),
               ("b", check_shape(expect, "《要点》：第一条　全市招商……[1]。\n引进852个[1]。", "answered")),
               ("c", check_shape(expect, "引进852个[1]。\n共852个[2]。", "answered")),
               ("d", check_shape(expect, "抱歉。", "no_answer"))]
    summary = summarise_shapes(r for _, r in checked)
    assert (summary.measured, summary.first_holds, summary.repeats) == (3, 2, 1)
    assert summary.shapes == {"《title》: quoted passage": 1}
    lines = format_offenders(checked)
    assert len(lines) == 2 and lines[0].strip().startswith("b") and "stated twice: 852个" in lines[1]
