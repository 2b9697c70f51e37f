"""An English question checked against a mostly Chinese corpus: a topic from the lexicon's glossary (English
name -> Chinese equivalents) that the corpus names in neither language is one it cannot answer.

Longer phrases come first: "natural gas" is checked before "gas"."""

from __future__ import annotations

import re
from collections.abc import Mapping


def unknown_english_topic(question: str, corpus_text: str, glossary: Mapping[str, tuple[str, ...]],
                          lowered: str | None = None) -> str:
    """The first glossary topic named in the question that the corpus names in neither English nor Chinese.
    ``glossary``: the lexicon's English topic -> Chinese terms; ``lowered``: the corpus text in lower case, when
    the caller keeps it (it is long)."""
    if not glossary:
        return ""
    lowered = corpus_text.lower() if lowered is None else lowered
    entries = {k.lower(): v for k, v in glossary.items()}
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(entries, key=len, reverse=True)) + r")\b", re.I)
    for match in pattern.finditer(question):
        term = match.group(1).lower()
        if re.search(rf"\b{re.escape(term)}\b", lowered):
            continue
        if not any(zh in corpus_text for zh in entries[term]):
            return term
    return ""
