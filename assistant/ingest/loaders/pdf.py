"""PDFs through pypdf: page numbers kept, running headers/footers dropped, wrapped Chinese lines joined.

Pages without a usable text layer (scans) are read by OCR when the builder passes a ``PageOcr``; their
blocks are flagged ``ocr`` so the citation can say so."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from assistant.documents import Block, LoadedDocument
from assistant.ingest.loaders.budgets import check_pages
from assistant.ingest.loaders.errors import LoaderError, NeedsOCR, TooLarge, Unreadable
from assistant.ingest.loaders.metadata import build_meta, read_sidecar
from assistant.ingest.loaders.pdf_tables import PdfTables
from assistant.settings import IngestBudgets

if TYPE_CHECKING:
    from assistant.ingest.loaders.ocr import PageOcr

_PAGE_NUMBER = re.compile(r"^[\s\-—–~·]*(第\s*\d+\s*页(\s*共\s*\d+\s*页)?|\d+\s*(/\s*\d+)?|page\s*\d+)[\s\-—–~·]*$", re.I)
_NEW_LINE_START = re.compile(
    r"^(第[一二三四五六七八九十百零〇\d]+[条章节]|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+[.、]\s*\D|附件|附表)")
_SENTENCE_END = "。！？；：!?;:”』」)）"
_DOC_NUMBER_END = re.compile(r"〔\d{4}〕\d+号$")
_MIN_CHARS_PER_PAGE = 15  # below this the page has no usable text layer (OcrSettings.min_text_chars)


def _norm(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip())


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _numeric_row(line: str) -> bool:
    """Table rows keep their own line: cells are separated by ASCII spaces, which Chinese prose lacks."""
    cells = [c for c in line.split(" ") if c]
    numeric = sum(1 for c in cells if re.fullmatch(r"[\d.,%]+", c))
    return numeric >= 2 or (len(cells) >= 4 and all(len(c) <= 16 for c in cells))


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines near the top or bottom that repeat on at least half the pages (digits normalised)."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        # Running headers and footers are short; long edge lines are body text on sparse pages.
        edge = {_norm(x) for x in lines[:2] + lines[-2:] if x.strip() and len(x.strip()) <= 40}
        counts.update(edge)
    need = max(2, (len(pages) + 1) // 2)
    return {line for line, n in counts.items() if n >= need}


def join_lines(lines: list[str]) -> list[str]:
    """Merge lines broken inside a sentence into paragraphs."""
    paras: list[str] = []
    broken = False  # an empty line ends the paragraph (OCR marks lines that stop short of the margin)
    for raw in lines:
        line = raw.strip()
        if not line:
            broken = True
            continue
        prev = "" if broken else (paras[-1] if paras else "")
        broken = False
        if (prev and prev[-1] not in _SENTENCE_END and not _DOC_NUMBER_END.search(prev)
                and not _NEW_LINE_START.match(line)
                and not _numeric_row(line) and not _numeric_row(prev)):
            sep = "" if _is_cjk(prev[-1]) or _is_cjk(line[0]) else " "
            paras[-1] = prev + sep + line
        else:
            paras.append(line)
    return paras


def read_pdf_pages(path: Path, budgets: IngestBudgets | None = None) -> list[str]:
    """The text layer of each page. The page count (from the page tree) is held to the budget before any
    text is extracted, and the text to ``max_chars`` page by page."""
    budgets = budgets or IngestBudgets()
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("encrypted PDF (password required)")
        pages = reader.pages
        check_pages(len(pages), budgets)
        texts: list[str] = []
        chars = 0
        for number, page in enumerate(pages, start=1):
            texts.append(page.extract_text() or "")
            chars += len(texts[-1])
            if chars > budgets.max_chars:
                raise TooLarge(f"more than {budgets.max_chars:,} characters of text by p.{number} of {len(pages):,}, "
                               f"where reading stopped (limit {budgets.max_chars:,} characters)")
        return texts
    except LoaderError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise Unreadable(f"corrupt or unreadable PDF: {exc}") from exc
    except Exception as exc:  # pypdf raises many types on damaged files; all mean "unreadable"
        raise Unreadable(f"corrupt or unreadable PDF: {type(exc).__name__}: {exc}") from exc


def _chars(text: str) -> int:
    return len("".join(text.split()))


def load_pdf(path: Path, doc_id: str, ocr: PageOcr | None = None,
             budgets: IngestBudgets | None = None) -> LoadedDocument:
    texts = read_pdf_pages(path, budgets)
    if not texts:
        raise Unreadable("PDF has no pages")
    pages = [text.splitlines() for text in texts]
    scanned: set[int] = set()  # page numbers whose lines came from OCR
    warnings: list[str] = []
    if ocr is None:
        if sum(_chars(t) for t in texts) < _MIN_CHARS_PER_PAGE * len(texts):
            raise NeedsOCR(f"no text layer on {len(texts)} page(s): needs OCR, which is turned off")
    else:
        need = [n for n, text in enumerate(texts, start=1) if _chars(text) < ocr.min_text_chars]
        for number, lines in ocr.read_pages(path, need).items() if need else ():
            if any(x.strip() for x in lines):
                pages[number - 1] = lines
                scanned.add(number)
            else:
                warnings.append(f"p.{number}: no text layer and OCR found no legible text; page skipped")
        if not any(_chars(t) for lines in pages for t in lines):
            # Still a scan without usable text, so the same status as with OCR off; the reason says OCR ran.
            raise NeedsOCR(f"no text layer on {len(pages)} page(s) and OCR found no legible text on them "
                           "(blank or illegible scan)")
    running = _running_lines(pages)
    blocks: list[Block] = []
    tables = PdfTables()
    for number, lines in enumerate(pages, start=1):
        kept = [x for x in lines if _norm(x) not in running and not _PAGE_NUMBER.match(x)]
        from_ocr = number in scanned
        for i, para in enumerate(tables.render(join_lines(kept))):
            # A paragraph cut by a page break continues on this page: glue it back, keeping its first page.
            # (Within a page join_lines has already decided where paragraphs end.)
            if (i == 0 and blocks and blocks[-1].ocr == from_ocr and blocks[-1].text[-1] not in _SENTENCE_END
                    and not _NEW_LINE_START.match(para)
                    and not _numeric_row(para) and not _numeric_row(blocks[-1].text)):
                prev = blocks.pop()
                blocks.append(Block(text=prev.text + para, page=prev.page, page_end=number, ocr=from_ocr))
            else:
                blocks.append(Block(text=para, page=number, page_end=number, ocr=from_ocr))
    meta = build_meta(doc_id, read_sidecar(path), default_title=_pdf_title(path), kind="policy")
    return LoadedDocument(meta=meta, blocks=blocks, warnings=warnings)


def _pdf_title(path: Path) -> str:
    try:
        title = (PdfReader(str(path)).metadata or {}).get("/Title")
    except Exception:  # metadata is optional; a damaged info dict only costs the title
        title = None
    return str(title) if title else path.stem
