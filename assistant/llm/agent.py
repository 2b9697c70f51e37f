"""The optional LLM mode: an OpenAI-compatible chat model and a small, explicit tool-calling loop.

The loop is deliberately plain: bind the tools, call the model, run the tool calls it asks for, feed the
results back as ToolMessages, stop when it answers or after ``max_tool_rounds`` rounds. What the answer may
cite and quote comes from the Evidence the tools recorded; ChatService checks it before showing it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    message_chunk_to_message,
)
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool

from assistant.chat_types import Candidate, SourceRef
from assistant.llm.tools import Evidence, tool_config
from assistant.settings import LLMSettings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

_CITATION = re.compile(r"[\[【]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]】]")
_HOLD = 24  # longest citation run held back while streaming, e.g. '[1, 2, 3]'
_LANGUAGE_LINE = {"zh": "Language: answer in Simplified Chinese (简体中文).", "en": "Language: answer in English."}


class AgentError(RuntimeError):
    """The model gave no usable answer (e.g. an empty reply)."""


@dataclass
class LLMResult:
    text: str  # citations renumbered: [n] points at sources[n-1]
    evidence_texts: list[str]  # what the numbers in ``text`` may come from: cited sources, listing and calc output
    sources: list[SourceRef]  # the cited sources only, in citation order
    working: list[str] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    tool_calls: list[str] = field(default_factory=list)
    invalid_citations: list[int] = field(default_factory=list)  # [n] with no such source: dropped from text


def load_system_prompt() -> str:
    return files("assistant.llm").joinpath("prompts/system.md").read_text(encoding="utf-8").strip()


def make_chat_model(settings: LLMSettings, streaming: bool = False) -> ChatOpenAI:
    """Any OpenAI-compatible endpoint; ``.stream()`` streams either way. No retries: ``timeout_s`` bounds each model call, and on failure the
    service falls back to the extractive answer instead of making the user wait again."""
    from langchain_openai import ChatOpenAI  # slow to import; only the LLM mode needs it

    # An explicit streaming=False would make .stream() fall back to one whole reply (langchain-core 1.8),
    # so the flag is only set to turn streaming on for invoke() too.
    extra: dict[str, Any] = {"streaming": True} if streaming else {}
    return ChatOpenAI(model=settings.model, base_url=settings.base_url, api_key=settings.api_key,
                      timeout=settings.timeout_s, temperature=settings.temperature, max_retries=0,
                      use_responses_api=False, **extra)


def renumber_citations(text: str, count: int, order: list[int] | None = None,
                       invalid: list[int] | None = None) -> tuple[str, list[int], list[int]]:
    """'[3] … [1][3]' -> '[1] … [2][1]': (text, cited source numbers in order, invalid numbers).
    '[1, 2]' and '【1】' are normalised; numbers with no source are dropped and reported. ``order`` and
    ``invalid`` carry the state over when a text is renumbered piece by piece."""
    order = [] if order is None else order
    invalid = [] if invalid is None else invalid

    def replace(match: re.Match[str]) -> str:
        out = ""
        for raw in re.split(r"\s*[,，、]\s*", match.group(1)):
            n = int(raw)
            if not 1 <= n <= count:
                invalid.append(n)
                continue
            if n not in order:
                order.append(n)
            out += f"[{order.index(n) + 1}]"
        return out

    return _CITATION.sub(replace, text), order, invalid


class CitationStream:
    """Renumbers citations in streamed text exactly as ``finish`` will, holding back an unclosed '[' so a
    marker split over two tokens is renumbered whole."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.order: list[int] = []
        self.invalid: list[int] = []
        self.pending = ""

    def feed(self, text: str) -> str:
        self.pending += text
        cut = max(self.pending.rfind("["), self.pending.rfind("【"))
        held = cut >= 0 and not re.search(r"[\]】]", self.pending[cut:]) and len(self.pending) - cut <= _HOLD
        ready, self.pending = (self.pending[:cut], self.pending[cut:]) if held else (self.pending, "")
        return self._renumber(ready)

    def flush(self) -> str:
        ready, self.pending = self.pending, ""
        return self._renumber(ready)

    def _renumber(self, text: str) -> str:
        return renumber_citations(text, self.count, self.order, self.invalid)[0] if text else ""


def finish(text: str, evidence: Evidence) -> LLMResult:
    body, order, invalid = renumber_citations(text.strip(), len(evidence.sources))
    cited = [evidence.sources[n - 1] for n in order]
    texts = [s.text for s in cited] + [s.title for s in cited] + evidence.texts + evidence.working
    return LLMResult(body, texts, cited, list(evidence.working), list(evidence.table), list(evidence.candidates),
                     list(evidence.calls), invalid)


class LLMAgent:
    def __init__(self, model: BaseChatModel, tools: Sequence[BaseTool], system_prompt: str,
                 max_tool_rounds: int = 4) -> None:
        self.model = model
        self.tools = {t.name: t for t in tools}
        self.system_prompt = system_prompt
        self.max_tool_rounds = max_tool_rounds

    def messages(self, question: str, history: Sequence[str] = (), lang: str = "zh") -> list[BaseMessage]:
        system = f"{self.system_prompt}\n\n{_LANGUAGE_LINE.get(lang, _LANGUAGE_LINE['zh'])}"
        user = question
        if history:  # earlier questions only: the answers live in the sources, not in the prompt
            earlier = "\n".join(f"- {q}" for q in history)
            user = f"Earlier questions in this conversation, for context:\n{earlier}\n\nQuestion: {question}"
        return [SystemMessage(system), HumanMessage(user)]

    def run(self, question: str, history: Sequence[str] = (), lang: str = "zh") -> LLMResult:
        for item in self._loop(question, history, lang, streaming=False):
            if isinstance(item, LLMResult):
                return item
        raise AgentError("the agent ended without a result")  # not reached: _loop always ends with one

    def stream(self, question: str, history: Sequence[str] = (), lang: str = "zh") -> Iterator[str | LLMResult]:
        """Text tokens as the model writes them (citations already renumbered), then the LLMResult. Text
        written in a round that ends in tool calls is streamed too; the LLMResult holds the last round's."""
        yield from self._loop(question, history, lang, streaming=True)

    def _loop(self, question: str, history: Sequence[str], lang: str,
              streaming: bool) -> Iterator[str | LLMResult]:
        evidence = Evidence()
        config = tool_config(evidence, lang)
        messages = self.messages(question, history, lang)
        bound = self.model.bind_tools(list(self.tools.values()))
        for round_no in range(self.max_tool_rounds + 1):
            # After the last tool round the model is called without tools, so it has to answer.
            runnable = self.model if round_no == self.max_tool_rounds else bound
            if streaming:
                total: AIMessageChunk | None = None
                whole: BaseMessage | None = None  # a model that cannot stream yields one whole message
                citations = CitationStream(len(evidence.sources))
                for chunk in runnable.stream(messages):
                    if isinstance(chunk, AIMessageChunk):
                        total = chunk if total is None else total + chunk
                    else:
                        whole = chunk
                    if piece := citations.feed(chunk.text):
                        yield piece
                if rest := citations.flush():
                    yield rest
                reply = whole or (message_chunk_to_message(total) if total is not None else AIMessage(""))
            else:
                reply = runnable.invoke(messages)
            if not isinstance(reply, AIMessage):
                raise AgentError(f"unexpected reply type {type(reply).__name__}")
            calls = (reply.tool_calls or reply.invalid_tool_calls) and runnable is bound
            if not calls:
                if not reply.text.strip():
                    raise AgentError("the model returned an empty answer")
                yield finish(reply.text, evidence)
                return
            messages.append(self._with_ids(reply, round_no))
            messages += self._run_tools(reply, config)
        raise AgentError("tool rounds exhausted")  # not reached: the last round has no tools bound

    @staticmethod
    def _with_ids(reply: AIMessage, round_no: int) -> AIMessage:
        """Some OpenAI-compatible servers omit tool call ids; ToolMessages need one to answer."""
        for i, call in enumerate([*reply.tool_calls, *reply.invalid_tool_calls]):
            if not call.get("id"):
                call["id"] = f"call_{round_no}_{i}"
        return reply

    def _run_tools(self, reply: AIMessage, config: RunnableConfig) -> list[ToolMessage]:
        out: list[ToolMessage] = []
        for call in reply.tool_calls:
            call_id, name = str(call["id"]), call["name"]
            tool = self.tools.get(name)
            if tool is None:
                out.append(ToolMessage(f"Error: no tool named {name!r}; use one of {sorted(self.tools)}.",
                                       tool_call_id=call_id, name=name, status="error"))
                continue
            try:
                result = tool.invoke({**call, "type": "tool_call"}, config=config)
            except Exception as err:  # a failing tool is reported to the model, which may try another way
                out.append(ToolMessage(f"Error: {type(err).__name__}: {err}", tool_call_id=call_id, name=name,
                                       status="error"))
                continue
            out.append(result if isinstance(result, ToolMessage)
                       else ToolMessage(str(result), tool_call_id=call_id, name=name))
        for bad in reply.invalid_tool_calls:
            out.append(ToolMessage("Error: the arguments were not valid JSON.", tool_call_id=str(bad["id"]),
                                   name=bad.get("name") or "unknown", status="error"))
        return out
