"""The structured side of a served index: factory and park rows, and the rules calculators read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from assistant.calculators import RuleSet
from assistant.documents import Chunk
from assistant.lexicon import Lexicon
from assistant.listings import Factory, Park, Places


def _rebuild(cls: type, row: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in row.items() if k in names}
    values["updated"] = dt.date.fromisoformat(str(values["updated"]))
    for key in ("industries", "leading_industries"):
        if key in values:
            values[key] = tuple(values[key])
    return cls(**values)


def joined(before: str, after: str) -> str:
    """Two pieces of one row that the chunker cut apart and stripped: Latin text on both sides had a space
    between them ("(sample data;" + "check …"), Chinese none."""
    latin = before and after and before[-1].isascii() and after[0].isascii()
    gap = " " if latin and not before[-1].isspace() and not after[0].isspace() else ""
    return before + gap + after


@dataclass
class Catalog:
    factories: list[Factory]
    parks: list[Park]
    rules: RuleSet | None
    row_chunks: dict[tuple[str, str], Chunk]  # (row id, language) -> the listing chunk to cite
    places: Places  # districts and parks of this index, with the names people use for them

    @classmethod
    def from_index(cls, structured: dict[str, Any], chunks: list[Chunk], corpus_dir: Path,
                   lexicon: Lexicon) -> Catalog:
        """The listings of a served index, its place catalogue (parks, factory rows and the passages' district
        metadata, named through the index's lexicon) and the rules."""
        factories: list[Factory] = []
        parks: list[Park] = []
        for data in structured.values():
            factories += [_rebuild(Factory, r) for r in data.get("factories", [])]
            parks += [_rebuild(Park, r) for r in data.get("parks", [])]
        row_chunks: dict[tuple[str, str], Chunk] = {}
        for c in chunks:  # a long row may span chunks: cite it whole
            if c.row_id and c.kind == "listing":
                key = (c.row_id, c.language)
                prev = row_chunks.get(key)
                row_chunks[key] = c if prev is None else replace(prev, text=joined(prev.text, c.text))
        places = Places.build(parks, factories, (c.district for c in chunks), lexicon)
        rules = None
        if (corpus_dir / "rules" / "tariffs.yaml").exists() and (corpus_dir / "listings" / "parks.csv").exists():
            try:
                rules = RuleSet.load(corpus_dir / "rules", corpus_dir / "listings", places)
            except (ValueError, KeyError, OSError):
                rules = None  # calculators are then unavailable; policy answers still work
        return cls(factories, parks, rules, row_chunks, places)

    def row_chunk(self, row_id: str, lang: str) -> Chunk | None:
        return self.row_chunks.get((row_id, lang)) or self.row_chunks.get((row_id, "zh"))
