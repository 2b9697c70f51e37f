"""Policy matching in the chat, over several turns in Chinese and English: the real ChatService over an index of
the sample corpus (fake embedder), as tests/test_chat.py builds it; and the reading of a profile from text."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.answering.grounding import ungrounded_numbers
from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.matching import profile_from_text
from assistant.settings import Settings
from tests.conftest import CORPUS, sample_places

ZH = "我们做锂电池正极材料，计划投资5亿元，用地80亩，年用电3000万度，招工300人，能享受哪些政策？"
EN = ("We make cathode materials, plan to invest RMB 500 million, 80 mu, 30 million kWh a year, 300 staff: "
      "what support can we get?")
# A reply to each kind of question the answer may close with.
REPLIES = {"zh": {"flag": "是的", "district": "观山湖区", "number": "20"},
           "en": {"flag": "yes", "district": "Guanshanhu", "number": "20"}}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> ChatService:
    settings = Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("match-chat") / "data",
                        embeddings={"backend": "fake"}, retrieval={"today": date(2026, 11, 25)},
                        match={"today": date(2026, 11, 30)})
    IndexBuilder(settings).build()
    return ChatService.from_settings(settings)


def _grounded(answer, said: list[str]) -> bool:
    """Every figure is cited, worked out, said by the visitor or in the name of a rule listed (the shared check,
    as the service runs it, leaves no notice)."""
    names = [line.split("：")[0].split(": ")[0] for line in answer.answer.splitlines() if line.startswith("- ")]
    evidence = [s.text for s in answer.sources] + [f"{s.title} {s.locator}" for s in answer.sources]
    return not answer.notices and not ungrounded_numbers(answer.answer, evidence + answer.working + said + names)


def _reply_to(fact: str, lang: str) -> str:
    kind = "district" if fact == "district" else "flag" if fact in (
        "registered_locally", "foreign_invested", "new_rd_institute") else "number"
    return REPLIES[lang][kind]


@pytest.mark.parametrize(("lang", "first", "land_rule", "total_word"), [
    ("zh", ZH, "工业用地地价款返还", "第一年估算支持合计"),
    ("en", EN, "Industrial land price rebate", "Estimated first-year support"),
])
def test_profile_over_several_turns(service: ChatService, lang: str, first: str, land_rule: str,
                                    total_word: str) -> None:
    session = f"match-{lang}"
    answer = service.ask(first, session_id=session)
    conv = service.conversations.get(session)
    assert answer.intents == ["match"] and answer.language == lang and answer.status == "answered"
    assert conv.profile["annual_kwh"] == 30_000_000 and conv.profile["jobs"] == 300  # a year's use, never a month's
    assert conv.profile["investment_yuan"] == 500_000_000 and conv.profile["land_mu"] == 80
    assert land_rule in answer.answer and total_word in answer.answer and "✓" in answer.answer
    assert "16,860,000" in answer.answer  # the power bill of 30 million kWh a year at 10 kV, not twelve of them
    assert "[1]" in answer.answer and answer.sources and answer.working
    assert not answer.notices and _grounded(answer, [first])
    asked = conv.profile_asked
    assert asked, "the answer closes with one question"
    assert ("还有一项信息" if lang == "zh" else "One fact would change this most") in answer.answer

    reply = _reply_to(asked, lang)
    second = service.ask(reply, session_id=session)
    assert second.intents == ["match"] and second.language == lang
    assert asked in conv.profile or asked.split(".")[-1] in (conv.profile.get("talents") or {})
    assert conv.profile["annual_kwh"] == 30_000_000  # the first turn's facts are kept
    assert not second.notices and _grounded(second, [first, reply])

    where = "我们选址在观山湖区" if lang == "zh" else "We will be in Guanshanhu"
    third = service.ask(where, session_id=session)
    assert third.intents == ["match"] and conv.profile["district"] == "观山湖区"
    assert ("观山湖区" in third.answer) and not third.notices

    other = service.ask("两免三减半是什么意思" if lang == "zh" else "What does 两免三减半 mean?", session_id=session)
    assert "match" not in other.intents and conv.profile["district"] == "观山湖区"  # kept for later


def test_a_power_bill_question_stays_a_calculation(service: ChatService) -> None:
    answer = service.ask("10千伏每月用电100万度，电费多少？", session_id="bill")
    assert "match" not in answer.intents and "calculation" in answer.intents
    assert not service.conversations.get("bill").profile


def test_a_reply_fills_the_asked_fact_first() -> None:
    places = sample_places()
    assert profile_from_text("5000万", places, asked="revenue_yuan") == {"revenue_yuan": 50_000_000}
    assert profile_from_text("300", places, asked="jobs") == {"jobs": 300}
    assert profile_from_text("是的", places, asked="registered_locally") == {"registered_locally": True}
    assert profile_from_text("No, it is not", places, asked="foreign_invested") == {"foreign_invested": False}
    assert profile_from_text("还没定", places, asked="district") == {"district": "open"}
    assert profile_from_text("5人", places, asked="talents.phd") == {"talents": {"phd": 5}}


@pytest.mark.parametrize(("text", "expected"), [
    (ZH, {"industry": "锂电池正极材料", "investment_yuan": 5e8, "land_mu": 80, "annual_kwh": 3e7, "jobs": 300}),
    (EN, {"industry": "cathode materials", "investment_yuan": 5e8, "land_mu": 80, "annual_kwh": 3e7, "jobs": 300}),
    ("…年用电3000万度（10千伏），招工300人…", {"annual_kwh": 3e7, "voltage_kv": 10, "jobs": 300}),
    ("每月用电100万度", {"annual_kwh": 1.2e7}),  # a month's use, counted twelve times
    ("we use 2 million kWh a month", {"annual_kwh": 2.4e7}),
    ("用地50亩，亩均投资300万，新增就业250人", {"land_mu": 50, "fixed_asset_investment_yuan": 1.5e8, "jobs": 250}),
    ("我们在观山湖区，是外资企业，计划招5名博士、20名硕士",
     {"district": "观山湖区", "foreign_invested": True, "talents": {"phd": 5, "master": 20}}),
    ("Revenue of 300 million yuan and R&D spend of 20 million", {"revenue_yuan": 3e8, "rd_spend_yuan": 2e7}),
])
def test_profile_from_text(text: str, expected: dict) -> None:
    assert profile_from_text(text, sample_places()) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # colloquial Chinese amounts, read by cn2an once the measure word is gone
    ("投资一个亿，招三百人，用地五十亩", {"investment_yuan": 1e8, "jobs": 300, "land_mu": 50}),
    ("计划投资两千万，年营业收入半个亿", {"investment_yuan": 2e7, "revenue_yuan": 5e7}),
    ("我们做锂电池正极材料，总投资五个亿", {"industry": "锂电池正极材料", "investment_yuan": 5e8}),
    # an English industry kept whole, to the next thing the sentence says
    ("We make cathode materials and separators for lithium batteries, investing RMB 500 million",
     {"industry": "cathode materials and separators for lithium batteries", "investment_yuan": 5e8}),
    ("We produce LFP cathode material and are considering Guiyang for a new plant",
     {"industry": "LFP cathode material"}),
    ("We're a 30-person electronics assembly start-up from Shenzhen", {"industry": "electronics assembly", "jobs": 30}),
    # figures named further off, a bare sum after RMB, a count named by its noun after it, floors times area
    ("Fixed-asset investment excluding land is RMB 60 million, we'll create 120 jobs and hire 5 PhDs",
     {"fixed_asset_investment_yuan": 6e7, "jobs": 120, "talents": {"phd": 5}}),
    ("a local economic contribution of about RMB 800,000 a year", {"local_contribution_yuan": 8e5}),
    ("rent two floors of unit F-004 (2 × 2,600 m²), 120 jobs",
     {"factory_m2": 5200, "factory_unit": "F-004", "jobs": 120, "site": "lease"}),
    # where it registers, a listing or centre planned, a capacity, a leading enterprise
    ("公司在观山湖区注册纳税，计划三年内到新三板挂牌，配电800千伏安",
     {"district": "观山湖区", "registered_locally": True, "listing_board": "neeq", "transformer_kva": 800}),
    ("We haven't registered a company in Guiyang yet", {"registered_locally": False}),
    ("我们是省级农业产业化龙头企业，准备首次申报省级企业技术中心",
     {"leading_enterprise": True, "rd_centre_level": "provincial"}),
])
def test_profile_words(text: str, expected: dict) -> None:
    assert profile_from_text(text, sample_places()) == expected


def test_a_question_is_no_answer_to_a_figure_asked() -> None:
    assert profile_from_text("两免三减半是什么意思", sample_places(), asked="talents.phd") == {}
