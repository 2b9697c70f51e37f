"""The sheets of an Excel workbook (.xlsx), read by value (a formula gives its saved result) within the ingest
budgets.

Header rows are found per sheet: an optional title row (one cell, e.g. "标准厂房房源清单"), then one header
row, or two when a merged group cell sits above its sub-columns ("租售价格" over "租金（元/㎡·月）" gives
"租售价格/租金（元/㎡·月）"). A sheet with fewer than two named columns is a notes sheet, read line by line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.ingest.loaders.errors import Unreadable
from assistant.ingest.loaders.ooxml import check_package, check_sheet_parts
from assistant.settings import IngestBudgets

SheetKind = Literal["factories", "parks", "table", "text"]


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
