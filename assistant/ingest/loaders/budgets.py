"""The ingest budgets (``IngestBudgets``) that apply to every format: characters, pages, chunks, and the byte
size of a text file before it is read. Zip packages (.docx/.xlsx) have their own checks in ``ooxml``."""

from __future__ import annotations

from pathlib import Path

from assistant.documents import LoadedDocument
from assistant.ingest.loaders.errors import TooLarge
from assistant.settings import IngestBudgets

MB = 1024 * 1024
TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".csv", ".yaml", ".yml")
_MAX_UTF8_BYTES = 4  # a character takes at most 4 bytes of UTF-8, so a file has at least size/4 of them


def size_text(n: int) -> str:
    """812 MB, 3.1 MB, 5 KB: a size as staff read it."""
    return f"{n / MB:,.1f} MB" if n >= MB else f"{max(n, 1) / 1024:,.0f} KB"


def check_text_size(path: Path, budgets: IngestBudgets) -> None:
    """A text file whose bytes alone prove it is past ``max_chars``: judged without reading it."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # the loader's own read reports it
    if size > _MAX_UTF8_BYTES * budgets.max_chars:
        raise TooLarge(f"{size_text(size)} of text: at least {size // _MAX_UTF8_BYTES:,} characters "
                       f"(limit {budgets.max_chars:,} characters)")


def read_text(path: Path, budgets: IngestBudgets, encoding: str = "utf-8") -> str:
    """The file's text, its size and then its length checked against ``max_chars`` before anything parses it.
    Decoding and OS errors are the caller's to word."""
    check_text_size(path, budgets)
    text = path.read_text(encoding=encoding)
    check_chars(len(text), budgets)
    return text


def check_chars(count: int, budgets: IngestBudgets) -> None:
    if count > budgets.max_chars:
        raise TooLarge(f"{count:,} characters of text (limit {budgets.max_chars:,} characters)")


def document_chars(doc: LoadedDocument) -> int:
    return sum(len(block.text) for block in doc.blocks)


def check_pages(count: int, budgets: IngestBudgets) -> None:
    if count > budgets.max_pages:
        raise TooLarge(f"{count:,} pages (limit {budgets.max_pages:,} pages)")


def check_chunks(count: int, budgets: IngestBudgets) -> None:
    if count > budgets.max_chunks:
        raise TooLarge(f"{count:,} chunks (limit {budgets.max_chunks:,} chunks a file)")
