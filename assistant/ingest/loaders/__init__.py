"""Find the files of a corpus and load each into a ``LoadedDocument``; problems become ``LoaderError``s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.documents import LoadedDocument
from assistant.ingest.loaders.errors import LoaderError, NeedsOCR, Unreadable, Unsupported
from assistant.lexicon import LEXICON_FILE

if TYPE_CHECKING:
    from assistant.ingest.loaders.ocr import PageOcr

__all__ = ["LoaderError", "NeedsOCR", "Unreadable", "Unsupported", "discover", "load_file", "SUPPORTED"]

SUPPORTED = (".pdf", ".md", ".markdown", ".txt", ".docx", ".csv", ".xlsx", ".yaml", ".yml")
# Files that describe the corpus or other files rather than being documents themselves.
_IGNORED_NAMES = {"readme.md", "license", ".gitkeep", ".ds_store"}


def _is_sidecar(path: Path) -> bool:
    return path.name.endswith(".meta.yaml") or path.name.endswith(".meta.yml")


def discover(root: Path) -> Iterator[Path]:
    """Every file under root that the builder should consider, in a stable order (hidden ones excluded)."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if path.name.lower() in _IGNORED_NAMES or _is_sidecar(path) or rel == Path(LEXICON_FILE):
            continue
        yield path


def doc_id_for(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def load_file(path: Path, root: Path, ocr: PageOcr | None = None) -> LoadedDocument:
    """``ocr`` reads PDF pages without a text layer; without it such a PDF raises ``NeedsOCR``."""
    doc_id = doc_id_for(path, root)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from assistant.ingest.loaders.pdf import load_pdf

        return load_pdf(path, doc_id, ocr)
    if suffix in (".md", ".markdown", ".txt"):
        from assistant.ingest.loaders.text import load_text

        return load_text(path, doc_id)
    if suffix == ".docx":
        from assistant.ingest.loaders.docx import load_docx

        return load_docx(path, doc_id)
    if suffix == ".xlsx":
        from assistant.ingest.loaders.spreadsheet import load_workbook_doc

        return load_workbook_doc(path, doc_id)
    if suffix == ".csv":
        from assistant.ingest.loaders.tabular import load_table

        return load_table(path, doc_id)
    if suffix in (".yaml", ".yml"):
        from assistant.ingest.loaders.rules import load_rules

        return load_rules(path, doc_id)
    raise Unsupported(f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED)})")
