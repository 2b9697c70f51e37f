"""ChatService end to end over a real index (Chroma + BM25) built from the sample corpus.

The fake embedder keeps this fast; dense quality is measured by benchmarks.quality with the real model."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from assistant import cli
from assistant.answering.grounding import ungrounded_numbers
from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.settings import ContactSettings, Settings
from assistant.text_input import EmptyQuestion
from tests.calc_support import two_district_rules
from tests.conftest import CORPUS, ROOT


@pytest.fixture(scope="module")
def chat_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("chat") / "data",
                        embeddings={"backend": "fake"}, retrieval={"today": date(2026, 11, 25)})
    IndexBuilder(settings).build()
    return settings


@pytest.fixture(scope="module")
def service(chat_settings: Settings) -> ChatService:
    return ChatService.from_settings(chat_settings)


def _grounded(answer) -> bool:
    evidence = [s.text for s in answer.sources] + [s.title for s in answer.sources] + answer.working
    return not ungrounded_numbers(answer.answer, evidence)


def test_park_land_price_is_cited_from_the_listing(service: ChatService) -> None:
    answer = service.ask("经开区工业用地价格是多少？")
    assert answer.status == "answered" and "288" in answer.answer
    assert any(s.locator == "P-01" for s in answer.sources)
    assert "示例数据" in answer.answer
    assert _grounded(answer)


def test_followup_switches_the_place(service: ChatService) -> None:
    service.ask("经开区工业用地价格是多少？", session_id="land")
    answer = service.ask("那开阳呢？", session_id="land")
    assert "144" in answer.answer and "288" not in answer.answer


def test_factory_search_and_rent_followup(service: ChatService) -> None:
    first = service.ask("经开区有没有3000平以上、层高8米以上的厂房出租", session_id="fac")
    ids = [row["id"] for row in first.table]
    assert "F-001" in ids and "F-002" not in ids  # F-002 has 5.5 m clear height
    rent = service.ask("租金多少？", session_id="fac")
    assert "14元/㎡·月" in rent.answer and rent.sources


def test_factory_search_finds_a_unit_listed_in_the_spreadsheet(service: ChatService) -> None:
    answer = service.ask("白云经开区有没有4000平米左右的厂房出租？")
    ids = [row["id"] for row in answer.table]
    assert ids == ["F-016"]  # F-012 (3000 ㎡, csv) is too small; F-019 (5000 ㎡, same sheet) is leased
    assert any(s.doc_id == "listings/factories-new-units.xlsx" and s.locator == "F-016" for s in answer.sources)


def test_leased_unit_is_reported_as_leased(service: ChatService) -> None:
    answer = service.ask("F-011 还能租吗")
    assert "F-011 已出租" in answer.answer
    assert all(row["id"] != "F-011" for row in answer.table)


def test_policy_answer_cites_article_and_page(service: ChatService) -> None:
    answer = service.ask("两免三减半是什么意思")
    assert answer.status == "answered"
    assert any("第四条" in s.locator for s in answer.sources)
    assert "[1]" in answer.answer and _grounded(answer)


def test_expired_tariff_is_never_cited(service: ChatService) -> None:
    answer = service.ask("10千伏两部制输配电价的电量电价是多少")
    assert "0.1238" in answer.answer and "0.1350" not in answer.answer
    assert all("superseded" not in s.doc_id for s in answer.sources)


def test_out_of_scope_and_no_answer_and_handoff(service: ChatService) -> None:
    assert service.ask("今天天气怎么样").status == "out_of_scope"
    missing = service.ask("贵阳到成都的高铁票价是多少")
    assert missing.status == "no_answer" and "0851-0000-0000" in missing.answer and missing.sources
    assert missing.handoff  # no answer offers a person: the widget opens its lead form
    person = service.ask("我想找人工咨询")
    assert person.handoff and "0851-0000-0000" in person.answer


def test_english_question_gets_english_framing(service: ChatService) -> None:
    answer = service.ask("What is the corporate income tax rate under the Western Development policy?")
    assert answer.language == "en" and "15%" in answer.answer
    assert answer.status == "answered"


def test_every_answer_is_number_grounded(service: ChatService) -> None:
    questions = ["峰谷电价时段怎么划分", "博士来贵阳有什么补贴", "观山湖区地方经济贡献奖励怎么算", "贵安新区数据中心电价",
                 "What incentives exist for R&D centres?", "可以买的厂房有哪些", "修文经开区的地价"]
    for question in questions:
        answer = service.ask(question)
        assert _grounded(answer), (question, answer.answer)
        assert not answer.notices, (question, answer.notices)


@pytest.mark.parametrize("question", ["", "   ", "\x1d", "\u200b", "\ufeff \t", "\x00"])
def test_empty_question_is_rejected(service: ChatService, question: str) -> None:
    with pytest.raises(EmptyQuestion):
        service.ask(question)
    with pytest.raises(EmptyQuestion):
        service.ask_stream(question)


@pytest.mark.parametrize("question", ["\x1d", "\u200b", "   ", ""])
def test_cli_refuses_an_empty_question_clearly(chat_settings: Settings, question: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", question, "--data-dir", str(chat_settings.data_dir), "--embedder", "fake"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "the question is empty" in captured.err and "Traceback" not in captured.err


def test_cli_jsonl_names_the_line_of_an_empty_question(chat_settings: Settings, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "a", "question": "\u200b\x1d"}) + "\n", encoding="utf-8")
    assert cli.main(["ask", "--jsonl", str(path), "--data-dir", str(chat_settings.data_dir), "--embedder", "fake"]) == 2
    assert f"{path}:1: the question is empty" in capsys.readouterr().err


def test_cli_json_and_jsonl(chat_settings: Settings, tmp_path: Path) -> None:
    base = [sys.executable, "-m", "assistant", "ask", "--data-dir", str(chat_settings.data_dir), "--embedder", "fake"]
    out = subprocess.run([*base, "经开区工业用地价格是多少？", "--json"], capture_output=True, text=True, cwd=ROOT,
                         check=True, timeout=120)
    obj = json.loads(out.stdout)
    assert {"answer", "status", "handoff", "language", "sources"} <= set(obj) and "288" in obj["answer"]
    lines = [{"id": "a", "question": "经开区工业用地价格是多少？", "session": "s"},
             {"id": "b", "question": "那开阳呢？", "session": "s"},
             {"id": "c", "question": "今天天气怎么样"}]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    out = subprocess.run([*base, "--jsonl", str(path)], capture_output=True, text=True, cwd=ROOT, check=True,
                         timeout=120)
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert "144" in rows[1]["answer"] and rows[2]["status"] == "out_of_scope"
    assert all(set(s) == {"title", "locator", "text"} for r in rows for s in r["sources"])


def test_answers_carry_their_topic(service: ChatService) -> None:
    assert service.ask("两免三减半是什么意思").topic == "factories"
    assert service.ask("经开区有没有3000平以上、层高8米以上的厂房出租").topic == "factories"
    assert service.ask("10千伏两部制输配电价的电量电价是多少").topic == "electricity"
    assert service.ask("今天天气怎么样").topic == ""


def test_a_figure_question_is_not_answered_with_sentences_that_hold_no_figure() -> None:
    from assistant.answering.checks import _figure_missing
    from assistant.answering.composer import Picked

    def picked(*texts: str) -> list[Picked]:
        return [Picked(0, i, t, 1.0) for i, t in enumerate(texts)]

    no_figure = picked("标准厂房交付即可投产。")
    assert _figure_missing("What is the water tariff for factories in Gui'an?", no_figure, "")
    assert _figure_missing("What's the fee per tonne at the treatment plant?", no_figure, "")
    assert not _figure_missing("标准厂房有什么好处？", no_figure, "")  # not asking for a figure
    only_in_passing = picked("上述测算不含契税、印花税等税费。", "工业用地出让年限最高50年。")
    assert _figure_missing("买工业用地契税税率是多少？", only_in_passing, "契税")
    assert not _figure_missing("买工业用地契税税率是多少？", picked("契税税率为3%（示例）。"), "契税")
    assert not _figure_missing("工业用地出让年限是多少？", only_in_passing, "")


def test_unit_followups_keep_the_unit_across_a_programme_question(service: ChatService) -> None:
    first = service.ask("贵安有没有适合做服务器组装的标准厂房？", session_id="unit-prog")
    assert "F-006" in first.answer
    relief = service.ask("这个租的话能免租金吗？", session_id="unit-prog")
    assert "两免三减半" in relief.answer  # the programme, not the unit's row again
    power = service.ask("它配电容量多少？我们大概要3000kVA左右", session_id="unit-prog")
    assert "3150" in power.answer and power.table and power.table[0]["id"] == "F-006"


def test_a_worded_differently_subject_is_answered_and_an_unknown_one_is_not(service: ChatService) -> None:
    assert service.ask("公司想从外地引进博士，贵阳给安家费吗？").status == "answered"  # 安家补贴 in the corpus
    assert service.ask("贵阳市对火星基地建设项目有什么补贴？").status == "no_answer"


def test_an_english_topic_the_corpus_names_in_no_language_is_unknown() -> None:
    from assistant.answering.glossary import unknown_english_topic
    from assistant.lexicon import load_lexicon

    corpus = "标准厂房租金每月16元；统筹用地、电力、天然气供给。Rent is 16 yuan."
    lexicon = load_lexicon(CORPUS)
    assert unknown_english_topic("What is the water tariff for factories?", corpus, lexicon) == "water tariff"
    assert unknown_english_topic("How many Fortune 500 firms are here?", corpus, lexicon) == "fortune 500"
    assert unknown_english_topic("What do factories pay for natural gas?", corpus, lexicon) == ""  # 天然气 is named
    assert unknown_english_topic("What is the rent of F-006?", corpus, lexicon) == ""  # named in English


def test_english_questions_on_topics_the_corpus_lacks_get_no_answer(service: ChatService) -> None:
    assert service.ask("How many Fortune 500 companies have invested in Guiyang?").status == "no_answer"
    assert service.ask("What is the rent of standard factories in Gui'an?").status == "answered"
    # A thing the corpus names in neither language, beside a place it knows (issue 14): not the park's rows.
    hotels = service.ask("Are there hotels near Longdongbao airport, and what do they cost?")
    assert hotels.status == "no_answer" and hotels.handoff
    assert "nothing on “hotels”" in hotels.answer  # what it lacks, not the airport some passage does name


def test_a_year_counts_when_the_answering_passage_or_its_date_names_it() -> None:
    from assistant.answering.checks import _other_year
    from assistant.answering.composer import Picked
    from assistant.documents import Chunk

    chunk = Chunk(doc_id="d", text="All-in energy price for a 10 kV user: RMB 0.562/kWh.", title="Guide",
                  effective="2026-08-01")
    picked = [Picked(0, 0, chunk.text, 1.0)]
    assert not _other_year("10 kV energy price since August 2026?", picked, [chunk])  # its date in force
    assert _other_year("10 kV energy price in 2027?", picked, [chunk])


def test_the_hand_over_line_is_the_hotline_article(service: ChatService) -> None:
    answer = service.ask("贵阳的工业用水多少钱一吨？")
    assert answer.status == "no_answer" and "投资服务热线" in answer.answer and "用电报装" not in answer.answer


# ---------- the hand-over contact: settings, else the corpus's service document ----------

SERVICE_DOC = """---
title: 示例市投资服务指南
issuer: 示例市投资促进局
doc_number: ""
topic: service
district: ""
effective: 2026-01-01
expires: ""
language: zh
sample: false
---
# 示例市投资服务指南

第一条　每个签约项目配备一名项目管家，负责政策解读、手续代办和问题协调，直至项目投产。

第二条　企业办理用电报装、用地手续等事项，可以通过项目管家或者投资服务热线0851-8123-4567预约，由园区协助整理材料。

第三条　示例市投资服务热线：0851-8123-4567。
"""
LAND_DOC = """---
title: 示例市工业用地指引
issuer: 示例市自然资源局
topic: land
effective: 2026-01-01
language: zh
---
# 示例市工业用地指引

第一条　工业用地出让年限最高50年，咨询电话0851-0000-0000。
"""
FAQ_DOC = """---
title: Example City Investor FAQ
issuer: Example City Investment Promotion Bureau
topic: service
effective: 2026-01-01
language: en
---
# Example City Investor FAQ

## How do I reach a person?

Ask the assistant for a project manager. The investment service line is 0851-8123-4567, e-mail invest@example.org.
"""


def test_the_hand_over_quotes_the_service_document_of_the_corpus(tmp_path: Path) -> None:
    """No number in the code: another corpus's service document gives its own hotline, and a number in a
    document about something else (land) is not the service line."""
    corpus = tmp_path / "corpus"
    (corpus / "policies").mkdir(parents=True)
    (corpus / "guide").mkdir()
    (corpus / "policies" / "service.md").write_text(SERVICE_DOC, encoding="utf-8")
    (corpus / "policies" / "land.md").write_text(LAND_DOC, encoding="utf-8")
    (corpus / "guide" / "faq.md").write_text(FAQ_DOC, encoding="utf-8")
    # the hand-over phrases are the corpus's lexicon: a city starts from the sample's
    (corpus / "lexicon.yaml").write_text((CORPUS / "lexicon.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    IndexBuilder(settings).build()
    service = ChatService.from_settings(settings)
    person = service.ask("我想找人工咨询")
    assert person.handoff and "示例市投资服务热线：0851-8123-4567" in person.answer
    assert "0851-0000-0000" not in person.answer and "用电报装" not in person.answer  # the article, not a mention
    assert [s.locator for s in person.sources] == ["第三条"] and _grounded(person)
    english = service.ask("I want to talk to a person")
    assert english.handoff and "0851-8123-4567, e-mail invest@example.org" in english.answer
    assert english.sources[0].title == "Example City Investor FAQ"


def test_the_hand_over_contact_comes_from_the_settings(chat_settings: Settings, service: ChatService) -> None:
    contact = {"name": "示例投资服务中心", "name_en": "Investment Service Centre", "hotline": "0851-8888-6666",
               "email": "invest@example.gov.cn", "office_hours": "工作日 9:00–17:30"}
    configured = ChatService(chat_settings.model_copy(update={"contact": ContactSettings(**contact)}), service.index)
    person = configured.ask("转人工")
    assert person.handoff and "0851-8888-6666" in person.answer and "invest@example.gov.cn" in person.answer
    assert "工作日 9:00–17:30" in person.answer and "0851-0000-0000" not in person.answer
    assert person.sources[0].kind == "contact" and person.sources[0].title == "招商服务联系方式"
    assert person.sources[0].locator == "示例投资服务中心" and not person.sources[0].sample
    assert "示例数据" not in person.answer and _grounded(person)
    question = "How many Fortune 500 companies have invested in Guiyang?"
    missing = configured.ask(question)
    assert missing.status == "no_answer" and "Investment Service Centre: phone 0851-8888-6666" in missing.answer
    assert missing.sources[0].title == "Investment service contact" and not missing.notices
    # Every number is the contact's or the question's own ("nothing on fortune 500").
    assert not ungrounded_numbers(missing.answer, [s.text for s in missing.sources] + [question])


def test_contact_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZST_CONTACT__HOTLINE", "0851-8888-6666")
    monkeypatch.setenv("ZST_CONTACT__EMAIL", "invest@example.gov.cn")
    contact = Settings().contact
    assert (contact.hotline, contact.email, contact.name) == ("0851-8888-6666", "invest@example.gov.cn", "")
    assert Settings.model_fields["contact"].default == ContactSettings()  # empty unless configured


def test_contact_details_are_found_by_their_form_not_by_one_number() -> None:
    from assistant.answering.contact import CONTACT

    for contact in ("0851-8123-4567", "0851-86123456", "(010) 6512-3456", "+86 13912345678", "400-123-4567",
                    "invest@example.gov.cn"):
        assert CONTACT.search(f"服务热线{contact}。"), contact
    for figure in ("2026-11-01", "0.562元/kWh", "RMB 2,400–14,400", "F-001", "150万元/亩", "20260101"):
        assert not CONTACT.search(figure), figure


def test_the_assistant_asks_for_the_district_when_the_rules_differ_by_district(
        chat_settings: Settings, service: ChatService, tmp_path: Path) -> None:
    asking = ChatService(chat_settings, service.index)
    asking.catalog = replace(asking.catalog, rules=two_district_rules(tmp_path))  # 观山湖区 and 白云区 rules
    question = asking.ask("每年地方经济贡献200万元，帮我算算能返多少", session_id="district")
    assert "还需要以下信息：企业所在区县（现有规则适用于：观山湖区、白云区）" in question.answer
    assert "420" not in question.answer and not question.working
    reply = asking.ask("白云区", session_id="district")  # the reply to the question back completes it
    assert "160" in reply.answer and "白云区测试办法" in reply.answer + str(reply.sources) and _grounded(reply)
    named = asking.ask("观山湖区新企业每年地方经济贡献200万元，帮我算算能返多少")
    assert "420" in named.answer and _grounded(named)
    english = asking.ask("Our local contribution is 2 million yuan a year. Calculate how much we would get back.")
    assert "the company's district (the rules cover 观山湖区, 白云区)" in english.answer
