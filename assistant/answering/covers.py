"""Whether a text holds a question's term: itself, a synonym or translation, its English stem, or all the parts
of a compound. The support check asks it of every sentence it judges."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from assistant.index import english_stem

Covers = Callable[[str, str], bool]  # (term, text) -> does the text hold it or an equivalent
_WORDS = re.compile(r"[a-z][a-z'-]+")


def make_covers(synonyms: Mapping[str, Sequence[str]],
                parts: Callable[[str], Sequence[str]] = lambda t: ()) -> Covers:
    """A term is held by a text that has it, one of its synonyms or translations, its English stem, or (for a
    compound: 先租后让) all of its ``parts``."""

    stems: dict[str, set[str]] = {}  # one text is asked about several terms

    def covers(term: str, text: str) -> bool:
        lowered = text.lower()
        if term in lowered or any(s and s.lower() in lowered for s in synonyms.get(term, ())):
            return True
        if term.isascii():
            if lowered not in stems:
                stems[lowered] = {english_stem(w) for w in _WORDS.findall(lowered)}
            return english_stem(term) in stems[lowered]
        pieces = [p for p in parts(term) if p != term and len(p) >= 2]
        return bool(pieces) and all(p in lowered for p in pieces)

    return covers
