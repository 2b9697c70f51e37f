"""One turn in LLM mode: run the agent, check its answer (citations, number grounding), and fall back to the
extractive answer with a notice when the check fails or the endpoint does. Also the streaming events both
modes share: ("token", text) pieces, then ("answer", Answer), which is authoritative: after a fallback its
text replaces the tokens already shown."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from assistant.answering.grounding import ungrounded_numbers
from assistant.answering.listing_parts import with_sample_note
from assistant.answering.messages import say
from assistant.chat_types import Answer
from assistant.llm.agent import LLMAgent, LLMResult

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


def check(result: LLMResult, question: str, history: Sequence[str]) -> str:
    """Why the answer may not be shown, or '' when it may."""
    if result.invalid_citations:
        return f"citations with no source: {result.invalid_citations}"
    if not result.sources:
        return "no citation"
    # The user's own figures may be echoed back, as in the extractive mode.
    missing = ungrounded_numbers(result.text, [*result.evidence_texts, question, *history])
    return f"ungrounded numbers: {', '.join(missing)}" if missing else ""


def llm_answer(result: LLMResult, lang: str, intents: Sequence[str]) -> Answer:
    body = with_sample_note(result.text, any(s.sample for s in result.sources), lang)
    intents = list(dict.fromkeys([*intents, *(["calculation"] if result.working else [])]))
    return Answer(body, "answered", lang, list(result.sources), intents=intents, confidence=1.0,
                  candidates=list(result.candidates), table=list(result.table), working=list(result.working),
                  mode="llm")


def fallback(extractive: Answer, lang: str) -> Answer:
    return replace(extractive, notices=[say("llm_fallback", lang), *extractive.notices], mode="extractive-fallback")


def llm_turn(agent: LLMAgent, question: str, history: Sequence[str], lang: str, intents: Sequence[str],
             extractive: Callable[[], Answer], streaming: bool, logger: logging.Logger) -> Iterator[Event]:
    """("token", text)… then ("answer", Answer): the checked LLM answer, or the extractive one as fallback."""
    problem = ""
    result: LLMResult | None = None
    try:
        if streaming:
            for item in agent.stream(question, history, lang):
                if isinstance(item, LLMResult):
                    result = item
                else:
                    yield "token", item
        else:
            result = agent.run(question, history, lang)
        problem = check(result, question, history) if result is not None else "no result"
    except Exception as err:  # endpoint down, timeout, bad reply: the extractive mode still answers
        problem = f"{type(err).__name__}: {err}"
    if result is not None and not problem:
        yield "answer", llm_answer(result, lang, intents)
        return
    logger.warning("LLM answer not used (%s); extractive fallback", problem)
    yield "answer", fallback(extractive(), lang)
