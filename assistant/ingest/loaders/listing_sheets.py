"""A workbook sheet as a factory or park listing: its columns mapped onto the CSV listing schema
(listing_columns) and its rows validated by the same checks as listings/*.csv; bad rows are left out and reported
(file#sheet:row [column]), the rest load."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.ingest.loaders.listing_columns import FACTORY_FIELDS, PARK_FIELDS, FieldSpec, map_column, schema_value
from assistant.ingest.loaders.sheets import Column, Sheet
from assistant.ingest.loaders.table_rows import row_text
from assistant.validation import (
    FACTORY_COLUMNS,
    FACTORY_OPTIONAL,
    PARK_COLUMNS,
    PARK_OPTIONAL,
    Problem,
    validate_factory_rows,
    validate_park_rows,
)


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


def _is_listing(mapped: set[str], table: str) -> bool:
    if table == "factories":
        return "clear_height_m" in mapped or {"area_m2", "status"} <= mapped
    return bool({"land_price_yuan_m2", "land_price_wan_mu", "level"} & mapped)


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
                row[column.field] = schema_value(column, text)
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
