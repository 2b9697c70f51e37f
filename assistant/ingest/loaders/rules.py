"""YAML rules (tariffs, land, incentives): one searchable block per rule, with the parsed data kept."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.documents import Block, DocMeta, LoadedDocument
from assistant.ingest.loaders.budgets import read_text
from assistant.ingest.loaders.errors import Unreadable
from assistant.ingest.loaders.metadata import build_meta
from assistant.settings import IngestBudgets


def load_rules(path: Path, doc_id: str, budgets: IngestBudgets | None = None) -> LoadedDocument:
    from assistant.calculators import rule_texts_for_file

    try:
        raw = yaml.safe_load(read_text(path, budgets or IngestBudgets())) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise Unreadable(f"not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise Unreadable("YAML top level is not a mapping")
    try:
        texts = rule_texts_for_file(path)
    except (KeyError, ValueError, TypeError) as exc:
        raise Unreadable(f"rules file does not match its schema: {exc}") from exc
    base = build_meta(doc_id, raw.get("meta") or {}, default_title=path.stem, kind="rule")
    meta = DocMeta(**{**base.__dict__, "kind": "rule"})
    blocks = [Block(text=t.text, row_id=t.id) for t in texts]
    return LoadedDocument(meta=meta, blocks=blocks, structured={"rules": {path.stem: raw}})
