"""The place catalogue is derived from the corpus: the sample corpus's names, and a small corpus of an invented
city (云州: districts 青云区 / 临江县, park 青云高新园) that no line of code names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.listings import find_parks, parse_requirements, pinyin_forms
from assistant.settings import Settings
from assistant.validation import FACTORY_COLUMNS, PARK_COLUMNS
from tests.conftest import sample_places


def test_pinyin_forms() -> None:
    assert pinyin_forms("观山湖") == ("guanshanhu",)
    assert pinyin_forms("贵安") == ("guian", "gui'an")
    assert pinyin_forms("Kaiyang") == ()


def test_the_sample_catalogue_is_read_from_the_listings_and_lexicon() -> None:
    places = sample_places()
    assert {"经开区", "高新区", "观山湖区", "双龙航空港经济区", "清镇市"} <= set(places.districts())
    # 经开区 is the lexicon's short form of 经济技术开发区: it stays whole; the rest lose their generic endings.
    assert [places.stem(d) for d in ("经开区", "观山湖区", "贵安新区", "双龙航空港经济区", "开阳县")] == \
        ["经开区", "观山湖", "贵安", "双龙", "开阳"]
    # Pinyin is derived, not listed in the lexicon; sub-park names come from the factory rows' buildings.
    assert "观山湖" in places.normalise("land in Guanshanhu").split()
    assert "贵安" in places.normalise("Gui’an")
    assert places.resolve_park("沙文园区的地价").id == "P-02"
    assert places.park_words_in(places.normalise("小孟工业园有厂房吗")) == ("小孟工业园",)
    assert places.pattern is not None and places.pattern.search("factories in Xifeng")
    # A district's English name is the one a listing row gives it (parks' or factories' district_en).
    assert places.district_name("观山湖区", "en") == "Guanshanhu District"
    assert places.district_name("观山湖区", "zh") == "观山湖区"


# ---------- a corpus of another city ----------

def _doc(title: str, district: str, body: str) -> str:
    return (f"---\ntitle: {title}\nissuer: 云州市投资促进局\ndoc_number: \"\"\ntopic: land\ndistrict: {district}\n"
            f"effective: 2026-01-01\nexpires: \"\"\nlanguage: zh\nsample: true\n---\n# {title}\n\n{body}\n")


def _row(columns: tuple[str, ...], values: dict[str, str]) -> str:
    return ",".join(values.get(c, "") for c in columns)


def _other_city(root: Path) -> Path:
    corpus = root / "corpus"
    (corpus / "policies").mkdir(parents=True)
    (corpus / "listings").mkdir()
    (corpus / "policies" / "linjiang-land.md").write_text(_doc(
        "临江县工业用地出让价格公告", "临江县",
        "第一条　临江县工业用地出让参考价为每平方米260元。\n\n第二条　临江县对物流项目优先供地。"), encoding="utf-8")
    (corpus / "policies" / "qingyun-land.md").write_text(_doc(
        "青云区工业用地出让价格公告", "青云区",
        "第一条　青云区工业用地出让参考价为每平方米410元。\n\n第二条　青云高新园重点发展电子信息产业。"),
        encoding="utf-8")
    (corpus / "policies" / "wanghu-talent.md").write_text(_doc(  # a district only the documents name
        "望湖区人才公寓申请指南", "望湖区", "第一条　望湖区为引进人才提供人才公寓。"), encoding="utf-8")
    (corpus / "policies" / "yunzhou-service.md").write_text(_doc(
        "云州市投资服务指南", "", "第一条　云州市投资服务热线为0000-1111-2222，工作日受理企业咨询。"), encoding="utf-8")
    common = {"level": "省级", "contact": "0000-1111-2223", "sample": "true", "updated": "2026-01-01"}
    parks = [{"id": "P-01", "name": "云州市青云高新园", "name_en": "Qingyun Hi-tech Park", "district": "青云区",
              "leading_industries": "电子信息", "land_price_yuan_m2": "410", "land_price_wan_mu": "27.3", **common},
             {"id": "P-02", "name": "临江物流园", "name_en": "Linjiang Logistics Park", "district": "临江县",
              "leading_industries": "物流", "land_price_note": "按出让评估价执行", **common}]
    (corpus / "listings" / "parks.csv").write_text(
        ",".join(PARK_COLUMNS) + "\n" + "\n".join(_row(PARK_COLUMNS, p) for p in parks) + "\n", encoding="utf-8")
    units = [("F-001", "云州市青云高新园", "青云区", "A1厂房", "1500", "电子信息"),
             ("F-002", "云州市青云高新园", "青云区", "A2厂房", "800", "电子信息"),
             ("F-003", "临江物流园", "临江县", "B1仓库", "2000", "物流")]
    rows = [_row(FACTORY_COLUMNS, {"id": i, "park": p, "district": d, "building": b, "floor": "1F", "area_m2": a,
                                   "clear_height_m": "8", "floor_load_t_m2": "3", "power_kva": "630",
                                   "rent_yuan_m2_month": "12", "status": "for_rent", "industries": ind,
                                   "contact": "0000-1111-2223", "sample": "true", "updated": "2026-01-01"})
            for i, p, d, b, a, ind in units]
    (corpus / "listings" / "factories.csv").write_text(",".join(FACTORY_COLUMNS) + "\n" + "\n".join(rows) + "\n",
                                                       encoding="utf-8")
    (corpus / "lexicon.yaml").write_text(
        "home_places: [云州, yunzhou]\nsynonyms: {地价: [工业用地, 出让]}\nscope_words: [用地, 厂房, 地价, factory, land]\n"
        "industries: [{name: 电子, en: [electronic]}, {name: 物流, en: [logistic]}]\n"
        "handoff: [人工, 专人对接, 'talk to (a|someone)']\n", encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def other_city(tmp_path_factory: pytest.TempPathFactory) -> ChatService:
    root = tmp_path_factory.mktemp("other-city")
    settings = Settings(corpus_dir=_other_city(root), data_dir=root / "data", embeddings={"backend": "fake"},
                        retrieval={"today": date(2026, 11, 25)},
                        contact={"hotline": "0000-9999-8888", "email": "invest@yunzhou.example"})
    IndexBuilder(settings).build()
    return ChatService.from_settings(settings)


def test_the_catalogue_comes_from_the_other_corpus(other_city: ChatService) -> None:
    places = other_city.catalog.places
    assert set(places.districts()) == {"青云区", "临江县", "望湖区"}  # parks, factory rows, document metadata
    assert places.stem("临江县") == "临江"
    assert "青云高新园" in places.park_aliases(places.parks[0])  # the home region is stripped from the name
    # No row gives an English district name here: pinyin, in the match form's list too.
    assert places.district_name("临江县", "en") == "Linjiangxian"
    from assistant.web.ui_match import district_choices

    assert ("Linjiangxian", "临江县") in district_choices(other_city, "en")
    assert ("临江县", "临江县") in district_choices(other_city, "zh")


def test_a_place_followup_is_rewritten_to_the_other_place(other_city: ChatService) -> None:
    other_city.ask("临江县的工业用地多少钱？", session_id="land")
    other_city.ask("那青云区呢？", session_id="land")
    last = other_city.conversations.get("land").turns[-1]
    assert "青云区" in last.query and "临江" not in last.query


def test_english_and_pinyin_names_find_the_place(other_city: ChatService) -> None:
    places = other_city.catalog.places
    assert parse_requirements("any factory for rent in Linjiang?", places).districts == ("临江县",)
    assert [p.id for p in find_parks(places, "land price in Qingyun Hi-tech Park")] == ["P-01"]
    assert places.pattern is not None and places.pattern.search("What does land cost in Qingyun?")


def test_a_listing_filter_by_district_keeps_that_district(other_city: ChatService) -> None:
    answer = other_city.ask("青云区有没有1000平以上的厂房？")
    assert [row["id"] for row in answer.table] == ["F-001"]


def test_the_hand_over_uses_this_city_s_phrases_and_its_hotline_from_settings(other_city: ChatService) -> None:
    answer = other_city.ask("我想找人工咨询一下落户")
    assert answer.handoff and "0000-9999-8888" in answer.answer and "invest@yunzhou.example" in answer.answer
    assert "0000-1111-2222" not in answer.answer  # settings win over the corpus's service document
    english = other_city.ask("Can I talk to someone about a factory?")
    assert english.handoff and "0000-9999-8888" in english.answer


def test_a_name_inside_a_longer_one_is_no_mention_of_its_own() -> None:
    places = sample_places()
    # 白云经开区 holds 经开区, the other park's short name: it names Baiyun's park only.
    assert {p.district for p, _ in places.park_scores("白云经济开发区简介")} == {"白云区"}
    assert "经开区" in {p.district for p, _ in places.park_scores("经开区的工业用地参考价")}
    assert {p.district for p, _ in places.park_scores("经开区和白云经开区")} >= {"经开区", "白云区"}
