"""Optional LLM mode: an OpenAI-compatible model and its tools over the same components as the extractive mode.

``make_composer`` is called at the composition root (assistant.build); answering never imports this package."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from assistant.llm.agent import LLMAgent, load_system_prompt, make_chat_model
from assistant.llm.tools import AgentTools, ToolContext
from assistant.llm.turn import LLMComposer
from assistant.settings import LLMSettings

__all__ = ["LLMComposer", "ToolContext", "make_composer"]


def make_composer(settings: LLMSettings, context: ToolContext, chat_model: BaseChatModel | None = None) -> LLMComposer:
    """The LLM composer over ``context``'s retriever, listings and rules; ``chat_model`` replaces the endpoint."""
    model = chat_model if chat_model is not None else make_chat_model(settings)
    return LLMComposer(LLMAgent(model, AgentTools(context).tools(), load_system_prompt(), settings.max_tool_rounds))
