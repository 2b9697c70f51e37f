"""Bilingual answering: English questions reach Chinese passages and back, through a dictionary derived from the
corpus (CC-CEDICT, pinyin), traditional script read as simplified, language detected per chunk, and figures
restated in the reader's language. The corpus is an invented city's (云州), written for these tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.answering.grounding import ungrounded_numbers
from assistant.answering.service import ChatService
from assistant.answering.units import derived_numbers, figures_in_chinese, figures_in_english
from assistant.documents import Block, DocMeta
from assistant.index import Bilingual, Tokenizer
from assistant.index.bilingual import derived_stems
from assistant.ingest.builder import IndexBuilder
from assistant.ingest.chunking import chunk_blocks
from assistant.language import passage_language, to_simplified
from assistant.settings import Settings

# ---------- pieces ----------


def test_passage_language_reads_the_script_not_the_label() -> None:
    assert passage_language("The desk refunds 70% of course fees, up to RMB 4,500 (约4500元).") == "en"
    assert passage_language("工业用户电价为0.4321元/kWh，执行期RMB计价。") == "zh"
    assert passage_language("2026-03-01 / 0.4321", default="en") == "en"
    meta = DocMeta(doc_id="uploads/notes.md", title="notes")  # no language given: the label defaults to zh
    chunks = chunk_blocks(meta, [Block("Opening hours of the service desk are 9:00 to 17:00 on weekdays.")], 500)
    assert [c.language for c in chunks] == ["en"]


def test_traditional_script_is_searched_as_simplified() -> None:
    assert to_simplified("雲州港口物流園區") == "云州港口物流园区"
    tokenizer = Tokenizer()
    assert tokenizer.tokens("倉儲租金多少") == tokenizer.tokens("仓储租金多少")


def test_figures_are_restated_exactly() -> None:
    assert figures_in_english("工业电价0.4321元/千瓦时，需量电价28元/千瓦·月，自2026年3月1日起执行，期限3年。") == [
        "RMB 0.4321/kWh", "RMB 28/kW per month", "1 March 2026", "3 years"]
    assert figures_in_english("一次性安家补贴12万元，用地每亩21.5万元，合同额1200.5亿元。") == [
        "RMB 120,000", "RMB 215,000/mu", "RMB 120.05 billion"]
    assert figures_in_chinese("up to RMB 4,500 per person, or RMB 300 per month for 6 months; 70% refunded") == [
        "4500元", "300元/月", "6个月", "70%"]


def test_grounding_accepts_the_conversions_and_nothing_else() -> None:
    evidence = ["给予一次性安家补贴12万元；合同额1200.5亿元。"]
    assert derived_numbers(evidence) >= {"120000", "120050000000", "120.05"}
    assert ungrounded_numbers("A one-off RMB 120,000 (RMB 120.05 billion in contracts).", evidence) == []
    assert ungrounded_numbers("A one-off RMB 130,000.", evidence) == ["130000"]
    assert ungrounded_numbers("RMB 1.2 million", evidence) == ["1.2"]  # 12万 is not 1.2 million


def test_the_dictionary_keeps_only_the_corpus_terms() -> None:
    vocab = ["电价", "电力", "工业", "观山湖区", "开阳县", "补贴", "refund", "course", "fees", "mandarin"]
    bilingual = Bilingual.derive(vocab)
    tokens = Tokenizer().tokens("What is the industrial electricity price in Guanshanhu?")
    found = bilingual.translate("What is the industrial electricity price in Guanshanhu?", tokens, set(vocab))
    assert found["electricity"][0] == "电价" and found["price"][0] == "电价"  # the whole sense first
    assert "工业" in found["industrial"]
    assert found["guanshanhu"] == ("观山湖区",)  # a name through pinyin, never listed
    assert all(t in vocab for terms in found.values() for t in terms)  # nothing the corpus lacks
    back = bilingual.translate("补贴", ("补贴",), set(vocab))
    assert back == {}  # no English word of this corpus means 补贴
    assert bilingual.translate("退还", ("退还",), set(vocab)) == {"退还": ("refund",)}
    assert bilingual.gloss("电价", "electricity price") == "price of electricity"
    question = "What is Kaiyang's land price?"  # a possessive names the place too
    assert bilingual.translate(question, Tokenizer().tokens(question), set(vocab))["kaiyang"] == ("开阳县",)


def test_a_noun_made_from_a_verb_meets_the_verb_s_sense() -> None:
    assert derived_stems("application") == ("appli",)  # apply: 申请 "to apply for sth"
    assert derived_stems("extension") == ("extend",) and derived_stems("total") == ()  # too short to be derived
    bilingual = Bilingual.derive(["申请", "审核"])
    question = "How long does the review of an application take?"
    found = bilingual.translate(question, Tokenizer().tokens(question), {"申请", "审核"})
    assert "申请" in found.get("application", ())


def test_a_word_s_senses_are_ranked_by_the_company_they_keep(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    # 主管 and 电费 both stand for "charge" in the dictionary's sense lists; only 电费 keeps company with 需求.
    _doc(corpus / "policies" / "power.md", "云州电费说明", "zh", "electricity",
         "第一条　大工业用户按最大需求量缴纳基本电费，需求电费每千瓦每月35元。")
    _doc(corpus / "policies" / "office.md", "云州机构职责", "zh", "service",
         "第一条　市投资促进局主管招商工作。\n\n第二条　各区主管部门负责园区服务。")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    IndexBuilder(settings).build()
    index = ChatService.from_settings(settings).index
    found = dict(index._in_context({"demand": ("需求",), "charge": ("主管", "电费")}))
    assert found["charge"][0] == "电费"


# ---------- a corpus of an invented city, in two languages and two scripts ----------

def _doc(path: Path, title: str, language: str, topic: str, body: str, title_en: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    english = f"title_en: {title_en}\n" if title_en else ""
    path.write_text(f"---\ntitle: {title}\n{english}issuer: 云州市投资促进局\ntopic: {topic}\neffective: 2026-01-01\n"
                    f"language: {language}\nsample: true\n---\n{body}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def yunzhou(tmp_path_factory: pytest.TempPathFactory) -> ChatService:
    root = tmp_path_factory.mktemp("yunzhou")
    corpus = root / "corpus"
    _doc(corpus / "policies" / "power.md", "云州市工业用电价格说明", "zh", "electricity",
         "# 云州市工业用电价格说明\n\n云州市大工业用户的电度电价为0.4321元/千瓦时，需量电价为28元/千瓦·月，"
         "自2026年3月1日起执行。\n\n一般工商业用户按单一制电价执行。", title_en="Yunzhou Industrial Power Prices")
    _doc(corpus / "policies" / "talent.md", "云州市人才安家补贴办法", "zh", "talent",
         "# 云州市人才安家补贴办法\n\n对新引进的全职博士给予一次性安家补贴12万元，分3年发放。")
    _doc(corpus / "policies" / "warehouse.md", "雲州港口物流園區倉儲服務指引", "zh", "factories",
         "# 雲州港口物流園區倉儲服務指引\n\n雲州港口物流園區標準倉庫的倉儲租金為每月每平方米21元，冷庫另計。")
    _doc(corpus / "guide" / "expat-desk-en.md", "Yunzhou Expat Service Desk", "en", "service",
         "# Yunzhou Expat Service Desk\n\nThe desk refunds 70% of the fees of a Mandarin course, up to RMB 4,500 "
         "per person.\n\nThe desk is open on weekdays from 9:00 to 17:00.")
    (corpus / "lexicon.yaml").write_text(
        "home_places: [云州, yunzhou]\nscope_words: [电价, 补贴, 租金, 仓储, 课程, electricity, price, subsidy, "
        "course, fees, warehouse, rent]\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=root / "data", embeddings={"backend": "fake"},
                        retrieval={"today": date(2026, 11, 25)})
    IndexBuilder(settings).build()
    return ChatService.from_settings(settings)


def test_an_english_question_is_answered_from_a_chinese_passage(yunzhou: ChatService) -> None:
    answer = yunzhou.ask("What is the electricity price for large industrial users in Yunzhou?", lang="en")
    assert answer.status == "answered"
    assert answer.sources[0].doc_id == "policies/power.md"
    assert answer.answer.startswith("From Yunzhou Industrial Power Prices (in Chinese) [1]: RMB 0.4321/kWh")
    assert "RMB 0.4321/kWh" in answer.answer  # the figure in English…
    assert "0.4321元/千瓦时" in answer.answer  # …and the sentence quoted as published
    assert "price of electricity" in answer.answer or "electricity" in answer.answer.split("0.4321")[0]
    assert not answer.notices  # every number grounded


def test_a_chinese_question_is_answered_from_an_english_passage(yunzhou: ChatService) -> None:
    answer = yunzhou.ask("学普通话课程的费用能退还多少？", lang="zh")
    assert answer.status == "answered"
    assert answer.sources[0].doc_id == "guide/expat-desk-en.md"
    assert "70%" in answer.answer and "4500元" in answer.answer


def test_traditional_script_is_found_and_quoted_as_published(yunzhou: ChatService) -> None:
    answer = yunzhou.ask("云州港口物流园区的仓储租金是多少？", lang="zh")
    assert answer.status == "answered"
    assert answer.sources[0].doc_id == "policies/warehouse.md"
    assert "倉儲租金" in answer.answer and "21" in answer.answer  # the original script in the quote


def test_the_build_carries_its_dictionary(yunzhou: ChatService) -> None:
    assert yunzhou.index.languages == ("en", "zh")
    expansion = yunzhou.index.expand("housing subsidy for a PhD")
    assert "补贴" in expansion.translations["subsidy"]
    with pytest.raises(TypeError):
        expansion.translations["subsidy"] = ()  # type: ignore[index]  # cached: must not be changed by a caller


def test_a_word_the_dictionary_english_uses_is_no_romanised_name() -> None:
    senses = [(f"中文{i}", f"Chinese (language) {i}", ("chines",)) for i in range(3)] + [("隆欣", "Longxin", ("longxin",))]
    bilingual = Bilingual(senses)
    assert bilingual.is_english_word("Chinese")
    assert not bilingual.is_english_word("Longxin")  # in one sense only: a name


def test_an_english_word_the_dictionary_gives_for_chinese_nouns_is_a_noun() -> None:
    """Whether or not the corpus holds it: hotel (酒店, 宾馆) and paperwork (文牍) name things; roughly (大概) and
    want (想要) do not."""
    bilingual = Bilingual.derive(["电价"])
    assert bilingual.is_english_noun("hotels") and bilingual.is_english_noun("paperwork")
    assert not any(bilingual.is_english_noun(w) for w in ("roughly", "want", "soon", "the"))
    assert Bilingual().is_english_noun("hotels") is False  # a build from before knows no nouns


def test_a_sense_giving_a_verb_marks_the_english_word_a_verb() -> None:
    bilingual = Bilingual([("检查", "to check", ("check",)), ("初创", "startups", ("startup",))])
    assert bilingual.is_english_verb("check") and bilingual.is_english_verb("checks")
    assert not bilingual.is_english_verb("startups")


def test_one_year_is_restated_in_the_singular() -> None:
    from assistant.answering.units import figures_in_english

    assert figures_in_english("签订1年以上劳动合同") == ["1 year"]
    assert figures_in_english("连续发放3年") == ["3 years"]
    assert figures_in_english("在1个工作日内联系") == ["1 working day"]
    assert figures_in_english("3个工作日内接电") == ["3 working days"]
