"""Character accuracy of OCR against the source of the scanned sample (tools/scan_sources/*.md).

accuracy = 1 - edit distance / reference length, after removing whitespace and normalising punctuation
(full-width and half-width forms, dashes, brackets), so that a recogniser writing ``)`` for ``）`` is not
counted wrong while a wrong or missing character is."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_DASHES = re.compile(r"[‐‑‒–—―−~～]")
_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "【": "[", "】": "]", "「": '"', "」": '"', "“": '"', "”": '"',
                           "‘": "'", "’": "'", "《": "<", "》": ">", "·": ".", "•": "."})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    return _DASHES.sub("-", "".join(text.split()))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions all cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def char_accuracy(recognised: str, reference: str) -> float:
    ref, got = normalise(reference), normalise(recognised)
    if not ref:
        return 1.0 if not got else 0.0
    return max(0.0, 1 - edit_distance(got, ref) / len(ref))


def printed_text(source: Path) -> str:
    """What the scanned sample prints, in reading order: the red header, the title and document number,
    the body and the signature (the page number is left out, as the loader drops it)."""
    from tools.policy_pdfs import load_source

    src = load_source(source)
    parts = [f"{src.meta['issuer']}文件"]
    for n, block in enumerate(src.blocks):
        parts.append(block.text if block.kind != "table" else "".join("".join(row) for row in block.rows))
        if n == 0:
            parts.append(str(src.meta["doc_number"]))
    return "\n".join(parts)
