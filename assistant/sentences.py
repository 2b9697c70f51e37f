"""Where a text is cut into sentences, for the chunker and the composer alike: never inside an aside in brackets
("（前两年免租；后三年减半）", "(see Art. 5. The cap applies)"). A bracket left open holds the text together only
to the end of its line, or for MAX_ASIDE characters."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

OPENING, CLOSING = frozenset("（([【〔"), frozenset("）)]】〕")
MAX_ASIDE = 200  # characters a bracket left open holds together at most


def cut_points(text: str, ends: Callable[[str, int], bool]) -> list[int]:
    """The indices after which ``text`` is cut: where ``ends(text, i)`` holds outside brackets. A newline always
    closes what is open, so a caller that ends sentences at newlines cuts there."""
    out: list[int] = []
    depth = opened = 0
    for i, ch in enumerate(text):
        if ch in OPENING:
            opened = i if depth == 0 else opened
            depth += 1
        elif ch in CLOSING:
            depth = max(0, depth - 1)
        if ch == "\n" or (depth and i - opened >= MAX_ASIDE):
            depth = 0  # a stray bracket does not hold the rest of the text together
        if depth == 0 and ends(text, i):
            out.append(i)
    return out


def sentences(text: str) -> list[str]:
    """The sentences an answer quotes: cut after 。！？!? and a line's end, and after a "." that ends an English
    sentence. Clauses joined by ；/; stay together: the figure that answers often sits in the clause after the one
    that matches the question (e.g. "…100%加计扣除；形成无形资产的，按200%摊销。"). An aside in brackets stays
    whole ("补贴（条件：注册满一年。纳税正常）50万元。"). Pieces under four characters are left out."""
    return list(_sentences(text))


@lru_cache(maxsize=4096)  # a passage is cut once, though every candidate judged in it asks again
def _sentences(text: str) -> tuple[str, ...]:
    parts, start = [], 0
    for i in cut_points(text, _sentence_end):
        parts.append(text[start:i + 1])
        start = i + 1
    parts.append(text[start:])
    return tuple(p.strip() for p in parts if len(p.strip()) >= 4)


def _sentence_end(text: str, i: int) -> bool:
    ch = text[i]
    return ch in "。！？!?\n" or (ch == "." and bool(re.match(r"\s+[A-Z(]", text[i + 1:])))
