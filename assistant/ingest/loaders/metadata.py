"""Front matter and sidecar metadata, shared by the Markdown and PDF loaders."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from assistant.documents import DocMeta, Kind
from assistant.ingest.loaders.errors import Unreadable

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)
FRONT_MATTER_SUFFIXES = (".md", ".markdown", ".txt")  # metadata in the file; any other file has a sidecar
RULE_SUFFIXES = (".yaml", ".yml")  # except the rule files, whose metadata is their ``meta`` block
_HEAD_CHARS = 20_000  # front matter is at the top: an English title is never read past this


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (metadata, body). Text without front matter yields an empty dict."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        return {}, text
    data = yaml.safe_load(match.group(1)) or {}
    if not isinstance(data, dict):
        raise ValueError("front matter is not a mapping")
    return data, text.lstrip("\ufeff")[match.end():]


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.yaml")


def read_sidecar(path: Path) -> dict[str, Any]:
    side = sidecar_path(path)
    if not side.exists():
        return {}
    try:
        data = yaml.safe_load(side.read_text(encoding="utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as exc:  # as with bad front matter: skip, never guess metadata
        raise Unreadable(f"metadata sidecar {side.name} is not valid UTF-8 YAML: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def build_meta(doc_id: str, raw: dict[str, Any], *, default_title: str, kind: Kind) -> DocMeta:
    """Map raw metadata onto DocMeta with forgiving defaults; validation reports problems separately."""
    language = _text(raw.get("language")) or "zh"
    return DocMeta(
        doc_id=doc_id,
        title=_text(raw.get("title")) or default_title,
        kind=kind if kind != "policy" or language == "zh" else "guide",
        issuer=_text(raw.get("issuer")),
        doc_number=_text(raw.get("doc_number")),
        topic=_text(raw.get("topic")),
        district=_text(raw.get("district")),
        effective=_text(raw.get("effective")),
        expires=_text(raw.get("expires")),
        language=language,
        sample=bool(raw.get("sample", False)),
    )


def english_title(path: Path) -> str:
    """A document's English title: ``title_en`` of its front matter (Markdown, text), of a rule file's ``meta``, or of
    its sidecar (PDF, Word, listings); "" when it gives none or its metadata cannot be read (the index reports that, not this)."""
    try:
        if path.suffix.lower() in FRONT_MATTER_SUFFIXES:
            with path.open(encoding="utf-8", errors="replace") as fh:
                raw, _body = split_front_matter(fh.read(_HEAD_CHARS))
        elif path.suffix.lower() in RULE_SUFFIXES:  # a rule file carries its metadata under ``meta``
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            meta = data.get("meta") if isinstance(data, dict) else None
            raw = meta if isinstance(meta, dict) else {}
        else:
            raw = read_sidecar(path)
    except (OSError, ValueError, yaml.YAMLError, Unreadable):
        return ""
    value = raw.get("title_en")
    return value.strip() if isinstance(value, str) else ""
