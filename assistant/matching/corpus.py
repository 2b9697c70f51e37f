"""A matcher over a corpus folder (rules/, listings/, lexicon.yaml), without an index: for the command line.
The web app builds its matcher from the served index's catalogue instead, so both read the same files."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from assistant.calculators import RuleSet
from assistant.listings import Factory
from assistant.matching.matcher import Matcher
from assistant.settings import MatchSettings

_LISTING_SUFFIXES = (".csv", ".xlsx")


def listing_factories(listings: Path) -> list[Factory]:
    """Every factory row of the listing files (CSV and Excel), read by the ingest loaders."""
    from assistant.ingest import load_file  # the loaders pull in the index builder: only when a CLI match runs

    names = {f.name for f in fields(Factory)}
    out: list[Factory] = []
    for path in sorted(p for p in listings.iterdir() if p.suffix.lower() in _LISTING_SUFFIXES):
        doc = load_file(path, listings.parent)
        for row in (doc.structured or {}).get("factories", []):
            values = {k: tuple(v) if isinstance(v, list) else v for k, v in row.items() if k in names}
            out.append(Factory(**values))
    return out


def load_matcher(corpus_dir: Path, settings: MatchSettings | None = None) -> Matcher:
    """ValueError (with file and line) when a rules file is invalid."""
    rules = RuleSet.load(corpus_dir / "rules", corpus_dir / "listings")
    return Matcher(rules, listing_factories(corpus_dir / "listings"), settings)
