"""Excel workbooks (.xlsx): every sheet read by value (a formula gives its saved result).

Header rows are found per sheet: an optional title row (one cell, e.g. "标准厂房房源清单"), then one header
row, or two when a merged group cell sits above its sub-columns ("租售价格" over "租金（元/㎡·月）" gives
"租售价格/租金（元/㎡·月）"). A unit in brackets is taken out of the column name and checked against
the listing schema ("面积（㎡）" -> area_m2; "面积（亩）" is converted). A factory or park sheet is mapped
onto the CSV listing schema through a table of zh/en column names and validated by the same checks as
listings/*.csv; its bad rows are left out and reported (file#sheet:row [column]), the rest load. Sheets
that are not listings become text: a table row by row with its column names, a notes sheet line by line."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.documents import Block, LoadedDocument
from assistant.ingest.loaders.errors import Unreadable
from assistant.ingest.loaders.metadata import build_meta, read_sidecar
from assistant.ingest.loaders.ooxml import check_package, check_sheet_parts
from assistant.ingest.loaders.table_rows import row_text
from assistant.settings import IngestBudgets
from assistant.validation import (
    FACTORY_COLUMNS,
    FACTORY_OPTIONAL,
    PARK_COLUMNS,
    PARK_OPTIONAL,
    Problem,
    display_path,
    parse_number,
    validate_factory_rows,
    validate_park_rows,
)

SheetKind = Literal["factories", "parks", "table", "text"]
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
)
STATUS_WORDS = (("可租可售", "for_rent_or_sale"), ("租售均可", "for_rent_or_sale"), ("已出租", "leased"),
                ("已租", "leased"), ("可出租", "for_rent"), ("可租", "for_rent"), ("招租", "for_rent"),
                ("出租", "for_rent"), ("可出售", "for_sale"), ("可售", "for_sale"), ("出售", "for_sale"))
_YES = ("是", "true", "yes", "y", "1", "✓")
_NO = ("否", "false", "no", "n", "0", "")
_UNIT = re.compile(r"^(.*?)\s*[（(]([^（）()]*)[）)]\s*$")


@dataclass(frozen=True)
class Column:
    letter: str  # A, B, … as Excel shows it
    header: str  # as written, a merged group joined: "租售价格/租金（元/㎡·月）"
    field: str = ""  # schema column, "" when unmapped
    factor: float = 1.0  # unit conversion onto the schema unit

    @property
    def where(self) -> str:
        return f"{self.letter} {self.header}" + (f" → {self.field}" if self.field and self.field != self.header else "")


@dataclass
class Sheet:
    name: str
    kind: SheetKind
    caption: str = ""
    header_row: int = 0  # Excel row number of the (last) header row
    columns: list[Column] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (Excel row number, cells by column)
    lines: list[str] = field(default_factory=list)  # a text sheet


@dataclass
class Listing:
    """A listing sheet mapped onto the schema: good rows, and what was wrong or left out."""

    table: Literal["factories", "parks"]
    where: str  # file#sheet
    records: list[Any] = field(default_factory=list)  # Factory | Park
    extras: dict[str, str] = field(default_factory=dict)  # row id -> unmapped columns rendered as text
    problems: list[Problem] = field(default_factory=list)  # bad rows and missing columns: --check fails
    notes: list[Problem] = field(default_factory=list)  # unmapped columns, converted units: warnings
    complete: bool = True  # False when a required column is missing and no row could be read

    def warnings(self) -> list[str]:
        left_out = "row left out" if self.complete else "sheet left out"
        return [f"{p} ({left_out})" for p in self.problems] + [str(p) for p in self.notes]


# ---------- reading ----------

def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return str(value).strip()


def open_workbook(path: Path, budgets: IngestBudgets | None = None) -> Any:
    """The openpyxl workbook, or Unreadable, or TooLarge: the package and the grid of each sheet are held to
    the budgets before openpyxl builds a cell."""
    budgets = budgets or IngestBudgets()
    check_package(path, "Excel", budgets)
    check_sheet_parts(path, budgets)
    try:
        from openpyxl import load_workbook

        return load_workbook(path, data_only=True)  # values: a formula cell gives its last saved result
    except Exception as exc:  # zipfile, KeyError, InvalidFileException, lxml errors… on damaged files
        raise Unreadable(f"corrupt or unreadable Excel file: {type(exc).__name__}: {exc}") from exc


def read_sheets(workbook: Any) -> list[Sheet]:
    return [s for s in (_read_sheet(ws) for ws in workbook.worksheets) if s.rows or s.lines]


def _read_sheet(ws: Any) -> Sheet:
    from openpyxl.utils import get_column_letter

    grid = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    merged = [(m.min_row, m.max_row, m.min_col, m.max_col) for m in ws.merged_cells.ranges]
    filled = [i for i, row in enumerate(grid) if any(row)]
    if not filled:
        return Sheet(ws.title, "text")
    top = filled[0]
    caption = ""
    if sum(1 for v in grid[top] if v) == 1 and len(filled) > 1 and sum(1 for v in grid[filled[1]] if v) > 1:
        caption, top = next(v for v in grid[top] if v), filled[1]  # a title row above the table
    # Two header rows when a merged cell in the first one is a group over several columns, or reaches down.
    two = any(r0 == top + 1 and c1 > c0 and r1 == top + 1 for r0, r1, c0, c1 in merged) or \
        any(r0 == top + 1 and r1 == top + 2 for r0, r1, c0, c1 in merged)
    header_rows = [top, top + 1] if two and top + 1 < len(grid) else [top]
    for r0, r1, c0, c1 in merged:  # spread merged values: header cells over their range, data cells down
        value = grid[r0 - 1][c0 - 1] if r0 - 1 < len(grid) and c0 - 1 < len(grid[r0 - 1]) else ""
        in_header = r0 - 1 in header_rows
        for r in range(r0 - 1, min(r1, len(grid))):
            for c in range(c0 - 1, min(c1, len(grid[r]))):
                if in_header or c == c0 - 1:
                    grid[r][c] = value
    names = []
    for c in range(max(len(row) for row in grid)):
        parts = [grid[r][c] if c < len(grid[r]) else "" for r in header_rows]
        upper, lower = parts[0], parts[-1]
        names.append(lower if upper in ("", lower) else upper if not lower else f"{upper}/{lower}")
    body = [(i + 1, row) for i, row in enumerate(grid) if i > header_rows[-1] and any(row)]
    width = max([c + 1 for c, n in enumerate(names) if n] + [len(r) for _, r in body if any(r)] + [0])
    if sum(1 for n in names if n) < 2:  # no table: a notes sheet, read line by line
        return Sheet(ws.title, "text", caption, lines=[" ".join(v for v in row if v) for row in grid if any(row)])
    columns = [Column(get_column_letter(c + 1), names[c] if c < len(names) else "") for c in range(width)]
    rows = [(n, [row[c] if c < len(row) else "" for c in range(width)]) for n, row in body]
    return Sheet(ws.title, "table", caption, header_rows[-1] + 1, columns, rows)


# ---------- mapping onto the listing schema ----------

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


def _is_listing(mapped: set[str], table: str) -> bool:
    if table == "factories":
        return "clear_height_m" in mapped or {"area_m2", "status"} <= mapped
    return bool({"land_price_yuan_m2", "land_price_wan_mu", "level"} & mapped)


def _value(column: Column, text: str) -> str:
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


def listing_of(sheet: Sheet, shown: str) -> Listing | None:
    """The sheet as a factory or park listing, or None when its columns are neither."""
    from assistant.listings.records import factory_from_row, park_from_row

    schemas: tuple[tuple[Literal["factories", "parks"], tuple[FieldSpec, ...]], ...] = (
        ("factories", FACTORY_FIELDS), ("parks", PARK_FIELDS))
    for table, fields in schemas:
        taken: set[str] = set()
        columns: list[Column] = []
        reasons: list[str] = []
        for column in sheet.columns:
            mapped, reason = map_column(column, fields, taken)
            taken.add(mapped.field)
            columns.append(mapped)
            reasons.append(reason)
        if _is_listing(taken, table):
            break
    else:
        return None
    where = f"{shown}#{sheet.name}"
    header_row = sheet.header_row
    out = Listing(table, where)
    for i, (column, reason) in enumerate(zip(columns, reasons, strict=True)):
        if reason and (column.header or any(cells[i] for _, cells in sheet.rows)):
            out.notes.append(Problem(where, header_row, column.where, f"unmapped column, kept as text: {reason}"))
        elif column.factor != 1.0 and column.field:
            out.notes.append(Problem(where, header_row, column.where, f"converted to {column.field} (× {column.factor:g})"))
    required = [f.name for f in fields if f.name in ("id", "sample", "updated")] + \
        (["park", "district", "area_m2", "status"] if table == "factories" else ["name", "district", "level"])
    missing = [name for name in dict.fromkeys(required) if name not in taken]
    if missing:
        out.problems += [Problem(where, header_row, name, "missing required column") for name in missing]
        out.complete = False
        return out
    schema = (*FACTORY_COLUMNS, *FACTORY_OPTIONAL) if table == "factories" else (*PARK_COLUMNS, *PARK_OPTIONAL)
    rows: list[tuple[int, dict[str, str]]] = []
    extras: dict[int, str] = {}
    for number, cells in sheet.rows:
        row = {name: "" for name in schema}
        for column, text in zip(columns, cells, strict=True):
            if column.field:
                row[column.field] = _value(column, text)
        row["__fields__"] = str(len(schema))
        rows.append((number, row))
        unmapped = [(c.header, v) for c, v in zip(columns, cells, strict=True) if not c.field and v]
        if unmapped:
            extras[number] = row_text([h for h, _ in unmapped], [v for _, v in unmapped])
    checks = validate_factory_rows(where, rows) if table == "factories" else validate_park_rows(where, rows)
    by_field = {c.field: c.where for c in columns if c.field}
    problems = [Problem(p.path, p.row, by_field.get(p.column or "", p.column), p.message) for p in checks]
    out.problems += problems
    bad = {p.row for p in problems}
    make = factory_from_row if table == "factories" else park_from_row
    for number, row in rows:
        if number not in bad:
            out.records.append(make(row))
            if number in extras:
                out.extras[row["id"]] = extras[number]
    return out


# ---------- the document ----------

@dataclass
class WorkbookRead:
    listings: list[Listing]
    blocks: list[Block]  # the text of sheets that are not listings


def read_workbook(path: Path, shown: str, budgets: IngestBudgets | None = None) -> WorkbookRead:
    sheets = read_sheets(open_workbook(path, budgets))
    listings: list[Listing] = []
    blocks: list[Block] = []
    for sheet in sheets:
        listing = listing_of(sheet, shown) if sheet.kind == "table" else None
        if listing is not None:
            listings.append(listing)
            continue
        heading = sheet.caption or sheet.name
        if sheet.kind == "text":
            blocks += [Block(text=line, heading=sheet.name) for line in sheet.lines]
        else:
            header = [c.header for c in sheet.columns]
            blocks += [Block(text=t, heading=heading) for _, cells in sheet.rows if (t := row_text(header, cells))]
    return WorkbookRead(listings, blocks)


def load_workbook_doc(path: Path, doc_id: str, budgets: IngestBudgets | None = None) -> LoadedDocument:
    read = read_workbook(path, display_path(path), budgets)
    blocks: list[Block] = []
    structured: dict[str, Any] = {}
    for listing in read.listings:
        for record in listing.records:
            extra = listing.extras.get(record.id, "")
            blocks.append(Block(text=record.to_text("zh") + (f"其他信息：{extra}" if extra else ""), row_id=record.id))
            blocks.append(Block(text=record.to_text("en"), row_id=record.id, language="en"))
        if listing.records:
            structured.setdefault(listing.table, []).extend(asdict(r) for r in listing.records)
    blocks += read.blocks
    problems = [p for listing in read.listings for p in listing.problems]
    warnings = [w for listing in read.listings for w in listing.warnings()]
    if not blocks:
        detail = "; ".join(str(p) for p in problems[:3])
        raise Unreadable("workbook has no usable rows" + (f": {detail}" if detail else ""))
    tables = [t for t in ("factories", "parks") if structured.get(t)]
    default_title = {"factories": "标准厂房房源清单", "parks": "园区信息清单"}.get(tables[0] if tables else "", path.stem)
    raw = read_sidecar(path)
    raw.setdefault("topic", tables[0] if tables else "")
    sample = any(r.get("sample") for t in tables for r in structured[t])
    raw["sample"] = bool(raw.get("sample", False)) or sample
    meta = build_meta(doc_id, raw, default_title=default_title, kind="listing")
    return LoadedDocument(meta=meta, blocks=blocks, structured=structured, warnings=warnings)


def check_workbook(path: Path, shown: str, budgets: IngestBudgets | None = None) -> tuple[list[Problem], list[Problem]]:
    """(problems, notes) for `ingest.py --check`; raises Unreadable or TooLarge like the loader."""
    read = read_workbook(path, shown, budgets)
    return ([p for listing in read.listings for p in listing.problems],
            [p for listing in read.listings for p in listing.notes])


def listing_ids(path: Path, shown: str, budgets: IngestBudgets | None = None) -> list[tuple[str, str]]:
    """(id, where) of every good listing row, for the corpus-wide duplicate check."""
    read = read_workbook(path, shown, budgets)
    return [(r.id, listing.where) for listing in read.listings for r in listing.records]
