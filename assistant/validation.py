"""Checks staff-edited corpus files (listings CSV, document metadata) and reports every problem.

Rules YAML is checked against its models by rule_files.py, which uses validate_metadata from here.

Problems carry file, line and column so staff can fix the source; loaders refuse invalid files.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PARK_COLUMNS = (
    "id", "name", "name_en", "district", "level", "leading_industries", "land_price_yuan_m2",
    "land_price_wan_mu", "land_price_note", "power_supply", "logistics", "contact", "notes", "sample", "updated",
)
FACTORY_COLUMNS = (
    "id", "park", "district", "building", "floor", "area_m2", "clear_height_m", "floor_load_t_m2", "power_kva",
    "rent_yuan_m2_month", "sale_price_yuan_m2", "status", "industries", "contact", "notes", "sample", "updated",
)
# Optional columns (a file without them is valid): English names for English answers, pinyin when empty.
PARK_OPTIONAL = ("district_en", "level_en", "leading_industries_en", "land_price_note_en", "power_supply_en",
                 "logistics_en", "notes_en")
FACTORY_OPTIONAL = ("park_en", "district_en", "building_en", "floor_en", "industries_en", "notes_en")
FACTORY_STATUSES = ("for_rent", "for_sale", "for_rent_or_sale", "leased")
PARK_LEVELS = ("国家级", "省级", "区级")
TOPICS = ("overview", "parks", "factories", "electricity", "land", "talent", "incentives", "tax", "service")
LANGUAGES = ("zh", "en")
MU_M2 = 666.67  # only for the parks.csv consistency check; calculators read land.yaml

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Problem:
    path: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.row is None else f"{self.path}:{self.row}"
        column = f" [{self.column}]" if self.column else ""
        return f"{where}{column} {self.message}"


def display_path(path: str | Path) -> str:
    """'…/corpus/listings/factories.csv' -> 'listings/factories.csv' (folder + file, as staff see it)."""
    p = Path(path)
    return f"{p.parent.name}/{p.name}" if p.parent.name else p.name


# ---------- scalar parsing shared with the loaders ----------

def parse_number(text: str) -> float | None:
    """'' -> None; '1,250' -> 1250.0; raises ValueError on anything else that is not a number."""
    cleaned = text.replace(",", "").replace(" ", "").strip()
    if not cleaned:
        return None
    if not _PLAIN_NUMBER.match(cleaned):  # float() would also take 'nan', 'inf' and '1e3'
        raise ValueError(text)
    return float(cleaned)


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueError(text)
    return lowered == "true"


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not _DATE.match(text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


# ---------- CSV listings ----------

def read_csv(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs; the line is where the record starts (header = line 1)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        rows: list[tuple[int, dict[str, str]]] = []
        last = reader.line_num
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
            row["__fields__"] = str(len(cells))
            rows.append((start, row))
    return header, rows


@dataclass(frozen=True)
class _CsvSpec:
    columns: tuple[str, ...]
    required: tuple[str, ...]
    numeric: tuple[str, ...]
    id_pattern: str
    enums: tuple[tuple[str, tuple[str, ...]], ...]


_FACTORY_SPEC = _CsvSpec(
    FACTORY_COLUMNS, ("id", "park", "district", "area_m2", "status", "sample", "updated"),
    ("area_m2", "clear_height_m", "floor_load_t_m2", "power_kva", "rent_yuan_m2_month", "sale_price_yuan_m2"),
    r"^F-\d{3,}$", (("status", FACTORY_STATUSES),),
)
_PARK_SPEC = _CsvSpec(
    PARK_COLUMNS, ("id", "name", "district", "level", "sample", "updated"),
    ("land_price_yuan_m2", "land_price_wan_mu"), r"^P-\d{2,}$", (("level", PARK_LEVELS),),
)


def _cell_problems(shown: str, line: int, row: dict[str, str], spec: _CsvSpec) -> list[Problem]:
    out: list[Problem] = []
    if int(row["__fields__"]) != len(row) - 1:
        out.append(Problem(shown, line, None, f"expected {len(row) - 1} fields, found {row['__fields__']}"))
    for col in spec.required:
        if col in row and not row[col]:
            out.append(Problem(shown, line, col, "required value is empty"))
    for col in spec.numeric:
        value = row.get(col, "")
        try:
            number = parse_number(value)
        except ValueError:
            out.append(Problem(shown, line, col, f"not a number: {value!r}"))
            continue
        if number is not None and number < 0:
            out.append(Problem(shown, line, col, f"must not be negative: {value!r}"))
    for col, allowed in spec.enums:
        if row.get(col) and row[col] not in allowed:
            out.append(Problem(shown, line, col, f"unknown {col} {row[col]!r} (expected one of {', '.join(allowed)})"))
    if row.get("id") and not re.match(spec.id_pattern, row["id"]):
        out.append(Problem(shown, line, "id", f"id {row['id']!r} does not match the pattern {spec.id_pattern}"))
    if row.get("sample"):
        try:
            parse_bool(row["sample"])
        except ValueError:
            out.append(Problem(shown, line, "sample", f"bad sample flag {row['sample']!r} (use true or false)"))
    if row.get("updated"):
        try:
            parse_date(row["updated"])
        except ValueError:
            out.append(Problem(shown, line, "updated", f"bad date {row['updated']!r} (use YYYY-MM-DD)"))
    return out


def _number_or_none(row: dict[str, str], col: str) -> float | None:
    try:
        return parse_number(row.get(col, ""))
    except ValueError:
        return None


def _factory_row(shown: str, line: int, row: dict[str, str]) -> list[Problem]:
    status = row.get("status", "")
    out: list[Problem] = []
    if status in ("for_sale", "for_rent_or_sale") and not row.get("sale_price_yuan_m2"):
        out.append(Problem(shown, line, "sale_price_yuan_m2", f"needed when status is {status}"))
    if status in ("for_rent", "for_rent_or_sale") and not row.get("rent_yuan_m2_month"):
        out.append(Problem(shown, line, "rent_yuan_m2_month", f"needed when status is {status}"))
    return out


def _park_row(shown: str, line: int, row: dict[str, str]) -> list[Problem]:
    yuan, wan = _number_or_none(row, "land_price_yuan_m2"), _number_or_none(row, "land_price_wan_mu")
    if not row.get("land_price_yuan_m2") and not row.get("land_price_note"):
        return [Problem(shown, line, "land_price_note", "explain in land_price_note why there is no land price")]
    if yuan is not None and wan is not None and abs(yuan * MU_M2 / 10000 - wan) > 0.06:
        expected = round(yuan * MU_M2 / 10000, 1)
        message = f"{wan:g} does not match {yuan:g} 元/㎡ (expected {expected:g})"
        return [Problem(shown, line, "land_price_wan_mu", message)]
    return []


def _validate_csv(path: str | Path, spec: _CsvSpec,
                  row_check: Callable[[str, int, dict[str, str]], list[Problem]]) -> list[Problem]:
    shown = display_path(path)
    try:
        header, rows = read_csv(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [Problem(shown, None, None, f"cannot read file: {exc}")]
    return _validate_rows(shown, header, rows, spec, row_check)


def _validate_rows(shown: str, header: list[str], rows: list[tuple[int, dict[str, str]]], spec: _CsvSpec,
                   row_check: Callable[[str, int, dict[str, str]], list[Problem]]) -> list[Problem]:
    problems = [Problem(shown, 1, col, "missing required column") for col in spec.columns if col not in header]
    first_seen: dict[str, int] = {}
    for line, row in rows:
        problems += _cell_problems(shown, line, row, spec)
        problems += row_check(shown, line, row)
        ident = row.get("id", "")
        if ident and ident in first_seen:
            problems.append(Problem(shown, line, "id", f"duplicate id {ident!r} (first on line {first_seen[ident]})"))
        first_seen.setdefault(ident, line)
    return problems


def validate_factories_csv(path: str | Path) -> list[Problem]:
    return _validate_csv(path, _FACTORY_SPEC, _factory_row)


def validate_parks_csv(path: str | Path) -> list[Problem]:
    return _validate_csv(path, _PARK_SPEC, _park_row)


def validate_factory_rows(shown: str, rows: list[tuple[int, dict[str, str]]]) -> list[Problem]:
    """The CSV checks for rows read elsewhere (a spreadsheet): every schema column present, `__fields__` set."""
    return _validate_rows(shown, list(FACTORY_COLUMNS), rows, _FACTORY_SPEC, _factory_row)


def validate_park_rows(shown: str, rows: list[tuple[int, dict[str, str]]]) -> list[Problem]:
    return _validate_rows(shown, list(PARK_COLUMNS), rows, _PARK_SPEC, _park_row)


# ---------- document / rules metadata ----------

def validate_metadata(meta: Any, path: str | Path, prefix: str = "") -> list[Problem]:
    """Front matter / sidecar / rules `meta:` checks; `prefix` (e.g. 'meta.') is put before column names."""
    shown = display_path(path)
    if not isinstance(meta, dict):
        return [Problem(shown, None, prefix.rstrip(".") or None, "metadata must be a mapping")]

    def problem(key: str, message: str) -> Problem:
        return Problem(shown, None, prefix + key, message)

    out = [problem(k, "missing required key") for k in ("title", "issuer", "topic", "effective", "language")
           if meta.get(k) in (None, "")]
    if meta.get("topic") not in (None, "") and meta["topic"] not in TOPICS:
        out.append(problem("topic", f"unknown topic {meta['topic']!r} (expected one of {', '.join(TOPICS)})"))
    if meta.get("language") not in (None, "") and meta["language"] not in LANGUAGES:
        out.append(problem("language", f"unknown language {meta['language']!r} (expected zh or en)"))
    if meta.get("title_en") is not None and not isinstance(meta["title_en"], str):
        out.append(problem("title_en", f"bad English title {meta['title_en']!r} (use text)"))
    if "sample" in meta and not isinstance(meta["sample"], bool):
        out.append(problem("sample", f"bad sample flag {meta['sample']!r} (use true or false)"))
    dates: dict[str, dt.date] = {}
    for key in ("effective", "expires"):
        if meta.get(key) in (None, ""):
            continue
        try:
            dates[key] = parse_date(meta[key])
        except ValueError:
            out.append(problem(key, f"bad date {str(meta[key])!r} (use YYYY-MM-DD)"))
    if len(dates) == 2 and dates["expires"] < dates["effective"]:
        out.append(problem("expires", f"expires {dates['expires']} is before effective {dates['effective']}"))
    return out
