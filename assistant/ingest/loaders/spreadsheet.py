"""Excel workbooks (.xlsx) as documents: every sheet read by value (``sheets``); a factory or park sheet mapped onto
the CSV listing schema and validated like listings/*.csv (``listing_sheets``, its column names and units in
``listing_columns``), each good row one block per language and a row of the structured table; other sheets become
text: a table row by row with its column names, a notes sheet line by line."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.documents import Block, LoadedDocument
from assistant.ingest.loaders.errors import Unreadable
from assistant.ingest.loaders.listing_sheets import Listing, listing_of
from assistant.ingest.loaders.metadata import build_meta, read_sidecar
from assistant.ingest.loaders.sheets import open_workbook, read_sheets
from assistant.ingest.loaders.table_rows import row_text
from assistant.settings import IngestBudgets
from assistant.validation import Problem, display_path


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
