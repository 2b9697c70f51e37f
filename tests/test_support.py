"""Knowing when not to answer: the support check, follow-ups that borrow a topic only when elliptical, and
intents taught by example phrasings. The corpus is an invented county's (青溪), written for these tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.answering.covers import make_covers
from assistant.answering.dialogue import Conversation, Turn, is_followup
from assistant.answering.intents import IntentExamples, Nearest
from assistant.answering.router import route
from assistant.answering.service import ChatService
from assistant.answering.support import SupportCheck
from assistant.index.embeddings import HashEmbeddings
from assistant.ingest.builder import IndexBuilder
from assistant.lexicon import Lexicon
from assistant.settings import Settings

# ---------- the check on its own ----------

DISTRICTS = {"北岸": "北岸区", "南岸": "南岸区", "north bank": "北岸区", "south bank": "南岸区"}


def _districts(text: str) -> set[str]:
    return {d for word, d in DISTRICTS.items() if word in text.lower()}


def _check() -> SupportCheck:
    rare = {"酒店": 6.0, "电价": 3.0, "项目": 2.5, "gas": 6.0, "revenue": 6.0}
    return SupportCheck(lambda text: [w for w in ("酒店", "电价", "项目", "gas", "revenue") if w in text.lower()],
                        lambda t: rare.get(t, 1.0), _districts, min_subject=0.5)


def _everything(term: str) -> bool:
    return True


def test_a_question_is_read_for_its_subject_figure_place_and_year() -> None:
    ask = _check().read("下个月去北岸考察，附近酒店一晚多少钱？", _everything)
    assert ask.subject == ("酒店",)  # the asking clause's noun, not the trip before it
    assert "money" in ask.kinds and ask.units == ("night",)
    assert ask.districts == {"北岸区"}
    assert _check().read("2024年引进了多少个项目？", _everything).years == ("2024",)
    assert _check().read("租标准厂房有租金优惠吗？", _everything).kinds == ()  # yes or no: no figure asked


def test_a_sentence_about_another_place_year_or_thing_does_not_answer() -> None:
    check, covers = _check(), make_covers({})
    place = check.read("北岸去年引进了多少个项目？", _everything)
    assert not check.judge(place, "南岸区引进项目84个。", "南岸区引进项目84个。", covers).ok
    assert check.judge(place, "北岸区引进项目52个。", "北岸区引进项目52个。", covers).ok
    assert not check.judge(place, "全县引进项目300个。", "全县引进项目300个。", covers).ok  # the county's figure
    policy = check.read("北岸有项目补贴吗？", _everything)
    assert check.judge(policy, "全县对新项目给予补贴。", "全县对新项目给予补贴。", covers).ok  # a county policy applies
    year = check.read("2024年引进了多少个项目？", _everything)
    verdict = check.judge(year, "全县引进项目300个。", "2025年 全县引进项目300个。", covers, before="2025年 ")
    assert verdict.reason == "year" and verdict.missing == "2024"
    hotel = check.read("北岸附近酒店一晚多少钱？", _everything)
    verdict = check.judge(hotel, "北岸区大工业电价0.45元/千瓦时。", "北岸区大工业电价0.45元/千瓦时。", covers)
    assert verdict.reason == "subject" and verdict.missing == "酒店"
    figure = check.read("北岸电价每吨多少钱？", _everything)
    assert check.judge(figure, "北岸区电价0.45元/千瓦时。", "北岸区电价0.45元/千瓦时。", covers).reason == "figure"


def test_an_equivalent_counts_for_the_subject() -> None:
    check = _check()
    ask = check.read("How much revenue did North Bank report?", _everything)
    assert not check.judge(ask, "North Bank had 52 projects.", "North Bank had 52 projects.", make_covers({})).ok
    covers = make_covers({"revenue": ("营业收入",)})  # a translation the corpus uses
    assert check.judge(ask, "北岸区营业收入52亿元。", "北岸区营业收入52亿元。", covers).ok


# ---------- the service on an invented county ----------

def _doc(path: Path, title: str, language: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\nissuer: 青溪县投资促进局\ntopic: overview\neffective: 2026-01-01\n"
                    f"language: {language}\nsample: true\n---\n{body}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def qingxi(tmp_path_factory: pytest.TempPathFactory) -> ChatService:
    root = tmp_path_factory.mktemp("qingxi")
    corpus = root / "corpus"
    _doc(corpus / "policies" / "results.md", "青溪县2026年招商工作要点", "zh",
         "# 青溪县2026年招商工作要点\n\n第一条　2025年，全县新引进产业项目312个，合同投资额486.5亿元。\n\n"
         "第二条　北岸区2025年新引进产业项目52个，合同投资额61.2亿元。\n\n"
         "第三条　北岸园区工业用地参考价为每平方米216元。\n\n第四条　南岸园区以食品加工为主导产业。")
    _doc(corpus / "policies" / "power.md", "青溪县工业用电说明", "zh",
         "# 青溪县工业用电说明\n\n第一条　北岸园区大工业用户电度电价为0.4512元/千瓦时。")
    (corpus / "listings").mkdir(parents=True)
    header = ("id,name,name_en,district,level,leading_industries,land_price_yuan_m2,land_price_wan_mu,"
              "land_price_note,power_supply,logistics,contact,notes,sample,updated")
    rows = ["P-01,北岸园区,North Bank Park,北岸区,省级,新材料,216,14.4,示例,10kV,公路,0000-0001,示例,true,2026-11-01",
            "P-02,南岸园区,South Bank Park,南岸区,省级,食品,168,11.2,示例,10kV,公路,0000-0002,示例,true,2026-11-01"]
    (corpus / "listings" / "parks.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    (corpus / "lexicon.yaml").write_text(
        "home_places: [青溪, qingxi]\nscope_words: [项目, 电价, 地价, 酒店, 用地, 投资, 园区]\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=root / "data", embeddings={"backend": "fake"},
                        retrieval={"today": date(2026, 11, 25)})
    IndexBuilder(settings).build()
    return ChatService.from_settings(settings)


def test_a_figure_of_the_right_year_and_place_is_answered(qingxi: ChatService) -> None:
    answer = qingxi.ask("2025年青溪一共引进了多少个产业项目？")
    assert answer.status == "answered" and "312" in answer.answer
    answer = qingxi.ask("北岸区2025年引进了多少个产业项目？")
    assert answer.status == "answered" and "北岸区2025年新引进产业项目52个" in answer.answer.split("\n")[0]


def test_another_year_is_declined_and_says_what_is_held(qingxi: ChatService) -> None:
    answer = qingxi.ask("2023年青溪一共引进了多少个产业项目？")
    assert answer.status == "no_answer"
    assert "312" not in answer.answer and "2023" in answer.answer.split("\n")[0]  # the line on what is held


def test_another_district_is_not_an_answer(qingxi: ChatService) -> None:
    answer = qingxi.ask("南岸区2025年引进了多少个产业项目？")  # 北岸's figure and the county's are not 南岸's
    assert answer.status == "no_answer" and "52" not in answer.answer and "312" not in answer.answer


def test_a_thing_the_corpus_lacks_near_a_place_it_has_is_declined(qingxi: ChatService) -> None:
    answer = qingxi.ask("去北岸园区考察，附近酒店一晚大概多少钱？")
    assert answer.status == "no_answer" and "0.4512" not in answer.answer and "216" not in answer.answer


def test_switch_off_restores_the_old_behaviour(qingxi: ChatService) -> None:
    loose = ChatService(qingxi.settings.model_copy(update={"answering": qingxi.settings.answering.model_copy(
        update={"support_check": False})}), qingxi.index)
    assert loose.ask("南岸区2025年引进了多少个产业项目？").status == "answered"  # what the check prevents


# ---------- conversations ----------

def _after(question: str) -> Conversation:
    return Conversation(turns=[Turn(question, question, ("policy",))])


def test_only_an_elliptical_turn_borrows_the_last_topic() -> None:
    conv = _after("What is the data-centre power price in Gui'an?")
    assert is_followup("And Xifeng?", conv)
    assert is_followup("那开阳呢？", conv)
    assert is_followup("What about it in Kaiyang?", conv)
    assert not is_followup("Are there any incentives for foreign R&D centres?", conv, has_subject=True)
    assert not is_followup("博士有安家补贴吗？", conv, has_subject=True)
    assert is_followup("这个多少钱？", conv)  # a pointer back, nothing of its own


def test_a_new_question_after_another_is_answered_on_its_own(qingxi: ChatService) -> None:
    first = qingxi.ask("北岸园区大工业电价多少？", session_id="s1")
    assert "0.4512" in first.answer
    second = qingxi.ask("北岸园区工业用地参考价是多少？", session_id="s1")
    assert "216" in second.answer and "0.4512" not in second.answer


# ---------- intents from examples ----------

def test_nearest_examples_vote_for_an_intent() -> None:
    embed = HashEmbeddings(256).embed_query
    examples = IntentExamples({"handoff": ["please let a person call me back", "I want to talk to a person"],
                               "policy": ["what is the land price in the park", "is there a rent subsidy"]},
                              embed, k=3)
    assert examples.nearest(embed("could a person call me back please")).intent == "handoff"
    assert examples.nearest(embed("what is the land price")).intent == "policy"
    assert IntentExamples({}, embed).nearest(embed("anything")) is None


def test_the_router_trusts_examples_only_above_their_threshold() -> None:
    lexicon = Lexicon(scope_words=("factory", "rent"))
    thresholds = {"handoff": 0.9, "policy": 0.85}
    plain = route("I would rather chat with your staff", lexicon)
    assert not plain.has("handoff")
    taught = route("I would rather chat with your staff", lexicon, nearest=Nearest("handoff", 0.93),
                   thresholds=thresholds)
    assert taught.has("handoff")
    assert not route("I would rather chat with your staff", lexicon, nearest=Nearest("handoff", 0.8),
                     thresholds=thresholds).has("handoff")
    question = "Which factory programme gives rent relief to new tenants?"
    assert route(question, lexicon).has("listing")  # the patterns alone read a unit search
    assert not route(question, lexicon, nearest=Nearest("policy", 0.9), thresholds=thresholds).has("listing")
    unit = "Which factory of 2000 m2 is for rent?"  # a unit requirement: a search whatever the examples say
    assert route(unit, lexicon, nearest=Nearest("policy", 0.95), thresholds=thresholds).has("listing")


def test_a_chinese_name_in_latin_letters_is_told_from_an_english_word() -> None:
    from assistant.language import is_pinyin

    assert is_pinyin("Shuangying") and is_pinyin("Longxin") and is_pinyin("Guanshanhu")
    assert not is_pinyin("Board") and not is_pinyin("Third") and not is_pinyin("NEEQ!") and not is_pinyin("Gui")


def _words_check(words: dict[str, float]) -> SupportCheck:
    return SupportCheck(lambda text: [w for w in words if w in text.lower()], lambda t: words.get(t, 1.0), _districts,
                        min_subject=0.5, english_word=lambda w: w.lower() == "chinese")


def test_the_noun_between_de_and_the_asking_words_must_be_in_the_passage() -> None:
    check, covers = _words_check({"物业": 6.0, "基地": 3.0, "兰溪": 3.0}), make_covers({})
    ask = check.read("兰溪基地的物业费怎么收？每平米每月多少", _everything)
    assert ask.head == "物业" and ask.subject  # the asking clause has no noun: the question sentence's are used
    rent = "兰溪基地办公楼，租金35元/㎡·月。"
    assert not check.judge(ask, rent, rent, covers).ok  # the base's rent is not its property fee
    fee = "兰溪基地物业费3元/㎡·月。"
    assert check.judge(ask, fee, fee, covers).ok
    # 的 ending a description, or 别的 (other), names no head
    assert check.read("做开发的基地，物业有优惠吗？", _everything).head == ""
    assert check.read("比别的基地能低多少？", _everything).head == ""
    assert check.read("兰溪基地的物业是什么？", _everything).head == ""  # its nature, in the passage's own words


def test_a_count_is_answered_by_a_number_of_the_thing_counted() -> None:
    check, covers = _words_check({"汽车": 3.0, "基地": 3.0}), make_covers({})
    ask = check.read("汽车基地去年产了多少辆车？", _everything)
    assert ask.counted == "辆"
    value = "汽车基地去年产值162.2亿元。"
    assert not check.judge(ask, value, value, covers).ok
    cars = "汽车基地去年产车12万辆。"
    assert check.judge(ask, cars, cars, covers).ok
    people = check.read("汽车基地有多少人？", _everything)
    staff = "汽车基地共有员工3000名。"
    assert check.judge(people, staff, staff, covers).ok  # 名 counts people as 人 does
    english = check.read("How many workers does the plant employ?", _everything)
    assert english.counted == "workers"
    output = "The plant makes 400 million metres a year."
    assert not check.judge(english, output, output, covers).ok
    row = "Unit F-7, 12000 m2, in the park where the plant's workers commute by shuttle bus."
    assert not check.judge(english, row, row, covers).ok  # workers named, but no figure counts them
    staff = "The plant employs 300 workers."
    assert check.judge(english, staff, staff, covers).ok
    assert check.read("How many days does approval take?", _everything).counted == ""  # a duration


def test_when_as_a_conjunction_asks_no_date() -> None:
    check = _words_check({})
    assert "date" in check.read("When will the subsidy be paid?", _everything).kinds
    assert "date" in check.read("For the reward, when in the year do we file the claim?", _everything).kinds
    assert "date" not in check.read("What sea bordered the empire when he died?", _everything).kinds
    assert "date" not in check.read("When prices rise, what is it called?", _everything).kinds


def test_an_english_word_that_reads_as_pinyin_is_no_name() -> None:
    check = _words_check({"longxin": 6.0, "chinese": 6.0})
    known = lambda w: True  # noqa: E731
    assert check.read("Which dynasties do the Chinese works date from?", _everything, known).names == ()
    assert check.read("How big is the Longxin plant?", _everything, known).names == ("longxin",)


def test_a_verb_and_the_asking_words_are_no_subject() -> None:
    words = {"check": 4.0, "bureau": 3.0, "startups": 5.0, "时候": 4.0, "材料": 3.0}
    check = SupportCheck(lambda text: [w for w in words if w in text.lower()], lambda t: words.get(t, 1.0), _districts,
                         min_subject=0.5, english_verb=lambda w: w == "check")
    ask = check.read("How long does the bureau take to check it?", _everything)
    assert ask.subject == ("bureau",)  # "to check": how it is asked
    assert "startups" in check.read("Does the rule apply to startups?", _everything).subject  # a noun after "to"
    assert check.read("上半年的货什么时候交材料？", _everything).subject == ("材料",)  # 时候 asks when


def test_a_word_jieba_guessed_from_characters_is_no_unknown_subject() -> None:
    from assistant.index.lexical import Tokenizer

    tokenizer = Tokenizer(["青溪工业园"])
    assert tokenizer.in_dictionary("政府") and tokenizer.in_dictionary("青溪工业园")
    assert not tokenizer.in_dictionary("拿块")  # 拿块工业用地: its model's guess, not a word


def test_a_message_asking_two_things_is_split_into_its_questions() -> None:
    from assistant.answering.question_patterns import split_questions

    assert split_questions("运费每公斤能补多少？一家企业一年最多补多少？") == ["运费每公斤能补多少？", "一家企业一年最多补多少？"]
    assert split_questions("How far is the zone from the airport, and how far from the port?") == [
        "How far is the zone from the airport", "how far from the port?"]
    assert split_questions("有没有英文电话？另外说明会几点开始？") == ["有没有英文电话？", "另外说明会几点开始？"]
    assert split_questions("经开区的工业用地参考价是多少？") == ["经开区的工业用地参考价是多少？"]
    assert split_questions("能补多少？吗？") == ["能补多少？吗？"]  # a piece too short to ask joins the one before


def test_a_place_named_to_compare_with_is_not_the_place_asked_about() -> None:
    check = _check()
    ask = check.read("Does North Bank return part of the tax like South Bank does, and at what rate?", _everything)
    assert ask.districts == {"北岸区"}
    assert _check().read("北岸有没有像南岸一样的电价补贴？", _everything).districts == {"北岸区"}
    assert _check().read("北岸和南岸的电价分别是多少？", _everything).districts == {"北岸区", "南岸区"}  # both asked


def test_a_count_of_a_noun_needs_a_figure_next_to_that_noun() -> None:
    words = {"产业项目": 4.0, "项目": 3.0}
    check, covers = _words_check(words), make_covers({})
    ask = check.read("2024年一共引进了多少个产业项目？", _everything)
    assert ask.counted_noun == "产业项目"
    assert check.judge(ask, "2024年共引进产业项目852个。", "2024年共引进产业项目852个。", covers).ok
    aside = "围绕龙头企业引进配套，2024年8月首次考察。"  # names the year and a figure, counts no project
    assert not check.judge(ask, aside, aside, covers).ok


def test_the_region_named_by_two_home_names_is_no_district() -> None:
    import re

    check = SupportCheck(lambda text: [], lambda t: 1.0, _districts, min_subject=0.5, home=re.compile("江城|南岸"))
    assert check.read("江城南岸2025年引进了多少个项目？", _everything).districts == frozenset()  # the whole region
    assert check.read("南岸引进了多少个项目？", _everything).districts == {"南岸区"}  # the district itself


def test_a_word_before_a_participle_describes_the_subject() -> None:
    words = {"government": 4.0, "factory": 4.0}
    check = _words_check(words)
    assert check.read("How much is a government-built factory?", _everything).subject == ("factory",)


def test_a_district_the_catalogue_does_not_know_must_be_named_by_the_passage() -> None:
    check = SupportCheck(lambda text: [], lambda t: 1.0, _districts, min_subject=0.5,
                         place_word=lambda w: w == "东湖区")
    covers = make_covers({})
    ask = check.read("东湖区有没有工业用地参考价？", _everything)
    assert ask.names == ("东湖区",)
    elsewhere = "工业用地参考价为144元/㎡。"
    assert not check.judge(ask, elsewhere, "西山开发区简介 " + elsewhere, covers).ok
    assert check.judge(ask, elsewhere, "东湖区 " + elsewhere, covers).ok
    assert check.read("Does Donghu District refund local tax?", _everything).names == ("donghu",)
    assert check.read("北岸区有没有参考价？", _everything).names == ()  # a district the check knows itself


def test_an_inline_citation_s_year_is_not_the_figure_s() -> None:
    check, covers = _check(), make_covers({})
    ask = check.read("2026年1月的代理购电价格是多少？", _everything)
    row = "代理购电价格（2025-12）0.388997元/kWh（来源：《电价政策解读（2026年版）》第五条）"
    assert check.judge(ask, row, row, covers).reason == "year"


def test_a_romanised_name_the_corpus_never_uses_must_still_be_named() -> None:
    words = {"plant": 3.0}
    check = SupportCheck(lambda text: [w for w in words if w in text.lower()], lambda t: words.get(t, 1.0),
                         _districts, min_subject=0.5, corpus_word=lambda w: False)
    # A company the knowledge base knows nothing of: no passage names it, so none answers for it.
    assert check.read("How big is the Huaxing plant?", _everything, lambda w: False).names == ("huaxing",)


def test_a_figure_is_stated_about_the_subject_not_beside_it() -> None:
    words = {"尼龙": 6.0, "项目": 3.0}
    check, covers = _words_check(words), make_covers({})
    ask = check.read("息烽的尼龙项目投资了多少钱？", _everything)
    passage = "息烽开发区工业用地参考价144元/㎡。另有尼龙项目已落地。"
    price = "息烽开发区工业用地参考价144元/㎡。"
    assert check.judge(ask, price, passage, covers).reason == "figure"  # the passage names it, the figure is not its
    stated = "尼龙项目投资4亿元。"
    assert check.judge(ask, stated, passage + stated, covers).ok


def test_a_unit_field_asked_about_something_else_is_a_new_question() -> None:
    asked = "Any factories of about 2000 m2 for rent?"
    conv = Conversation(turns=[Turn(asked, asked, ("listing",), factory_ids=("F-001", "F-002"))])
    subject_of = lambda text: "data-centre" in text  # noqa: E731
    assert is_followup("What is the power capacity?", conv, subject_of=subject_of)  # the units' field
    assert not is_followup("What is the data-centre power price?", conv, has_subject=True, subject_of=subject_of)
