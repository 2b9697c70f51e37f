"""Citations in English: a locator's articles and chapters in digits, a document number's year and number, a
Chinese name with no English one in Latin letters (the corpus's English for terms inside it, pinyin word by word
for the rest), and a source card of an English answer that holds no Chinese outside its hover text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.chat_types import Answer, SourceRef
from assistant.index.lexical import Tokenizer
from assistant.web.english import english_locator, english_name, number
from assistant.web.render import answer_html
from assistant.web.sources import SourceFiles

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.mark.parametrize(("locator", "english"), [
    ("第十二条", "Article 12"),
    ("第三章 第5条", "Chapter 3, Article 5"),
    ("第三条第二款", "Article 3, Paragraph 2"),
    ("第二十一条, pp.3-4", "Article 21, pp.3-4"),
    ("第八条、第九条、第四条", "Article 8, Article 9, Article 4"),
    ("第三章\u3000区级特色园区, p.3", "Chapter 3, p.3"),  # a numbered chapter's title: the number finds it
    ("第一百零五条", "Article 105"),
    ("第两节", "Section 2"),
    ("p.2，OCR识别", "p.2, OCR"),
    ("F-009", "F-009"),
    ("1. Overview / Land", "1. Overview / Land"),
    ("", ""),
])
def test_locators_read_in_english(locator: str, english: str) -> None:
    assert english_locator(locator) == english


def test_a_heading_without_a_number_is_named_in_latin_letters() -> None:
    assert english_locator("说明") == "Shuoming"
    assert english_locator("Listings / 说明") == "Listings / Shuoming"


def test_numbers_and_document_numbers() -> None:
    assert (number("十二"), number("05"), number("两"), number("二零二六")) == ("12", "5", "2", "2026")
    assert english_name("黔发改价格〔2023〕481号", Tokenizer().words) == "Qian Fagai Jiage [2023] No. 481"


def test_names_use_the_corpus_english_then_pinyin_word_by_word() -> None:
    words = Tokenizer(["贵安新区"]).words
    labels = {"贵安新区": "Gui'an New Area", "汽车": "automotive"}
    assert english_name("贵安新区数据中心优惠电价", words, labels) == "Gui'an New Area Shujuzhongxin Youhui Dianjia"
    assert english_name("贵安新区", words, labels) == "Gui'an New Area"
    assert english_name("两部制输配电价（示例）") == "Liangbuzhishupeidianjia (Shili)"  # no segmenter: one word a run
    assert english_name("Already English") == "Already English"


def test_english_cards_show_no_chinese_and_chinese_cards_keep_it() -> None:
    files = SourceFiles(Path("/corpus"), frozenset(), words=Tokenizer().words)
    sources = [SourceRef("某市支持措施", "第十二条, p.3", "第十二条 企业可获补贴。", page=3),
               SourceRef("某市支持措施", "第三章\u3000总则", "…", kind="rule")]
    english = answer_html(Answer("Companies get a subsidy [1][2].", "answered", "en", sources), files, "en")
    shown = re.sub(r'title="[^"]*"', "", english)
    heads = re.findall(r'<div class="zst-card-head">(.*?)</div>', shown)
    assert len(heads) == 2 and not [h for h in heads if CJK.search(h)], heads
    assert '<span class="zst-loc">Article 12, p.3</span>' in heads[0]
    assert 'title="某市支持措施"' in english and "Chinese document: Moushi Zhichi Cuoshi" in heads[0]
    assert ">Chapter 3</span>" in heads[1]
    chinese = answer_html(Answer("企业可获补贴[1]。", "answered", "zh", sources[:1]), files, "zh")
    assert "《某市支持措施》" in chinese and "第十二条, p.3" in chinese and "title=" not in chinese
