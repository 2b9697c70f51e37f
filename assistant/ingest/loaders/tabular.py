"""CSV listings: each row becomes a searchable block and a row of the structured table (spreadsheets:
see ``spreadsheet``).

Park and factory sheets are recognised by their columns; any other table is indexed row by row with its
column names, so a row alone still reads as a fact."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.documents import Block, DocMeta, LoadedDocument
from assistant.ingest.loaders.budgets import read_text
from assistant.ingest.loaders.errors import Unreadable
from assistant.settings import IngestBudgets

_FACTORY_MARK = "clear_height_m"
_PARK_MARK = "land_price_yuan_m2"


def read_rows(path: Path, budgets: IngestBudgets | None = None) -> list[dict[str, str]]:
    try:
        text = read_text(path, budgets or IngestBudgets(), encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError) as exc:
        raise Unreadable(f"cannot read as UTF-8 CSV: {exc}") from exc
    return [dict(r) for r in csv.DictReader(io.StringIO(text))]


def load_table(path: Path, doc_id: str, budgets: IngestBudgets | None = None) -> LoadedDocument:
    rows = read_rows(path, budgets)
    if not rows:
        raise Unreadable("table has no data rows")
    columns = set(rows[0])
    if _FACTORY_MARK in columns or _PARK_MARK in columns:
        return _load_listing(path, doc_id, "factories" if _FACTORY_MARK in columns else "parks")
    meta = DocMeta(doc_id=doc_id, title=path.stem, kind="listing", language="zh")
    blocks = [Block(text="；".join(f"{k}：{v}" for k, v in row.items() if k and v) + "。") for row in rows]
    return LoadedDocument(meta=meta, blocks=[b for b in blocks if len(b.text) > 1])


def _load_listing(path: Path, doc_id: str, table: str) -> LoadedDocument:
    from assistant.listings.records import load_factories, load_parks

    try:
        records = load_factories(path) if table == "factories" else load_parks(path)
    except ValueError as exc:
        raise Unreadable(f"invalid {table} listing: {exc}") from exc
    title = "标准厂房房源清单" if table == "factories" else "园区信息清单"
    meta = DocMeta(doc_id=doc_id, title=title, kind="listing", topic="factories" if table == "factories" else "parks",
                   language="zh", sample=any(r.sample for r in records))
    blocks = [Block(text=r.to_text("zh"), row_id=r.id) for r in records]
    blocks += [Block(text=r.to_text("en"), row_id=r.id, language="en") for r in records]
    structured: dict[str, Any] = {table: [asdict(r) for r in records]}
    return LoadedDocument(meta=meta, blocks=blocks, structured=structured)
