"""What counts as typed text. A question or a form field made only of invisible characters (whitespace, control
characters (Unicode category Cc, e.g. U+001D, NUL) and format characters (Cf: U+200B, U+FEFF, bidi marks)) says
nothing: every surface treats it as empty (the API and forms: 422; the page: nothing happens; the CLI: an error),
and ``ChatService`` refuses it with ``EmptyQuestion``, never a server error."""

from __future__ import annotations

import unicodedata

_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in _INVISIBLE


def visible(text: str) -> str:
    """``text`` without invisible characters at either end; "" when it holds nothing else."""
    start, end = 0, len(text)
    while start < end and invisible(text[start]):
        start += 1
    while end > start and invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def is_blank(text: str) -> bool:
    return not visible(text)


class EmptyQuestion(ValueError):
    """A question with nothing visible in it (see ``visible``)."""

    def __init__(self) -> None:
        super().__init__("empty question: nothing but whitespace, control or format characters")
