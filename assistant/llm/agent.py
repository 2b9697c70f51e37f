"""The optional LLM mode: an OpenAI-compatible chat model in LangChain's agent loop (``create_agent``).

The agent binds the tools, calls the model, runs the tool calls it asks for, feeds the results back as
ToolMessages, and stops when it answers; one middleware adds the round limit (``max_tool_rounds``, then a last
call without tools), tool call ids and the error texts the model sees. What the answer may cite and quote comes
from the Evidence the tools recorded; ChatService checks it before showing it."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from langchain.agents import AgentState, create_agent
from langchain.agents.middleware import (
    AgentMiddleware,
    ModelCallResult,
    ModelRequest,
    ModelResponse,
    Runtime,
    ToolCallRequest,
    hook_config,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.errors import GraphBubbleUp

from assistant.chat_types import Candidate, SourceRef
from assistant.llm.tools import Evidence, tool_config
from assistant.settings import LLMSettings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI
    from langgraph.types import Command

_CITATION = re.compile(r"[\[【]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]】]")
_HOLD = 24  # longest citation run held back while streaming, e.g. '[1, 2, 3]'
_TURNS = "tool_turns"  # the configurable key of a question's _Turns
_TURN_WAIT_S = 30.0
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


class _AgentRules(AgentMiddleware[AgentState[Any], Any]):
    """The house rules on create_agent's loop: the round limit, tool call ids, and how tool failures read.

    Round limit: after ``max_tool_rounds`` rounds the model is called without tools, so it has to answer; tool
    calls it still makes are dropped (an empty answer then ends in AgentError and the extractive fallback).
    ModelCallLimitMiddleware would stop the loop instead, with a canned message as the answer."""

    def __init__(self, max_tool_rounds: int) -> None:
        super().__init__()
        self.max_tool_rounds = max_tool_rounds

    def wrap_model_call(self, request: ModelRequest[Any],
                        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]]) -> ModelCallResult[Any]:
        round_no = sum(isinstance(m, AIMessage) for m in request.messages)
        last = round_no >= self.max_tool_rounds
        response = handler(request.override(tools=[]) if last else request)
        known = {m.id for m in request.messages if m.id}
        response.result = [_fresh_id(_answer_only(m) if last else _with_ids(m, round_no), known)
                           if isinstance(m, AIMessage) else m for m in response.result]
        return response

    @hook_config(can_jump_to=["model"])
    def after_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Only malformed calls: create_agent would end here; the model is told instead (the agent's
        invalid-call ToolMessages) and asked again, within the round limit."""
        reply = state["messages"][-1]
        if isinstance(reply, AIMessage) and reply.invalid_tool_calls and not reply.tool_calls:
            return {"jump_to": "model"}
        return None

    def wrap_tool_call(self, request: ToolCallRequest,
                       handler: Callable[[ToolCallRequest], ToolMessage | Command[Any]]) -> ToolMessage | Command[Any]:
        call_id, name = str(request.tool_call["id"]), request.tool_call["name"]
        if request.tool is None:
            names = sorted(t.name for t in request.runtime.tools)
            return ToolMessage(f"Error: no tool named {name!r}; use one of {names}.", tool_call_id=call_id,
                               name=name, status="error")
        turns = (request.runtime.config.get("configurable") or {}).get(_TURNS)
        with turns.turn(call_id, _call_order(request.state)) if isinstance(turns, _Turns) else nullcontext():
            try:
                return handler(request)
            except GraphBubbleUp:
                raise
            except Exception as err:  # a failing tool is reported to the model, which may try another way
                return ToolMessage(f"Error: {type(err).__name__}: {err}", tool_call_id=call_id, name=name,
                                   status="error")


class _Turns:
    """One question's tool calls one at a time, in the order the model wrote them. create_agent runs each call of
    a round in its own thread; the Evidence numbers sources as they are cited, and the old loop ran in order.
    (max_concurrency=1 would deadlock agent.stream: its waiter holds the only worker.)"""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._done: set[str] = set()

    @contextmanager
    def turn(self, call_id: str, order: list[str]) -> Iterator[None]:
        earlier = order[:order.index(call_id)] if call_id in order else []
        with self._cond:  # held while the tool runs; wait_for lets go of it while waiting
            # The timeout only guards against an order the runner does not follow: then it is one at a time.
            self._cond.wait_for(lambda: self._done.issuperset(earlier), timeout=_TURN_WAIT_S)
            try:
                yield
            finally:
                self._done.add(call_id)
                self._cond.notify_all()


def _call_order(state: Any) -> list[str]:
    messages = state.get("messages", []) if isinstance(state, dict) else []
    reply = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
    return [str(c["id"]) for c in reply.tool_calls] if reply is not None else []


def _with_ids(reply: AIMessage, round_no: int) -> AIMessage:
    """Some OpenAI-compatible servers omit tool call ids; ToolMessages need one to answer."""
    for i, call in enumerate([*reply.tool_calls, *reply.invalid_tool_calls]):
        if not call.get("id"):
            call["id"] = f"call_{round_no}_{i}"
    return reply


def _answer_only(reply: AIMessage) -> AIMessage:
    if reply.tool_calls or reply.invalid_tool_calls:
        return reply.model_copy(update={"tool_calls": [], "invalid_tool_calls": []})
    return reply


def _fresh_id(reply: AIMessage, known: set[str]) -> AIMessage:
    """The agent's state merges messages by id, and some servers send the same completion id every time
    (the same reply object would do it too): such a reply would replace the earlier one instead of following it."""
    if reply.id in known:
        return reply.model_copy(update={"id": f"{reply.id}-{uuid4().hex[:8]}"})
    return reply


class LLMAgent:
    """LangChain's agent (``create_agent``) with the rules above; the Evidence of one question reaches the tools
    through the RunnableConfig (``tool_config``)."""

    def __init__(self, model: BaseChatModel, tools: Sequence[BaseTool], system_prompt: str,
                 max_tool_rounds: int = 4) -> None:
        self.model = model
        self.tools = {t.name: t for t in tools}
        self.system_prompt = system_prompt
        self.max_tool_rounds = max_tool_rounds
        # No system_prompt here: the language line differs per question, so messages() carries it.
        self.graph = create_agent(model, list(tools), middleware=[_AgentRules(max_tool_rounds)])

    def messages(self, question: str, history: Sequence[str] = (), lang: str = "zh") -> list[BaseMessage]:
        system = f"{self.system_prompt}\n\n{_LANGUAGE_LINE.get(lang, _LANGUAGE_LINE['zh'])}"
        user = question
        if history:  # earlier questions only: the answers live in the sources, not in the prompt
            earlier = "\n".join(f"- {q}" for q in history)
            user = f"Earlier questions in this conversation, for context:\n{earlier}\n\nQuestion: {question}"
        return [SystemMessage(system), HumanMessage(user)]

    def run(self, question: str, history: Sequence[str] = (), lang: str = "zh") -> LLMResult:
        evidence = Evidence()
        state = self.graph.invoke({"messages": self.messages(question, history, lang)}, self._config(evidence, lang))
        return self._result(state["messages"], evidence)

    def stream(self, question: str, history: Sequence[str] = (), lang: str = "zh") -> Iterator[str | LLMResult]:
        """Text tokens as the model writes them (citations already renumbered), then the LLMResult. Text
        written in a round that ends in tool calls is streamed too; the LLMResult holds the last round's."""
        evidence = Evidence()
        citations: CitationStream | None = None  # one per model call: the sources known when it started
        chunked = whole = False  # what this model call has streamed: token chunks, or one whole reply
        messages: list[BaseMessage] = []
        for mode, data in self.graph.stream({"messages": self.messages(question, history, lang)},
                                            self._config(evidence, lang), stream_mode=["messages", "values"]):
            if mode == "values":  # a step ended: the model call, if one ran, is complete
                messages = data["messages"]
                if citations is not None and (rest := citations.flush()):
                    yield rest
                citations, chunked, whole = None, False, False
                continue
            message, meta = data
            if meta.get("langgraph_node") != "model":
                continue
            # A model that cannot stream yields its reply whole; the node's output repeats a reply only when
            # _fresh_id renamed it. Text is taken once per call: from the chunks, else from one whole reply.
            if isinstance(message, AIMessageChunk):
                chunked = True
            elif isinstance(message, AIMessage) and not (chunked or whole):
                whole = True
            else:
                continue
            citations = citations or CitationStream(len(evidence.sources))
            if piece := citations.feed(message.text):
                yield piece
        yield self._result(messages, evidence)

    def _config(self, evidence: Evidence, lang: str) -> RunnableConfig:
        config = tool_config(evidence, lang)
        config["configurable"][_TURNS] = _Turns()
        # Only a backstop for the round limit: a round is the model, after_model and tools steps.
        config["recursion_limit"] = 3 * (self.max_tool_rounds + 2) + 1
        return config

    @staticmethod
    def _result(messages: Sequence[BaseMessage], evidence: Evidence) -> LLMResult:
        reply = messages[-1] if messages else None
        if not isinstance(reply, AIMessage):
            raise AgentError(f"unexpected reply type {type(reply).__name__}")
        if not reply.text.strip():
            raise AgentError("the model returned an empty answer")
        return finish(reply.text, evidence)
