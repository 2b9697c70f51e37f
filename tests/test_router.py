import pytest

from assistant.answering.router import Route
from assistant.answering.router import route as route_with
from assistant.language import detect_language
from assistant.lexicon import load_lexicon
from tests.conftest import CORPUS, sample_places

LEXICON = load_lexicon(CORPUS)


def route(text: str, **kwargs: bool) -> Route:
    """The router with the sample corpus's lexicon (its scope, off-topic, hand-over and other-city words) and its
    place catalogue's names, as ChatService calls it."""
    return route_with(text, LEXICON, places=sample_places().pattern, **kwargs)


@pytest.mark.parametrize("text,lang", [("经开区地价多少", "zh"), ("What is the land price?", "en"),
                                       ("F-006 rent?", "en"), ("10kV电价", "zh")])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["今天天气怎么样", "帮我写一首诗", "推荐几只股票", "Tell me a joke", "北京房价多少"])
def test_off_topic_is_out_of_scope(text: str) -> None:
    assert route(text).intents == ("out_of_scope",)


@pytest.mark.parametrize("text", ["我想找人工咨询", "能不能转人工", "I want to talk to a person", "请项目管家联系我"])
def test_requests_for_a_person(text: str) -> None:
    assert route(text).has("handoff")


def test_listing_and_policy_and_smalltalk() -> None:
    assert route("经开区有没有3000平的厂房").has("listing")
    assert route("两免三减半是什么意思").intents == ("policy",)
    assert route("你好").intents == ("smalltalk",)
    assert route("电费怎么算", is_calculation=True).has("calculation")


def test_domain_detection() -> None:
    assert route("贵阳到成都高铁票价").in_domain
    assert not route("What is the capital of France?").in_domain


def test_power_price_question_mentioning_the_plant_is_not_a_factory_search() -> None:
    r = route("We'd run two shifts at the plant. Which hours count as peak for industrial power in Guizhou?")
    assert "listing" not in r.intents and "policy" in r.intents
    assert "listing" in route("Which plant is available for rent near the airport?").intents


def test_sports_and_writing_requests_are_out_of_scope() -> None:
    assert route("who won the champions league final this year?").intents == ("out_of_scope",)
    assert route("帮我写一段公司年会的开场白，要幽默一点").intents == ("out_of_scope",)


@pytest.mark.parametrize("text", ["贵安新区有哪些产业园？", "哪些园区适合做锂电池？", "介绍一下高新区",
                                  "Which of the parks on your list are national-level ones?", "What parks are there?"])
def test_questions_asking_for_parks_get_the_parks(text: str) -> None:
    assert "park" in route(text).intents


@pytest.mark.parametrize("text", ["Which big bank already has a cloud data centre industrial park in Gui'an New Area?",
                                  "开阳经开区有哪些企业？"])
def test_a_question_asking_for_something_in_a_park_is_not_a_park_list(text: str) -> None:
    assert route(text).intents == ("policy",)
