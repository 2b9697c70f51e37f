"""An English question checked against a mostly Chinese corpus: a topic from the lexicon's glossary (English
name -> Chinese equivalents) that the corpus names in neither language is one it cannot answer.

Longer phrases come first: "natural gas" is checked before "gas"."""

from __future__ import annotations

import re

from assistant.lexicon import Lexicon


def unknown_english_topic(question: str, corpus_text: str, lexicon: Lexicon, lowered: str | None = None) -> str:
    """The first topic of the lexicon's glossary named in the question that the corpus names in neither English
    nor Chinese. ``lowered``: the corpus text in lower case, when the caller keeps it (it is long)."""
    pattern, entries = lexicon.glossary_terms
    if pattern is None:
        return ""
    lowered = corpus_text.lower() if lowered is None else lowered
    for match in pattern.finditer(question):
        term = match.group(1).lower()
        if re.search(rf"\b{re.escape(term)}\b", lowered):
            continue
        if not any(zh in corpus_text for zh in entries[term]):
            return term
    return ""
