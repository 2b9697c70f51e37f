"""The records that flow from loaders through the chunker into the index, and back out as citations."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Kind = Literal["policy", "guide", "listing", "rule", "text"]
TOPICS = ("overview", "parks", "factories", "electricity", "land", "talent", "incentives", "tax", "service")


@dataclass(frozen=True)
class DocMeta:
    """Metadata every document carries (front matter, PDF sidecar, or derived for listings and rules)."""

    doc_id: str  # path relative to the corpus root, posix style
    title: str
    kind: Kind = "policy"
    issuer: str = ""
    doc_number: str = ""
    topic: str = ""
    district: str = ""
    effective: str = ""  # YYYY-MM-DD or ""
    expires: str = ""
    language: str = "zh"
    sample: bool = False


@dataclass(frozen=True)
class Block:
    """A piece of a loaded document before chunking: a page of a PDF, a section of Markdown, a row."""

    text: str
    page: int | None = None
    heading: str = ""
    page_end: int | None = None
    language: str = ""  # overrides the document's language (listings carry zh and en renderings)
    row_id: str = ""  # listing id (F-001) or rule id, so answers can join the structured table
    ocr: bool = False  # read by OCR from a page image: the citation says so


@dataclass
class LoadedDocument:
    meta: DocMeta
    blocks: list[Block]
    structured: dict[str, Any] = field(default_factory=dict)  # listings rows / parsed rules, kept beside the index
    warnings: list[str] = field(default_factory=list)  # what was left out (a bad row, an illegible page), for the report


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    text: str
    title: str
    kind: str = "policy"
    topic: str = ""
    district: str = ""
    language: str = "zh"
    sample: bool = False
    effective: str = ""
    expires: str = ""
    issuer: str = ""
    doc_number: str = ""
    heading: str = ""
    article: str = ""
    page: int = 0  # 0 = no page
    page_end: int = 0
    row_id: str = ""
    seq: int = 0  # position within its document
    ocr: bool = False  # text read by OCR from a scanned page
    flagged: str = ""  # sentences taken out of ``text`` at ingest as addressed to an AI (one a line), for staff

    @property
    def chunk_id(self) -> str:
        digest = hashlib.sha1(f"{self.doc_id}\x00{self.seq}\x00{self.text}".encode()).hexdigest()[:16]
        return f"{self.doc_id}#{self.seq}-{digest}"

    @property
    def locator(self) -> str:
        """Human citation locator, e.g. '第五条, p.3', 'p.2，OCR识别' or 'F-003'."""
        parts = [p for p in (self.article or self.heading, self.row_id) if p]
        if self.page:
            pages = f"p.{self.page}" if self.page_end in (0, self.page) else f"pp.{self.page}-{self.page_end}"
            if self.ocr:  # the reader should know the text may hold recognition errors
                pages += "，OCR识别" if self.language == "zh" else ", OCR"
            parts.append(pages)
        return ", ".join(parts)

    def to_metadata(self) -> dict[str, str | int | bool]:
        """Flat metadata for the vector store (Chroma accepts no None)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "text"}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Skipped:
    """A file the loaders could not use, with the reason shown to staff."""

    path: str
    reason: str
    status: Literal["needs_ocr", "unreadable", "unsupported", "invalid", "outside_corpus", "too_large"] = "unreadable"
