"""Find the files of a corpus and load each into a ``LoadedDocument``; problems become ``LoaderError``s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.documents import LoadedDocument, Skipped
from assistant.ingest.loaders.budgets import check_chars, check_chunks, check_text_size, document_chars
from assistant.ingest.loaders.errors import LoaderError, NeedsOCR, TooLarge, Unreadable, Unsupported
from assistant.ingest.loaders.metadata import sidecar_path
from assistant.lexicon import LEXICON_FILE
from assistant.settings import IngestBudgets

if TYPE_CHECKING:
    from assistant.ingest.loaders.ocr import PageOcr

__all__ = ["LoaderError", "NeedsOCR", "TooLarge", "Unreadable", "Unsupported", "check_chunks", "check_text_size",
           "discover", "load_file", "SUPPORTED", "OUTSIDE"]

SUPPORTED = (".pdf", ".md", ".markdown", ".txt", ".docx", ".csv", ".xlsx", ".yaml", ".yml")
# Files that describe the corpus or other files rather than being documents themselves.
_IGNORED_NAMES = {"readme.md", "license", ".gitkeep", ".ds_store"}
OUTSIDE = "outside_corpus"  # the skip status of a symbolic link leading out of the corpus folder


def _is_sidecar(path: Path) -> bool:
    return path.name.endswith(".meta.yaml") or path.name.endswith(".meta.yml")


def discover(root: Path, skipped: list[Skipped] | None = None) -> Iterator[Path]:
    """Every file under root that the builder should consider, in a stable order (hidden ones excluded).

    Symbolic links are followed only while they stay inside the corpus folder. A link (to a file or a folder)
    that leads outside it is never read: it is left out, and recorded in ``skipped`` (when given) with the
    reason, as is a document whose metadata sidecar is such a link."""
    real_root = root.resolve()
    yield from _walk(root, root, real_root, (real_root,), skipped)


def _walk(root: Path, folder: Path, real_root: Path, ancestors: tuple[Path, ...],
          skipped: list[Skipped] | None) -> Iterator[Path]:
    # Depth first with each folder's entries by name: the order sorted(root.rglob("*")) gave.
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:  # a folder inside that cannot be listed is reported, not the end of the run
        if folder == root:
            raise
        if skipped is not None:
            skipped.append(Skipped(folder.relative_to(root).as_posix(), f"cannot list the folder: {exc.strerror}"))
        return
    for path in entries:
        if path.name.startswith((".", "_")) or path.name.lower() in _IGNORED_NAMES or _is_sidecar(path):
            continue  # a sidecar is read with its document, and judged with it below
        rel = path.relative_to(root).as_posix()
        if _leads_outside(path, real_root):
            if skipped is not None:
                what = "folder" if path.is_dir() else "file"
                skipped.append(Skipped(rel, f"symbolic link to a {what} outside the corpus folder; not followed",
                                       OUTSIDE))
            continue
        if path.is_dir():
            real = path.resolve()
            if real not in ancestors:  # a link back up the tree would loop
                yield from _walk(root, path, real_root, (*ancestors, real), skipped)
            continue
        if not path.is_file() or rel == LEXICON_FILE:  # the lexicon describes the corpus; it is no document
            continue
        side = sidecar_path(path)
        if _leads_outside(side, real_root):
            if skipped is not None:
                skipped.append(Skipped(rel, f"its metadata {side.name} is a symbolic link outside the corpus "
                                            "folder; not followed", OUTSIDE))
            continue
        yield path


def _leads_outside(path: Path, real_root: Path) -> bool:
    return path.is_symlink() and not path.resolve().is_relative_to(real_root)


def doc_id_for(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def load_file(path: Path, root: Path, ocr: PageOcr | None = None,
              budgets: IngestBudgets | None = None) -> LoadedDocument:
    """``ocr`` reads PDF pages without a text layer; without it such a PDF raises ``NeedsOCR``. ``budgets``
    (default: the settings' defaults) bound what the file may cost; past one it raises ``TooLarge``."""
    budgets = budgets or IngestBudgets()
    doc = _load(path, doc_id_for(path, root), ocr, budgets)
    check_chars(document_chars(doc), budgets)  # every format; the costly ones were held to it while reading
    return doc


def _load(path: Path, doc_id: str, ocr: PageOcr | None, budgets: IngestBudgets) -> LoadedDocument:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from assistant.ingest.loaders.pdf import load_pdf

        return load_pdf(path, doc_id, ocr, budgets)
    if suffix in (".md", ".markdown", ".txt"):
        from assistant.ingest.loaders.text import load_text

        return load_text(path, doc_id, budgets)
    if suffix == ".docx":
        from assistant.ingest.loaders.docx import load_docx

        return load_docx(path, doc_id, budgets)
    if suffix == ".xlsx":
        from assistant.ingest.loaders.spreadsheet import load_workbook_doc

        return load_workbook_doc(path, doc_id, budgets)
    if suffix == ".csv":
        from assistant.ingest.loaders.tabular import load_table

        return load_table(path, doc_id, budgets)
    if suffix in (".yaml", ".yml"):
        from assistant.ingest.loaders.rules import load_rules

        return load_rules(path, doc_id, budgets)
    raise Unsupported(f"unsupported file type '{suffix or path.name}' (supported: {', '.join(SUPPORTED)})")
