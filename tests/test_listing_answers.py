"""Listing answers in one language, repeating only what the visitor asked (issue 15): English park, district,
building and status names (the listings' English columns, pinyin when a row has none), and an 'about' figure
said as asked with its tolerance in words. Real listings, place catalogue and answer parts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answering.catalog import Catalog, joined
from assistant.answering.grounding import ungrounded_numbers
from assistant.answering.listing_parts import factory_part, park_part
from assistant.ingest import load_file
from assistant.ingest.chunking import chunk_blocks
from assistant.language import romanise
from assistant.lexicon import load_lexicon
from assistant.listings import (
    SAMPLE_EN,
    Asked,
    describe,
    load_factories,
    load_parks,
    parse_requirements,
    search_factories,
)
from assistant.settings import Settings
from assistant.validation import FACTORY_COLUMNS, PARK_COLUMNS
from tests.conftest import sample_places

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
LISTINGS = CORPUS / "listings"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(load_factories(LISTINGS / "factories.csv"), load_parks(LISTINGS / "parks.csv"), None, {},
                   sample_places())


def test_about_an_area_is_kept_as_asked() -> None:
    q = parse_requirements("想找2000㎡左右的厂房", sample_places())
    assert q.asked == (Asked("area", "about", 2000),)
    assert (q.min_area, q.max_area) == (1600, 2400)  # the search widens it; the answer says so in words


def test_a_near_miss_names_the_request_never_the_widened_limit(catalog: Catalog) -> None:
    query = parse_requirements("经开区2000平左右的厂房", catalog.places)
    result = search_factories(catalog.factories, query, catalog.places)
    reasons = [m for alt in result.nearest for m in alt.misses if m.constraint in ("min_area", "max_area")]
    assert reasons
    for miss in reasons:
        assert "要求的2400" not in miss.zh and "要求的1600" not in miss.zh
        assert "约2000㎡上下浮动20%即1600–2400㎡" in miss.zh
        assert "about 2000 m2 ±20%, i.e. 1600–2400 m2" in miss.en


@pytest.mark.parametrize(("text", "lang", "said"), [
    ("经开区2000平左右的厂房", "zh", "面积约2000㎡，按上下浮动20%即1600–2400㎡查找"),
    ("想找2000㎡左右的厂房", "zh", "面积约2000㎡，按上下浮动20%即1600–2400㎡查找"),
    ("a factory of about 2000 sqm in the ETDZ", "en", "area about 2000 m2: units between 1600 and 2400 m2, ±20%"),
    ("rent about 12 yuan, in Kaiyang", "en", "rent about 12 yuan/m2/month: up to 14.4 yuan/m2/month, +20%"),
])
def test_the_answer_says_the_tolerance_in_words(catalog: Catalog, text: str, lang: str, said: str) -> None:
    part = factory_part(text, catalog, lang)
    assert part is not None
    head = part.text.splitlines()[0]
    assert said in head
    assert not re.search(r"要求的(?:1600|2400)|(?:below|above) the (?:1600|2400)", part.text)  # no widened limit


@pytest.mark.parametrize(("text", "lang"), [("经开区2000平左右的厂房", "zh"), ("a factory of about 3000 sqm", "en")])
def test_the_widened_search_is_the_answer_s_working_so_its_figures_are_grounded(catalog: Catalog, text: str,
                                                                               lang: str) -> None:
    part = factory_part(text, catalog, lang)
    assert part is not None and part.working
    rows = [describe(f, lang) for f in catalog.factories if f.id in part.factory_ids] + [text]
    assert ungrounded_numbers(part.text, rows + part.working) == []
    assert {"20"} < set(ungrounded_numbers(part.text, rows))  # the range is ours, not a row's


def test_a_stated_minimum_is_repeated_as_given(catalog: Catalog) -> None:
    part = factory_part("我要2万平的厂房", catalog, "zh")
    assert part is not None and "低于要求的20000㎡" in part.text and "按" not in part.text.splitlines()[0]


def test_english_listing_answers_have_no_chinese_names(catalog: Catalog) -> None:
    for question in ("Any factories for rent in Guanshanhu?", "a factory of about 2000 sqm in the ETDZ",
                     "standard factories in Gui'an with a clear height of at least 10 m"):
        part = factory_part(question, catalog, "en")
        assert part is not None and part.table
        assert not CJK.search(part.text), part.text
        for row in part.table:
            assert not any(CJK.search(str(row[k])) for k in ("park", "district", "building", "status")), row
        # Sample rows are labelled once, by the answer's badge and note, not row by row.
        assert part.sample and SAMPLE_EN not in part.text
    guanshanhu = factory_part("Any factories for rent in Guanshanhu?", catalog, "en")
    assert guanshanhu is not None and guanshanhu.table[0]["district"] == "Guanshanhu District"
    assert "office floors" in guanshanhu.text  # F-015's floor is words, given in English too


def test_chinese_listing_answers_keep_the_chinese_names(catalog: Catalog) -> None:
    part = factory_part("观山湖区有厂房出租吗", catalog, "zh")
    assert part is not None and part.table[0]["district"] == "观山湖区" and "Guanshanhu" not in part.text


def test_english_park_answers_name_park_and_district_in_english(catalog: Catalog) -> None:
    part = park_part("Which parks are in Guanshanhu?", catalog, "en")
    assert part is not None
    assert "(Guanshanhu District)" in part.text and "观山湖区" not in part.text
    assert "Xiaolanshan Data Labelling Base" in part.text


def test_a_row_without_english_names_falls_back_to_pinyin(tmp_path: Path) -> None:
    row = ["F-101", "观山湖区汽车产业园", "观山湖区", "小孟工业园3号厂房", "1F", "3000", "8", "3", "800", "12", "",
           "for_rent", "汽车零部件", "0851-0000-0001", "", "true", "2026-11-01"]
    path = tmp_path / "factories.csv"
    path.write_text(",".join(FACTORY_COLUMNS) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    unit = load_factories(path)[0]
    assert unit.park_name("en") == "Guanshanhuquqichechanyeyuan" == romanise("观山湖区汽车产业园")
    assert unit.district_name("en") == "Guanshanhuqu" and unit.district_name("zh") == "观山湖区"
    assert unit.building_name("en") == "Xiaomenggongyeyuan 3 Haochangfang"
    assert romanise("贵安新区（贵安综合保税区）") == "Gui'anxinqu (Gui'anzonghebaoshuiqu)"


def test_the_listing_files_carry_english_names() -> None:
    for unit in load_factories(LISTINGS / "factories.csv"):
        assert unit.park_en and unit.district_en and unit.building_en and not CJK.search(unit.floor_name("en"))
    for park in load_parks(LISTINGS / "parks.csv"):
        assert park.name_en and park.district_en
    workbook = load_file(LISTINGS / "factories-new-units.xlsx", CORPUS)
    rows = workbook.structured["factories"]
    assert rows and all(r["park_en"] and r["district_en"] and r["building_en"] for r in rows)
    english = [b.text for b in workbook.blocks if b.language == "en" and b.row_id]
    assert english and all("Baiyun District" in t or "Shuanglong" in t for t in english)


def test_english_park_and_factory_answers_hold_no_chinese(catalog: Catalog) -> None:
    for question in ("Which parks are in Guanshanhu?", "parks for phosphorus chemicals", "Tell me about Kaiyang park"):
        part = park_part(question, catalog, "en")
        assert part is not None and not CJK.search(part.text), part.text
    office = park_part("Which parks are in Guanshanhu?", catalog, "en")
    assert office is not None and "no listed industrial land price: Office space only" in office.text
    for unit in catalog.factories:  # every row's English text: industries and notes included
        assert not CJK.search(unit.to_text("en")), unit.to_text("en")
    for park in catalog.parks:
        assert not CJK.search(park.to_text("en")), park.to_text("en")
    cold = next(f for f in catalog.factories if f.id == "F-014")
    assert "suited to cold-chain logistics; cold-chain storage building;" in cold.to_text("en")


def test_a_row_without_english_columns_falls_back_without_chinese(tmp_path: Path) -> None:
    row = ["P-99", "测试园区", "Test Park", "观山湖区", "区级", "冷链物流、汽车零部件", "", "",
           "仅提供办公空间", "", "", "0851-0000-0099", "园区说明", "true", "2026-11-01"]
    path = tmp_path / "parks.csv"
    path.write_text(",".join(PARK_COLUMNS) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    park = load_parks(path)[0]
    labels = sample_places().industry_labels
    assert park.industry_names("en", labels) == ("cold-chain logistics", "automotive Lingbujian")
    assert park.level_name("en") == "district-level" and park.level_name("zh") == "区级"
    assert not CJK.search(park.to_text("en")), park.to_text("en")
    catalog = Catalog([], [park], None, {}, sample_places())
    part = park_part("parks in Guanshanhu", catalog, "en")
    assert part is not None and not CJK.search(part.text), part.text
    assert "no listed industrial land price" in part.text


def test_an_english_row_page_shows_the_english_columns_in_place() -> None:
    from assistant.web.listing_pages import row_html

    rows = load_file(LISTINGS / "parks.csv", CORPUS).structured["parks"]
    html = row_html(next(r for r in rows if r["id"] == "P-08"), "en")
    assert "<td>provincial</td>" in html and "省级" not in html
    assert "<td>phosphorus chemicals, battery materials (lithium iron phosphate)</td>" in html and "磷化工、" not in html
    assert "<th>Power supply</th><td>Planned for large industrial users as a phosphorus chemical park;" in html
    assert "<th>Logistics</th><td>Connected with central Guiyang by the Guiyang–Kaiyang Expressway;" in html
    for row in rows:  # every park's English page: power supply and logistics included
        assert not CJK.search(row_html(row, "en")), row["id"]
    chinese = row_html(rows[0], "zh")
    assert "国家级" in chinese and "<th>电力配套英文</th>" in chinese


def test_park_texts_in_english_carry_power_supply_and_logistics(catalog: Catalog) -> None:
    parks = {p.id: p for p in catalog.parks}
    text = parks["P-01"].to_text("en")
    assert "power supply: Covered by several 110 kV substations" in text
    assert "logistics: Next to the Guiyang Ring Expressway; about 20 km from Guiyang Longdongbao International Airport" \
        in text
    assert "0.35 yuan/kWh (about 0.5 yuan/kWh elsewhere)" in parks["P-04"].to_text("en")
    assert "供电：" in parks["P-01"].to_text("zh")  # the Chinese text as before


def test_a_row_page_without_english_columns_falls_back_to_labels_then_pinyin() -> None:
    from assistant.web.listing_pages import row_html

    row = {"id": "P-99", "name": "测试园区", "district": "观山湖区", "level": "区级",
           "leading_industries": ["冷链物流", "汽车零部件"], "power_supply": "园区10kV双回路供电", "logistics": "",
           "contact": "0851-0000-0099", "sample": True}
    labels = sample_places().industry_labels
    html = row_html(row, "en", labels)
    assert not CJK.search(html), html
    assert "<td>cold-chain logistics, automotive Lingbujian</td>" in html and "<td>district-level</td>" in html
    assert "<td>Guanshanhuqu</td>" in html and "<td>Yuanqu 10kV Shuanghuilugongdian</td>" in html


def test_a_long_row_cut_into_chunks_is_cited_with_its_spaces() -> None:
    """The chunker cuts a long English row at a semicolon and strips the pieces; the cited row joins them with
    the space the row had ("(sample data; check …)"), and a Chinese row without one."""
    doc = load_file(LISTINGS / "factories.csv", CORPUS)
    chunks = chunk_blocks(doc.meta, doc.blocks, Settings().index.chunk_chars)
    assert len([c for c in chunks if c.row_id == "F-006" and c.language == "en"]) > 1  # the case at hand
    catalog = Catalog.from_index({"listings/factories.csv": doc.structured}, chunks, CORPUS / "missing",
                                 load_lexicon(CORPUS))
    for factory in catalog.factories:
        for lang in ("en", "zh"):
            row = catalog.row_chunk(factory.id, lang)
            assert row is not None and row.text == factory.to_text(lang).strip(), (factory.id, lang)
    assert joined("（示例数据，", "以主管部门最新发布为准）") == "（示例数据，以主管部门最新发布为准）"
