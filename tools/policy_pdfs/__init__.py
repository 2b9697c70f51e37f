"""The sample policy PDFs of corpus/policies/, typeset from the Markdown sources in tools/pdf_sources/ (and, by
tools/make_scanned_pdf.py, tools/scan_sources/): sources (front matter and blocks), fonts, layout, typesetter
(one source as a PDF) and output (PDF and sidecar files, the scripts' shared options)."""

from __future__ import annotations

from tools.policy_pdfs.fonts import FontChoice, check_glyphs, find_font
from tools.policy_pdfs.output import (
    DEFAULT_OUT,
    REPO_ROOT,
    build,
    print_written,
    source_parser,
    sources_and_font,
    write_sidecar,
)
from tools.policy_pdfs.sources import META_KEYS, Block, Source, SourceError, load_source
from tools.policy_pdfs.typesetter import Renderer

__all__ = ["DEFAULT_OUT", "META_KEYS", "REPO_ROOT", "Block", "FontChoice", "Renderer", "Source", "SourceError",
           "build", "check_glyphs", "find_font", "load_source", "print_written", "source_parser",
           "sources_and_font", "write_sidecar"]
