"""The shape of an extractive answer (issue 15): the sentence that answers first, each fact once, no inline
source notes or sample remarks, a quote in the other language after its figures in the reader's."""

from __future__ import annotations

from assistant.answering.composer import Picked, compose, pick_sentences, plain_sentence, sentences
from assistant.documents import Chunk
from assistant.index import Tokenizer

RULE = Chunk("policies/power.md", "第四条　数据中心用电执行0.35元/kWh的优惠电价；其他地区约0.5元/kWh。", "数据中心电价说明",
             article="第四条", sample=True)
TABLE = Chunk("rules/tariffs.yaml", "数据中心优惠电价0.35元/kWh，其他地区约0.5元/kWh（来源：《数据中心电价说明》第四条）。",
              "电价规则表", kind="rule", sample=True)
CONTEXT = Chunk("policies/plan.md", "新区建设国家级数据中心集聚区，已投运数据中心12个。", "新区规划")


def test_the_best_sentence_comes_first_and_each_fact_once() -> None:
    chunks = [CONTEXT, RULE, TABLE]
    picked = [Picked(0, 0, CONTEXT.text, 0.5), Picked(1, 0, RULE.text, 0.9), Picked(2, 0, TABLE.text, 0.8)]
    text, sources = compose(picked, chunks, "zh")
    first = text.splitlines()[0]
    assert first.startswith("数据中心用电执行0.35元/kWh")  # the best, without its article number
    assert "《" not in first and "第四条" not in first
    assert text.count("0.35") == 1  # the rule table restating the article is left out
    assert [s.doc_id for s in sources] == ["policies/power.md", "policies/plan.md"]
    assert text.rstrip().endswith("以主管部门最新发布为准。）")  # one sample note, at the end


def test_inline_source_and_sample_remarks_are_not_answer_content() -> None:
    assert plain_sentence(TABLE.text) == "数据中心优惠电价0.35元/kWh，其他地区约0.5元/kWh。"
    assert plain_sentence("工业用地价格288元/㎡（示例数据，以主管部门最新发布为准）。") == "工业用地价格288元/㎡。"
    assert plain_sentence("第十二条　贵阳市投资服务热线：0851-0000-0000。") == "贵阳市投资服务热线：0851-0000-0000。"


def test_a_source_line_alone_is_never_an_answer() -> None:
    """A sentence that only names its source holds a year and a document number, and answers nothing."""
    rule = Chunk("rules/incentives.yaml", "奖励资金按年度申报，企业在次年第二季度提交申报材料。"
                 "（来源：《观山湖区扶持办法》（观府办发〔2026〕7号）第六条）", "规则表", kind="rule")
    for question in ("观山湖区扶持办法第六条是什么？", "观山湖区的奖励什么时候申报？"):
        picked = pick_sentences(question, [rule], Tokenizer())
        assert not [p for p in picked if p.sentence.startswith("（来源")], question
    assert [p.sentence for p in picked] == ["奖励资金按年度申报，企业在次年第二季度提交申报材料。"]


def test_a_fact_in_the_readers_language_is_kept_over_the_same_in_the_other() -> None:
    english = Chunk("guide/en.md", "Data centres pay RMB 0.35/kWh, against about 0.5 elsewhere.", "Guide", language="en")
    picked = [Picked(0, 0, english.text, 0.9), Picked(1, 0, RULE.text, 0.8)]
    text, _ = compose(picked, [english, RULE], "zh")
    assert "优惠电价" in text and "Data centres pay" not in text


def test_a_chinese_quote_for_an_english_reader_opens_with_its_document_and_figures() -> None:
    text, _ = compose([Picked(0, 0, RULE.text, 0.9)], [RULE], "en", {"电价": "price of electricity"},
                      titles={RULE.doc_id: "Power Tariff Rules"})
    lines = text.splitlines()
    assert lines[0] == "From Power Tariff Rules (in Chinese) [1]: RMB 0.35/kWh; RMB 0.5/kWh"
    assert "(Terms: 电价 = price of electricity)" in text and text.index("Terms") > text.index("优惠电价")
    untitled, _ = compose([Picked(0, 0, RULE.text, 0.9)], [RULE], "en")
    assert untitled.startswith("From a Chinese-language document [1]: RMB 0.35/kWh")


def test_a_quote_without_figures_opens_with_its_document_only_and_says_nothing_was_restated() -> None:
    rule = Chunk("policies/steps.md", "企业提交入驻申请书和营业执照。", "入驻办法", language="zh")
    text, _ = compose([Picked(0, 0, rule.text, 0.9)], [rule], "en", titles={rule.doc_id: "Entry Measures"})
    assert text.splitlines()[0] == "From Entry Measures (in Chinese):"  # a label: the quote carries the [1]
    assert text.rstrip().endswith("(The Chinese passages are quoted as published.)") and "restated" not in text


def test_an_english_quote_for_a_chinese_reader_opens_with_its_document() -> None:
    guide = Chunk("guide/en.md", "Data centres pay RMB 0.35/kWh, against about 0.5 elsewhere.", "Power Guide",
                  language="en")
    text, _ = compose([Picked(0, 0, guide.text, 0.9)], [guide], "zh")
    assert text.splitlines()[0].startswith("据英文资料《Power Guide》[1]：") and "0.35元" in text.splitlines()[0]


def test_a_row_restating_the_answer_with_more_beside_it_is_left_out() -> None:
    guide = Chunk("guide/en.md", "Data centres in the new area pay RMB 0.35/kWh, against about RMB 0.5/kWh elsewhere.",
                  "Guide", language="en")
    row = Chunk("listings/parks.csv", "data centres in the new area pay 0.35 yuan/kWh (about 0.5 elsewhere); "
                "contact 0851-0000-0004.", "Park list", language="en", kind="listing")
    picked = [Picked(0, 0, guide.text, 0.9), Picked(1, 0, row.text, 0.8)]
    text, _ = compose(picked, [guide, row], "en")
    assert text.count("0.35") == 1 and "0851-0000-0004" not in text
    assert plain_sentence(row.text).startswith("Data centres")  # a row cut mid-sentence opens with a capital


def test_an_aside_in_brackets_is_never_cut_into_two_sentences() -> None:
    assert sentences("企业可申请补贴（条件：注册满一年。纳税正常）金额为50万元。第二句。") == [
        "企业可申请补贴（条件：注册满一年。纳税正常）金额为50万元。", "第二句。"]
    assert sentences("Firms get a rebate (see Art. 5. The cap applies) of 30%. The next one.") == [
        "Firms get a rebate (see Art. 5. The cap applies) of 30%.", "The next one."]
    # A bracket never closed holds only to the end of its line.
    assert sentences("未闭合（括号。后面的句子。\n新的一行。") == ["未闭合（括号。后面的句子。", "新的一行。"]
