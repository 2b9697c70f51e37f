"""How a turn's answer is produced and streamed. The extractive composer is the default; the LLM mode hands in
another one, built at the composition root, so answering never imports the LLM package.

Events: ("token", text) pieces, then ("answer", Answer), which is authoritative: after an LLM fallback its
text replaces the tokens already shown."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from assistant.chat_types import Answer

Event = tuple[str, str | Answer]
_PIECE_END = re.compile(r"(?<=[。！？；\n])|(?<=[.!?;] )")


def pieces(text: str, size: int = 16) -> list[str]:
    """The text in clause-sized pieces for streaming (at least ``size`` characters each, but the last);
    joined they give back ``text`` exactly."""
    out: list[str] = []
    for part in _PIECE_END.split(text):
        if out and len(out[-1]) < size:
            out[-1] += part
        elif part:
            out.append(part)
    return out


class Composer(Protocol):
    def turn(self, question: str, history: Sequence[str], lang: str, intents: Sequence[str],
             extractive: Callable[[], Answer], streaming: bool) -> Iterator[Event]:
        """Events for one turn; ``extractive()`` is the grounded extractive answer, computed only if needed."""
        ...


class ExtractiveComposer:
    """The offline default: the extractive answer, streamed in clause-sized pieces."""

    def turn(self, question: str, history: Sequence[str], lang: str, intents: Sequence[str],
             extractive: Callable[[], Answer], streaming: bool) -> Iterator[Event]:
        answer = extractive()
        if streaming:
            for piece in pieces(answer.answer):
                yield "token", piece
        yield "answer", answer
