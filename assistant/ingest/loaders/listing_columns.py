"""The listing schema's columns as staff name them in a workbook: the zh/en names of each column and the units it
may come in (a unit in brackets is taken out of the name and checked: "面积（㎡）" -> area_m2, "面积（亩）" is
converted), and a cell's text as the CSV schema writes it (status and yes/no words as their codes, dates as
YYYY-MM-DD)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.loaders.sheets import Column
from assistant.validation import parse_number

MU_M2 = 666.67  # 1 亩 in ㎡, as in the land rules


@dataclass(frozen=True)
class FieldSpec:
    """A schema column, the names staff give it, and the units it may come in (factor onto the schema unit)."""

    name: str
    labels: tuple[str, ...]
    units: tuple[tuple[str, float], ...] = ()  # () = a column without unit


_AREA = (("㎡", 1.0), ("亩", MU_M2), ("万㎡", 10000.0))
_SHARED = (
    FieldSpec("id", ("编号", "房源编号", "厂房编号", "园区编号", "id")),
    FieldSpec("district", ("区域", "所在区域", "区县", "所在区县", "行政区", "district")),
    FieldSpec("contact", ("联系电话", "服务电话", "咨询电话", "联系方式", "电话", "contact", "phone")),
    FieldSpec("notes", ("备注", "notes", "remarks")),
    FieldSpec("sample", ("示例数据", "是否示例", "是否示例数据", "sample")),
    FieldSpec("updated", ("更新日期", "更新时间", "核实日期", "updated", "last updated")),
)
_NOTES_EN, _DISTRICT_EN = FieldSpec("notes_en", ("备注英文", "notes_en", "english notes")), FieldSpec(
    "district_en", ("区域英文名", "区县英文名", "区域英文名称", "district_en", "english district"))
FACTORY_FIELDS = _SHARED + (
    FieldSpec("park", ("园区", "所在园区", "园区名称", "park")),
    FieldSpec("park_en", ("园区英文名", "园区英文名称", "park_en", "english park name")), _DISTRICT_EN,
    FieldSpec("building_en", ("楼栋英文名", "厂房英文名", "楼栋英文名称", "building_en", "english building name")),
    FieldSpec("floor_en", ("楼层英文名", "楼层英文", "floor_en", "english floor")), _NOTES_EN,
    FieldSpec("industries_en", ("适合产业英文", "industries_en", "english industries")),
    FieldSpec("building", ("楼栋", "厂房", "厂房名称", "楼宇", "building")),
    FieldSpec("floor", ("楼层", "所在楼层", "floor")),
    FieldSpec("area_m2", ("面积", "建筑面积", "可租面积", "租赁面积", "area", "area_m2"), _AREA),
    FieldSpec("clear_height_m", ("净高", "层高", "clear height", "clear_height_m"), (("m", 1.0),)),
    FieldSpec("floor_load_t_m2", ("楼面荷载", "荷载", "承重", "楼面承重", "地面荷载", "floor load", "floor_load_t_m2"),
              (("t㎡", 1.0),)),
    FieldSpec("power_kva", ("电力容量", "配电容量", "供电容量", "用电容量", "电力", "power", "power_kva"),
              (("kva", 1.0), ("mva", 1000.0))),
    FieldSpec("rent_yuan_m2_month", ("租金", "月租金", "租赁价格", "租价", "rent", "rent_yuan_m2_month"),
              (("元㎡月", 1.0), ("yuan㎡month", 1.0))),
    FieldSpec("sale_price_yuan_m2", ("售价", "出售价格", "销售价格", "sale price", "sale_price_yuan_m2"),
              (("元㎡", 1.0), ("yuan㎡", 1.0))),
    FieldSpec("status", ("状态", "租售状态", "房源状态", "status")),
    FieldSpec("industries", ("适合产业", "适用产业", "适宜产业", "适合行业", "产业方向", "industries")),
)
PARK_FIELDS = _SHARED + (
    FieldSpec("name", ("园区", "园区名称", "名称", "name")),
    FieldSpec("name_en", ("英文名称", "英文名", "name_en", "english name")), _DISTRICT_EN,
    FieldSpec("level", ("级别", "园区级别", "level")),
    FieldSpec("level_en", ("级别英文", "level_en")), FieldSpec("land_price_note_en", ("地价说明英文", "land_price_note_en")),
    FieldSpec("leading_industries_en", ("主导产业英文", "leading_industries_en", "english leading industries")), _NOTES_EN,
    FieldSpec("leading_industries", ("主导产业", "leading industries", "leading_industries")),
    FieldSpec("land_price_yuan_m2", ("工业用地价格", "地价", "用地价格", "土地价格", "land price", "land_price_yuan_m2"),
              (("元㎡", 1.0), ("yuan㎡", 1.0))),
    FieldSpec("land_price_wan_mu", ("工业用地价格", "地价", "用地价格", "土地价格", "land price", "land_price_wan_mu"),
              (("万元亩", 1.0),)),
    FieldSpec("land_price_note", ("地价说明", "价格说明", "land_price_note")),
    FieldSpec("power_supply", ("供电", "供电条件", "电力保障", "power_supply")),
    FieldSpec("logistics", ("物流", "交通物流", "logistics")),
    FieldSpec("power_supply_en", ("供电英文", "电力配套英文", "power_supply_en", "english power supply")),
    FieldSpec("logistics_en", ("物流英文", "交通物流英文", "logistics_en", "english logistics")),
)
STATUS_WORDS = (("可租可售", "for_rent_or_sale"), ("租售均可", "for_rent_or_sale"), ("已出租", "leased"),
                ("已租", "leased"), ("可出租", "for_rent"), ("可租", "for_rent"), ("招租", "for_rent"),
                ("出租", "for_rent"), ("可出售", "for_sale"), ("可售", "for_sale"), ("出售", "for_sale"))
_YES = ("是", "true", "yes", "y", "1", "✓")
_NO = ("否", "false", "no", "n", "0", "")
_UNIT = re.compile(r"^(.*?)\s*[（(]([^（）()]*)[）)]\s*$")


def _norm_unit(unit: str) -> str:
    u = unit.lower().replace(" ", "")
    for old, new in (("平方米", "㎡"), ("平米", "㎡"), ("m²", "㎡"), ("m2", "㎡"), ("sqm", "㎡"), ("千伏安", "kva"),
                     ("米", "m"), ("吨", "t"), ("／", "/"), ("每", "")):
        u = u.replace(old, new)
    return re.sub(r"[/·.•()（）]", "", u)


def split_unit(header: str) -> tuple[str, str]:
    """'租售价格/租金（元/㎡·月）' -> ('租金', '元/㎡·月'): the column's own name and its unit."""
    match = _UNIT.match(header)
    name, unit = (match.group(1), match.group(2)) if match else (header, "")
    return name.split("/")[-1].strip().lower().lstrip("*").strip(), unit.strip()


def map_column(column: Column, fields: tuple[FieldSpec, ...], taken: set[str]) -> tuple[Column, str]:
    """The column with its schema field and unit factor, and a note when it stays unmapped."""
    name, unit = split_unit(column.header)
    candidates = [f for f in fields if name in f.labels and f.name not in taken]
    if not candidates:
        return column, "no listing column of that name" if column.header else "values under an empty header"
    for spec in candidates:
        if not spec.units:
            return Column(column.letter, column.header, spec.name), ""
        if not unit:  # no unit written: the schema's own unit
            return Column(column.letter, column.header, spec.name, spec.units[0][1]), ""
        for spelling, factor in spec.units:
            if _norm_unit(unit) == _norm_unit(spelling):
                return Column(column.letter, column.header, spec.name, factor), ""
    expected = " or ".join(u for spec in candidates for u, _ in spec.units)
    return column, f"unknown unit {unit!r} for {candidates[0].name} (expected {expected})"


def schema_value(column: Column, text: str) -> str:
    """A cell as the CSV schema writes it: units converted, status and yes/no words as their codes."""
    if column.factor != 1.0:
        try:
            number = parse_number(text)
        except ValueError:
            return text  # the validator reports it with the cell's own text
        return "" if number is None else f"{round(number * column.factor, 2):g}"
    if column.field == "status":
        return next((code for word, code in STATUS_WORDS if text == word), text)
    if column.field == "sample":
        low = text.lower()
        return "true" if low in _YES else "false" if low in _NO else text
    if column.field == "updated":
        m = re.match(r"^(\d{4})[/.年-](\d{1,2})[/.月-](\d{1,2})日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$", text)
        return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else text
    return text
