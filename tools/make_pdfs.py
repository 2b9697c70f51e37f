"""Generate the sample policy PDFs in corpus/policies/ from Markdown sources in tools/pdf_sources/.

Each source is a Markdown file with the corpus front matter (title, title_en if any, issuer, doc_number, topic,
district, effective, expires, language, sample). For every source ``<stem>.md`` the script writes
``corpus/policies/<stem>.pdf`` (government-document layout: red header on each page, document number
under the title, ``— N —`` page numbers) and the sidecar ``corpus/policies/<stem>.meta.yaml``.

The sources live outside corpus/ so that the ingester does not read the same text twice.
The generated PDFs are committed, so CI never needs a CJK font; only whoever edits a source does.

Usage:
    .venv/bin/python tools/make_pdfs.py                 # all sources
    .venv/bin/python tools/make_pdfs.py --only gy-land-supply-price-guide
    .venv/bin/python tools/make_pdfs.py --font /path/to/font.ttc --font-index 0

Markdown subset understood: ``# title``, ``## chapter`` (centred), ``### section``, paragraphs (lines
joined without spaces), ``- `` bullet items, ``> `` notice boxes, pipe tables, ``**bold**`` (markers are
dropped) and a ``<!-- signature -->`` marker after which every line is set flush right (issuer, date).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make ``tools.policy_pdfs`` importable
    sys.path.insert(0, str(REPO_ROOT))

from tools.policy_pdfs import build, print_written, source_parser, sources_and_font  # noqa: E402

DEFAULT_SOURCES = REPO_ROOT / "tools" / "pdf_sources"


def main(argv: list[str] | None = None) -> int:
    args = source_parser(__doc__.split("\n\n")[0], DEFAULT_SOURCES).parse_args(argv)
    sources, font = sources_and_font(args, "make_pdfs")
    print_written(build(sources, font, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
