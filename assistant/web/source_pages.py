"""The pages a citation opens (/sources/<doc_id>): a Markdown, Word or text document rendered as HTML at the cited
article with the answering sentence marked, a listing row, a rule; PDFs and ``?raw=1`` get the file itself.

Documents are rendered with Markdown's raw HTML off (Word and text paragraphs are escaped), so nothing a document
says becomes markup; the pages carry a Content-Security-Policy that allows no script at all. Every 第X条 paragraph
and every heading gets an id, so ``#第四条`` opens at the article; the cited place (the marked sentence, else the
article or heading named by ``art``) has ``id="cited"``, the fragment of the links ``sources.url_for`` builds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from fastapi.responses import FileResponse, HTMLResponse, Response
from markdown_it.token import Token

from assistant.web.listing_pages import listing_page, rules_page
from assistant.web.markup import parse_document, render_document
from assistant.web.source_shell import not_found, page
from assistant.web.sources import ARTICLE, CITED, DOCUMENTS, LISTINGS, RULES, SourceFiles, media_type
from assistant.web.ui_text import t

SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")
MIN_SENTENCE = 6  # characters: a shorter piece of a sentence would mark the wrong place as often as the right one


@dataclass(frozen=True)
class Cited:
    """Where a link points inside a document: ``place`` (an article or a heading) and the sentence to mark."""

    place: str = ""
    sentence: str = ""


def sentence_patterns(sentence: str) -> list[re.Pattern[str]]:
    """The sentence, then its first piece, as patterns blind to whitespace (links carry it whitespace-squashed,
    documents hold full-width spaces and line breaks)."""
    first = next((p for p in SENTENCE_END.split(sentence) if len(p.strip()) >= MIN_SENTENCE), "")
    out = []
    for text in dict.fromkeys(s for s in (sentence, first) if s):
        chars = [re.escape(c) for c in text if not c.isspace()]
        if len(chars) >= MIN_SENTENCE:
            out.append(re.compile(r"\s*".join(chars)))
    return out


def _squash(text: str) -> str:
    return "".join(text.split())


def find_cited(texts: list[str], headings: set[int], cited: Cited) -> tuple[int, re.Pattern[str] | None] | None:
    """The block holding the sentence (its index and the pattern that found it), else the block the place names
    (an article it begins with, or a heading it is), else None."""
    for pattern in sentence_patterns(cited.sentence):
        for i, text in enumerate(texts):
            if pattern.search(text):
                return i, pattern
    place = _squash(cited.place)
    if place:
        for i, text in enumerate(texts):
            squashed = _squash(text)
            if (i in headings and squashed == place) or (ARTICLE.fullmatch(place) and squashed.startswith(place)):
                return i, None
    return None


def anchor_id(text: str, is_heading: bool) -> str:
    """The id of a block: its article (第四条) when it begins with one, a heading's own text; else ""."""
    found = ARTICLE.match(text.strip())
    if found:
        return found.group(0)
    return _squash(text)[:80] if is_heading else ""


# ---------- Markdown ----------

def _plain(inline: Token) -> str:
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))


def _pair(tag: str, **attrs: str) -> tuple[Token, Token]:
    opener, closer = Token(f"{tag}_open", tag, 1), Token(f"{tag}_close", tag, -1)
    for name, value in attrs.items():
        opener.attrSet(name, value)
    return opener, closer


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _mark(inline: Token, pattern: re.Pattern[str] | None) -> None:
    """Wrap the sentence in <mark id="cited"> where one text token holds it; else the whole block, in a mark
    (sentence found across formatting) or an article span (only the place was found)."""
    children = inline.children or []
    for n, child in enumerate(children):
        found = pattern.search(child.content) if pattern is not None and child.type == "text" else None
        if found:
            opener, closer = _pair("mark", id=CITED)
            before, middle, after = (child.content[:found.start()], child.content[found.start():found.end()],
                                     child.content[found.end():])
            pieces = [_text_token(before), opener, _text_token(middle), closer, _text_token(after)]
            inline.children = children[:n] + [p for p in pieces if p.type != "text" or p.content] + children[n + 1:]
            return
    opener, closer = _pair("mark", id=CITED) if pattern is not None else _pair("span", id=CITED, **{
        "class": "zst-article"})
    inline.children = [opener, *children, closer]


def markdown_html(body: str, cited: Cited) -> str:
    tokens, env = parse_document(body)
    blocks = [(tokens[i - 1], tok) for i, tok in enumerate(tokens) if tok.type == "inline" and i > 0]
    used: set[str] = set()
    for opener, inline in blocks:
        ident = anchor_id(_plain(inline), opener.type == "heading_open")
        if ident and ident not in used and not opener.hidden and opener.type in ("paragraph_open", "heading_open"):
            opener.attrSet("id", ident)
            used.add(ident)
    texts = [_plain(inline) for _o, inline in blocks]
    headings = {i for i, (opener, _t) in enumerate(blocks) if opener.type == "heading_open"}
    found = find_cited(texts, headings, cited)
    if found is not None:
        _mark(blocks[found[0]][1], found[1])
    return render_document(tokens, env)


# ---------- Word and text: paragraphs from the loader ----------

def _paragraph_html(text: str, pattern: re.Pattern[str] | None, target: bool) -> str:
    if not target:
        return escape(text)
    found = pattern.search(text) if pattern is not None else None
    if found is None:
        return f'<span id="{CITED}" class="zst-article">{escape(text)}</span>'
    return (escape(text[:found.start()]) + f'<mark id="{CITED}">{escape(found.group(0))}</mark>'
            + escape(text[found.end():]))


def paragraphs_html(items: list[tuple[str, str]], cited: Cited) -> str:
    """``items``: ("h", heading) or ("p", paragraph), in order."""
    texts = [text for _kind, text in items]
    found = find_cited(texts, {i for i, (kind, _t) in enumerate(items) if kind == "h"}, cited)
    out, used = [], set()
    for i, (kind, text) in enumerate(items):
        ident = anchor_id(text, kind == "h")
        attr = f' id="{escape(ident, quote=True)}"' if ident and ident not in used else ""
        used.add(ident)
        inner = _paragraph_html(text, found[1] if found else None, found is not None and found[0] == i)
        tag = "h2" if kind == "h" else "p"
        out.append(f"<{tag}{attr}>{inner}</{tag}>")
    return "".join(out)


def document_items(path: Path, root: Path) -> tuple[str, str, list[tuple[str, str]]]:
    """Title, a line about the document (issuer, number, date) and its headings and paragraphs, as indexed."""
    from assistant.ingest import load_file  # the index's own reader of Word and text files

    doc = load_file(path, root)
    items: list[tuple[str, str]] = []
    heading = ""
    for block in doc.blocks:
        if block.heading and block.heading != heading:
            heading = block.heading
            items.append(("h", heading))
        items += [("p", line) for line in block.text.split("\n") if line.strip()]
    return doc.meta.title, _meta_line(doc.meta.issuer, doc.meta.doc_number, doc.meta.effective), items


def _meta_line(*values: object) -> str:
    return " · ".join(str(v) for v in values if v)


def markdown_page(path: Path, cited: Cited, lang: str) -> HTMLResponse:
    from assistant.ingest import split_front_matter

    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        meta, body = split_front_matter(text)
    except ValueError:  # front matter the index could not read either: show the text as it is
        meta, body = {}, text
    title = str(meta.get("title") or path.stem)
    line = _meta_line(meta.get("issuer"), meta.get("doc_number"), meta.get("effective"))
    head = f'<p class="meta">{escape(line)}</p>' if line else ""
    if meta.get("sample"):
        head += f'<p><span class="badge">{escape(t("sample_badge", lang))}</span></p>'
    english = _english_title(path, lang)
    return page(english or title, _english_line(english) + head + markdown_html(body, cited) + _raw_link(path, lang),
                lang)


def paragraphs_page(path: Path, root: Path, cited: Cited, lang: str) -> HTMLResponse:
    title, line, items = document_items(path, root)
    english = _english_title(path, lang)
    head = (_english_line(english) + f"<h1>{escape(title)}</h1>"
            + (f'<p class="meta">{escape(line)}</p>' if line else ""))
    return page(english or title, head + paragraphs_html(items, cited) + _raw_link(path, lang), lang)


def _english_title(path: Path, lang: str) -> str:
    """For an English reader, the document's English title (``title_en`` of its metadata), if it has one."""
    from assistant.ingest import english_title

    return english_title(path) if lang == "en" else ""


def _english_line(english: str) -> str:
    """The English title above a Chinese document, which itself is shown as written."""
    return f'<p class="meta" lang="en"><b>{escape(english)}</b></p>' if english else ""


def _raw_link(path: Path, lang: str) -> str:
    href = escape(quote(path.name), quote=True) + "?raw=1"  # beside this page: /sources/<folder>/<name>
    return f'<p class="raw"><a href="{href}">{escape(t("original_file", lang))}</a></p>'


def source_response(files: SourceFiles, doc_path: str, *, art: str = "", hl: str = "", row: str = "",
                    rule: str = "", lang: str = "zh", raw: bool = False) -> Response:
    """The page (or file) for ``/sources/<doc_path>``; 404 for anything the served index does not list."""
    lang = "en" if lang == "en" else "zh"
    path = files.resolve(doc_path)
    if path is None:
        return not_found(lang)
    suffix = path.suffix.lower()
    if raw or suffix == ".pdf" or suffix not in DOCUMENTS | LISTINGS | RULES:
        return FileResponse(path, media_type=media_type(path), content_disposition_type="inline",
                            headers={"X-Content-Type-Options": "nosniff"})
    cited = Cited(art[:200], hl[:1000])
    if suffix == ".md":
        return markdown_page(path, cited, lang)
    if suffix in DOCUMENTS:
        return paragraphs_page(path, files.root, cited, lang)
    if suffix in LISTINGS:
        return listing_page(path, files.root, doc_path, row, lang)
    return rules_page(files, doc_path, path, rule, lang)
