"""Markdown to safe HTML, for answers (page, widget, staff console) and for cited Markdown documents.

markdown-it-py with raw HTML off: markup written in an answer or a document is shown as text. Links keep only the
schemes in ``LINK_PREFIXES`` (a ``javascript:`` or ``data:`` link stays text) and open in a new tab; images are
off (a document must not make the page fetch another site). Answers also lose the Markdown that plain prose sets
off by accident (indented code, headings, rules, reference definitions), and their ``[n]`` citation markers
become small superscripts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

LINK_PREFIXES = ("http://", "https://", "mailto:", "tel:", "/sources/")
# Block rules that turn ordinary answer lines into something else: "    x" into code, "# x" into a heading, a
# line of dashes into a rule, "[1]: x" into an invisible reference definition.
ANSWER_OFF = ["code", "fence", "heading", "lheading", "hr", "reference", "html_block", "html_inline", "image"]
DOCUMENT_OFF = ["html_block", "html_inline", "image"]
CITATION = re.compile(r"\[(\d{1,3})\]")
LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s")


def allowed_link(url: str) -> bool:
    """Whether a link may be emitted: web, mail and phone links, and the app's own cited-source pages."""
    text = url.strip().lower()
    return text.startswith(LINK_PREFIXES) and not text.startswith("/sources/..")


def _link_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    tokens[idx].attrSet("target", "_blank")  # an answer's link must not take the visitor away from the chat
    tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
    return self.renderToken(tokens, idx, options, env)


def _citations(state: StateCore) -> None:
    """Split text tokens at [n] markers into ``citation`` tokens (rendered by ``_citation``)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for child in block.children:
            if child.type != "text" or not CITATION.search(child.content):
                children.append(child)
                continue
            at = 0
            for match in CITATION.finditer(child.content):
                if match.start() > at:
                    children.append(_text(child.content[at:match.start()]))
                cite = Token("citation", "sup", 0)
                cite.content = match.group(1)
                children.append(cite)
                at = match.end()
            if at < len(child.content):
                children.append(_text(child.content[at:]))
        block.children = children


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _citation(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return f'<sup class="zst-cite">[{int(tokens[idx].content)}]</sup>'


def _parser(off: list[str], *, breaks: bool, tables: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": breaks})
    md.disable(off)
    if tables:
        md.enable("table")
    md.validateLink = allowed_link  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    return md


@cache
def answer_parser() -> MarkdownIt:
    # Built on first use, not at import; a parser holds no per-call state, so one serves every thread.
    md = _parser(ANSWER_OFF, breaks=True, tables=False)
    md.core.ruler.push("zst_citations", _citations)
    md.add_render_rule("citation", _citation)
    return md


@cache
def document_parser() -> MarkdownIt:
    return _parser(DOCUMENT_OFF, breaks=False, tables=True)


def end_lists(text: str) -> str:
    """A blank line between a list item and a following line that is no list item. Answers are lines, not
    Markdown paragraphs: the note after a list ("（注：…）") must not be read as part of its last item."""
    out: list[str] = []
    in_list = False
    for line in text.splitlines():
        item = bool(LIST_ITEM.match(line))
        if in_list and line.strip() and not item and not line.startswith((" ", "\t")):
            out.append("")
        out.append(line)
        in_list = item or (in_list and bool(line.strip()))
    return "\n".join(out)


def answer_markup(text: str) -> str:
    """An answer's text as HTML: lists, emphasis, allowed links and [n] markers; one line (the investor page's
    chat reads HTML blocks only up to a blank line, so no newline is left in it)."""
    html = answer_parser().render(end_lists(text))
    return html.replace("\n", "")


def parse_document(text: str) -> tuple[list[Token], dict[str, Any]]:
    """A Markdown document's tokens (for ``render_document`` after anchors are added) and its environment."""
    env: dict[str, Any] = {}
    return document_parser().parse(text, env), env


def render_document(tokens: list[Token], env: dict[str, Any]) -> str:
    md = document_parser()
    return md.renderer.render(tokens, md.options, env)
