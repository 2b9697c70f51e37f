"""Typed loaders for parks.csv and factories.csv, their search texts, and park-name matching."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.lexicon import load_lexicon
from assistant.listings import Park, Places
from assistant.listings.records import load_factories, load_parks
from assistant.validation import FACTORY_COLUMNS, PARK_COLUMNS

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "listings"
PARK_ROWS = [
    ("P-01", "贵阳经济技术开发区", "Guiyang ETDZ", "经开区", "国家级", "先进装备制造、汽车零部件", "288", "19.2", ""),
    ("P-02", "贵阳国家高新技术产业开发区", "Guiyang Hi-tech Zone", "高新区", "国家级", "电子信息、大数据", "336", "22.4", ""),
    ("P-03", "贵阳综合保税区", "Guiyang Bonded Zone", "经开区", "国家级", "保税加工", "288", "19.2", ""),
    ("P-04", "贵安新区/贵安综合保税区", "Gui'an New Area", "贵安新区", "国家级", "数据中心", "252", "16.8", ""),
    ("P-05", "双龙航空港经济区", "Shuanglong", "双龙航空港经济区", "国家级", "冷链物流", "288", "19.2", ""),
    ("P-06", "观山湖区吉利汽车配套产业园/智能网联汽车产业园", "Geely park", "观山湖区", "区级", "新能源汽车零部件", "336",
     "22.4", ""),
    ("P-07", "小兰山数据标注基地", "Xiaolanshan", "观山湖区", "区级", "数据标注", "", "", "仅提供办公空间"),
    ("P-08", "开阳经济开发区", "Kaiyang EDZ", "开阳县", "省级", "磷化工、电池材料", "144", "9.6", ""),
    ("P-09", "息烽经济开发区", "Xifeng EDZ", "息烽县", "省级", "磷化工、纺织", "144", "9.6", ""),
    ("P-10", "白云经济开发区", "Baiyun EDZ", "白云区", "省级", "铝加工", "204", "13.6", ""),
    ("P-11", "修文经济开发区", "Xiuwen EDZ", "修文县", "省级", "食品、医药", "", "", "工业用地价格不高于20万元/亩（2020年）"),
    ("P-12", "贵州表面处理产业园", "Surface Treatment Park", "清镇市", "省级", "电镀、表面处理", "168", "11.2", ""),
]
FACTORY_ROWS = [
    "F-001,贵阳经济技术开发区,经开区,小孟工业园3号厂房,1F,4800,9.0,5.0,1250,14,,for_rent,装备制造、汽车零部件,"
    "0851-0000-0001,已配10吨行车,true,2026-11-01",
    "F-003,贵阳国家高新技术产业开发区,高新区,沙文园区A2栋,1F,2600,8.0,3.0,800,13,4800,for_rent_or_sale,电子信息、新材料,"
    "0851-0000-0002,可租可售,true,2026-11-01",
    "F-011,息烽经济开发区,息烽县,J1厂房,1F,6500,10.0,3.0,,9,,leased,纺织、新材料,0851-0000-0009,已出租,false,2026-11-01",
]


def write_parks(tmp_path: Path) -> Path:
    lines = [",".join(PARK_COLUMNS)]
    for pid, name, en, district, level, industries, yuan, wan, note in PARK_ROWS:
        lines.append(",".join([pid, name, en, district, level, industries, yuan, wan, note or "参考价",
                               "10kV双回路", "高速公路", "0851-0000-0001", "", "true", "2026-11-01"]))
    path = tmp_path / "listings" / "parks.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_factories(tmp_path: Path, rows: list[str] = FACTORY_ROWS) -> Path:
    path = tmp_path / "listings" / "factories.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([",".join(FACTORY_COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def test_load_parks_types(tmp_path: Path) -> None:
    parks = load_parks(write_parks(tmp_path))
    assert [p.id for p in parks][:2] == ["P-01", "P-02"]
    p1 = parks[0]
    assert p1.land_price_yuan_m2 == 288.0 and p1.land_price_wan_mu == 19.2
    assert p1.leading_industries == ("先进装备制造", "汽车零部件")
    assert p1.sample is True and p1.updated == dt.date(2026, 11, 1)
    xiuwen = next(p for p in parks if p.id == "P-11")
    assert xiuwen.land_price_yuan_m2 is None and "20万元/亩" in xiuwen.land_price_note


def test_load_factories_types(tmp_path: Path) -> None:
    factories = {f.id: f for f in load_factories(write_factories(tmp_path))}
    f3 = factories["F-003"]
    assert (f3.area_m2, f3.clear_height_m, f3.sale_price_yuan_m2) == (2600.0, 8.0, 4800.0)
    assert f3.status == "for_rent_or_sale" and f3.for_rent and f3.for_sale
    assert factories["F-001"].sale_price_yuan_m2 is None
    f11 = factories["F-011"]
    assert f11.status == "leased" and not f11.available and f11.power_kva is None and f11.sample is False


def test_invalid_file_raises_value_error_listing_problems(tmp_path: Path) -> None:
    bad = FACTORY_ROWS[0].replace(",4800,", ",big,")
    with pytest.raises(ValueError, match=r"listings/factories.csv:2 \[area_m2\] not a number: 'big'"):
        load_factories(write_factories(tmp_path, [bad]))


def test_factory_to_text_zh_and_en(tmp_path: Path) -> None:
    factories = {f.id: f for f in load_factories(write_factories(tmp_path))}
    zh = factories["F-003"].to_text()
    for part in ("F-003", "2600㎡", "净高8米", "租金13元/㎡·月", "售价4800元/㎡", "可租可售", "示例数据"):
        assert part in zh
    en = factories["F-001"].to_text("en")
    assert "4800 m2" in en and "rent 14 yuan/m2" in en and "sample data" in en
    leased = factories["F-011"].to_text()
    assert "已出租" in leased and "示例数据" not in leased  # sample=false row carries no sample mark


def test_park_to_text_zh_and_en(tmp_path: Path) -> None:
    parks = {p.id: p for p in load_parks(write_parks(tmp_path))}
    zh = parks["P-01"].to_text()
    assert "288元/㎡" in zh and "19.2万元/亩" in zh and "示例数据" in zh
    assert "无工业用地挂牌价" in parks["P-07"].to_text()
    en = parks["P-01"].to_text("en")
    assert "288 yuan/m2" in en and "sample data" in en


def _places(parks: list[Park]) -> Places:
    """These parks named through the sample corpus's lexicon (its abbreviations, nicknames and home region)."""
    return Places.build(parks, [], [], load_lexicon(CORPUS.parent))


@pytest.mark.parametrize(("text", "park_id"), [
    ("经开区", "P-01"), ("高新区", "P-02"), ("贵安", "P-04"), ("开阳", "P-08"), ("息烽", "P-09"), ("白云", "P-10"),
    ("修文", "P-11"), ("双龙", "P-05"), ("综保区", "P-03"), ("表面处理", "P-12"), ("观山湖", "P-06"), ("吉利", "P-06"),
    ("小兰山", "P-07"), ("贵安综保区", "P-04"), ("Gui'an New Area", "P-04"), ("near Geely", "P-06"),
    ("贵阳经济技术开发区", "P-01"), ("开阳经开区", "P-08"),
])
def test_resolve_park_by_alias(tmp_path: Path, text: str, park_id: str) -> None:
    park = _places(load_parks(write_parks(tmp_path))).resolve_park(text, prefer_priced=True)
    assert park is not None and park.id == park_id


def test_resolve_park_unknown_and_aliases(tmp_path: Path) -> None:
    parks = load_parks(write_parks(tmp_path))
    places = _places(parks)
    assert places.resolve_park("上海浦东") is None
    assert {"经开区", "贵阳经开区"} <= set(places.park_aliases(parks[0]))


def _real(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus/listings/{name} not written yet")
    return path


def test_real_parks_load() -> None:
    parks = {p.id: p for p in load_parks(_real("parks.csv"))}
    assert len(parks) == 12
    assert parks["P-01"].land_price_yuan_m2 == 288 and parks["P-01"].land_price_wan_mu == 19.2
    assert parks["P-07"].land_price_yuan_m2 is None and parks["P-11"].land_price_yuan_m2 is None
    assert "20万元/亩" in parks["P-11"].land_price_note
    assert all(p.to_text() and p.to_text("en") for p in parks.values())


def test_real_factories_load() -> None:
    factories = {f.id: f for f in load_factories(_real("factories.csv"))}
    assert len(factories) == 15
    assert factories["F-011"].status == "leased"
    assert factories["F-003"].sale_price_yuan_m2 == 4800
    assert factories["F-007"].area_m2 == 12000 and factories["F-006"].clear_height_m == 12
    assert all("示例数据" in f.to_text() for f in factories.values())


def test_real_factories_floors_and_cranes() -> None:
    factories = {f.id: f for f in load_factories(_real("factories.csv"))}
    assert factories["F-004"].floors == (2, 3, 4) and factories["F-002"].floors == (3,)
    assert factories["F-013"].floors == (1, 2) and factories["F-015"].floors == ()  # "办公楼层" names no floor
    assert factories["F-001"].crane_t == 10  # notes: 已配10吨行车
    assert all(f.crane_t is None for f in factories.values() if f.id != "F-001")
