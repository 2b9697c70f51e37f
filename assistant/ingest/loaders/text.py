"""Markdown and plain-text documents: front matter for metadata, headings kept, tables kept as rows."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.documents import Block, LoadedDocument
from assistant.ingest.loaders.budgets import read_text
from assistant.ingest.loaders.errors import Unreadable
from assistant.ingest.loaders.metadata import build_meta, split_front_matter
from assistant.ingest.loaders.table_rows import row_text
from assistant.settings import IngestBudgets

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_INLINE = [(re.compile(r"\*\*(.+?)\*\*"), r"\1"), (re.compile(r"__(.+?)__"), r"\1"),
           (re.compile(r"`([^`]+)`"), r"\1"), (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1")]


def _clean_inline(line: str) -> str:
    for pattern, repl in _INLINE:
        line = pattern.sub(repl, line)
    return line.strip()


def _cells(line: str) -> list[str]:
    return [_clean_inline(c) for c in line.strip().strip("|").split("|")]


def _table_rows(lines: list[str]) -> list[str]:
    """Render a Markdown table so each row keeps its column names (a row alone still makes sense)."""
    header = _cells(lines[0])
    rows = []
    for line in lines[1:]:
        if _TABLE_RULE.match(line):
            continue
        rows.append(row_text(header, _cells(line)))
    return rows


def markdown_blocks(body: str) -> list[Block]:
    """Paragraph blocks, each with the heading path it sits under."""
    blocks: list[Block] = []
    headings: list[str] = []
    para: list[str] = []
    table: list[str] = []

    def heading() -> str:
        return " / ".join(headings[1:]) if len(headings) > 1 else ""

    def flush() -> None:
        if table:
            blocks.extend(Block(text=row, heading=heading()) for row in _table_rows(table))
            table.clear()
        if para:
            blocks.append(Block(text=_join(para), heading=heading()))
            para.clear()

    for raw in body.splitlines():
        line = raw.rstrip()
        match = _HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            del headings[level - 1:]
            headings.extend([""] * (level - 1 - len(headings)))
            headings.append(_clean_inline(match.group(2)))
            continue
        if line.lstrip().startswith("|"):
            if para:
                flush()
            table.append(line)
            continue
        if table:
            flush()
        if not line.strip():
            flush()
            continue
        para.append(_clean_inline(re.sub(r"^\s*(?:[-*+]|>)\s+", "", line)))
    flush()
    return [b for b in blocks if b.text.strip()]


def _join(lines: list[str]) -> str:
    """Join wrapped lines; Chinese needs no space between them, other scripts do."""
    out = lines[0]
    for line in lines[1:]:
        if re.match(r"^(第[一二三四五六七八九十百零〇\d]+条|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、])", line):
            out += "\n" + line
        elif out and _is_cjk(out[-1]) and _is_cjk(line[0]):
            out += line
        else:
            out += " " + line
    return out


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def load_text(path: Path, doc_id: str, budgets: IngestBudgets | None = None) -> LoadedDocument:
    try:
        text = read_text(path, budgets or IngestBudgets())
    except (UnicodeDecodeError, OSError) as exc:
        raise Unreadable(f"cannot read as UTF-8 text: {exc}") from exc
    try:
        raw, body = split_front_matter(text)
    except Exception as exc:  # yaml raises several types; all mean the same to staff
        raise Unreadable(f"front matter is not valid YAML: {exc}") from exc
    title = raw.get("title") or _first_heading(body) or path.stem
    meta = build_meta(doc_id, raw, default_title=str(title), kind="policy")
    return LoadedDocument(meta=meta, blocks=markdown_blocks(body))


def _first_heading(body: str) -> str:
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            return _clean_inline(match.group(2))
    return ""
