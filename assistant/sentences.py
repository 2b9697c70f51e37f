"""Where a text is cut into sentences, for the chunker and the composer alike: never inside an aside in brackets
("（前两年免租；后三年减半）", "(see Art. 5. The cap applies)"). A bracket left open holds the text together only
to the end of its line, or for MAX_ASIDE characters."""

from __future__ import annotations

from collections.abc import Callable

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
