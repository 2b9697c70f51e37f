"""The Markdown sources of the sample PDFs: corpus front matter, checked, and the body as typed blocks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

META_KEYS: tuple[str, ...] = (
    "title", "title_en", "issuer", "doc_number", "topic", "district", "effective", "expires", "language", "sample",
)
REQUIRED_KEYS: tuple[str, ...] = ("title", "issuer", "topic", "effective", "language", "sample")
TOPICS = {"overview", "parks", "factories", "electricity", "land", "talent", "incentives", "tax", "service"}


class SourceError(Exception):
    """A Markdown source is malformed (front matter or body)."""


@dataclass
class Block:
    kind: str  # title | chapter | section | para | bullet | notice | table | signature
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    path: Path
    meta: dict[str, object]
    blocks: list[Block]

    @property
    def stem(self) -> str:
        return self.path.stem


def split_front_matter(text: str, path: Path) -> tuple[dict[str, object], str]:
    if not text.startswith("---\n"):
        raise SourceError(f"{path}: missing front matter")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise SourceError(f"{path}: unterminated front matter")
    meta = yaml.safe_load(text[4:end]) or {}
    if not isinstance(meta, dict):
        raise SourceError(f"{path}: front matter is not a mapping")
    return meta, text[end + 5:]


def normalise_date(value: object, key: str, path: Path) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise SourceError(f"{path}: {key} must be YYYY-MM-DD, got {value!r}")


def validate_meta(meta: dict[str, object], path: Path) -> dict[str, object]:
    missing = [k for k in REQUIRED_KEYS if meta.get(k) in (None, "")]
    if missing:
        raise SourceError(f"{path}: missing front matter keys {missing}")
    unknown = sorted(set(meta) - set(META_KEYS))
    if unknown:
        raise SourceError(f"{path}: unknown front matter keys {unknown}")
    if meta["topic"] not in TOPICS:
        raise SourceError(f"{path}: topic {meta['topic']!r} not in {sorted(TOPICS)}")
    if meta["language"] not in ("zh", "en"):
        raise SourceError(f"{path}: language must be zh or en")
    if not isinstance(meta["sample"], bool):
        raise SourceError(f"{path}: sample must be true or false")
    clean: dict[str, object] = {}
    for key in META_KEYS:
        value = meta.get(key, "")
        if key in ("effective", "expires"):
            value = normalise_date(value, key, path)
        elif key != "sample":
            value = "" if value is None else str(value)
        clean[key] = value
    if not clean["effective"]:
        raise SourceError(f"{path}: effective is required")
    return clean


def strip_inline(text: str) -> str:
    return text.replace("**", "").replace("`", "")


def parse_table(lines: list[str]) -> list[list[str]]:
    rows = []
    for line in lines:
        cells = [strip_inline(c.strip()) for c in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
            continue  # separator row
        rows.append(cells)
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise SourceError(f"table rows have different cell counts: {sorted(widths)}")
    return rows


def parse_body(body: str, path: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = body.splitlines()
    i = 0
    para: list[str] = []
    in_signature = False

    def flush() -> None:
        if para:
            blocks.append(Block("para", strip_inline("".join(s.strip() for s in para))))
            para.clear()

    while i < len(lines):
        line = lines[i].rstrip()
        stripped = line.strip()
        if stripped == "<!-- signature -->":
            flush()
            in_signature = True
        elif in_signature:
            if stripped:
                blocks.append(Block("signature", strip_inline(stripped)))
        elif not stripped:
            flush()
        elif stripped.startswith("|"):
            flush()
            table_lines = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                table_lines.append(lines[i])
                i += 1
            try:
                blocks.append(Block("table", rows=parse_table(table_lines)))
            except SourceError as exc:
                raise SourceError(f"{path}: {exc}") from None
            continue
        elif stripped.startswith("### "):
            flush()
            blocks.append(Block("section", strip_inline(stripped[4:])))
        elif stripped.startswith("## "):
            flush()
            blocks.append(Block("chapter", strip_inline(stripped[3:])))
        elif stripped.startswith("# "):
            flush()
            blocks.append(Block("title", strip_inline(stripped[2:])))
        elif stripped.startswith("- "):
            flush()
            blocks.append(Block("bullet", strip_inline(stripped[2:])))
        elif stripped.startswith(">"):
            flush()
            text = stripped.lstrip(">").strip()
            if blocks and blocks[-1].kind == "notice" and blocks[-1].text and text:
                blocks[-1].text += text
            elif text:
                blocks.append(Block("notice", strip_inline(text)))
        else:
            para.append(stripped)
        i += 1
    flush()
    if not blocks or blocks[0].kind != "title":
        raise SourceError(f"{path}: body must start with '# title'")
    return blocks


def load_source(path: Path) -> Source:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    clean = validate_meta(meta, path)
    blocks = parse_body(body, path)
    if blocks[0].text != clean["title"]:
        raise SourceError(f"{path}: '# {blocks[0].text}' differs from front matter title")
    return Source(path, clean, blocks)
