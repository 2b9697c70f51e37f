"""Chinese-aware chunking: articles (第X条) and headings first, then sentences, within a size limit.

Each chunk keeps the document metadata plus its article, heading and page(s), so a citation can read
"《…》第五条, p.3"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.documents import Block, Chunk, DocMeta
from assistant.language import passage_language
from assistant.sentences import cut_points

ARTICLE = re.compile(r"^\s*(第[一二三四五六七八九十百零〇\d]+条)")
CHAPTER = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+[章节]\s*\S{0,30}$")
_ENDS = frozenset("。！？；!?;\n")  # a sentence or clause ends after one of these (and after ". ")
_SOFT = re.compile(r"(?<=[，、,：:])")
# A table row rendered by the loaders ("列名：值；列名：值。"): its values mean nothing apart from their
# column names, so the row is never cut at its semicolons.
TABLE_ROW = re.compile(r"^(?:[^：；。\n]{1,40}：[^；。\n]*；)+[^：；。\n]{1,40}：[^；。\n]*。$")


def split_sentences(text: str) -> list[str]:
    """Split after sentence ends outside brackets; the pieces concatenate back to exactly the input."""
    out: list[str] = []
    start = 0
    for i in cut_points(text, _sentence_end):
        out.append(text[start:i + 1])
        start = i + 1
    if start < len(text):
        out.append(text[start:])
    return out


def _sentence_end(text: str, i: int) -> bool:
    return text[i] in _ENDS or (text[i] == "." and text[i + 1:i + 2].isspace())


def _hard_split(sentence: str, limit: int) -> list[str]:
    """A sentence over the limit: cut at commas where possible, else at the limit itself."""
    pieces: list[str] = []
    current = ""
    for part in _SOFT.split(sentence):
        while len(part) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(part[:limit])
            part = part[limit:]
        if len(current) + len(part) > limit and current:
            pieces.append(current)
            current = ""
        current += part
    if current:
        pieces.append(current)
    return pieces


def pack(texts: Iterable[str], limit: int) -> list[str]:
    """Greedily pack sentences into pieces of at most ``limit`` characters, preserving the text."""
    out: list[str] = []
    current = ""
    for sentence in texts:
        for piece in (_hard_split(sentence, limit) if len(sentence) > limit else [sentence]):
            if current and len(current) + len(piece) > limit:
                out.append(current)
                current = ""
            current += piece
    if current:
        out.append(current)
    return out


CAPTION_END = re.compile(r"(?<=[。！？.!?])\s|(?<=[。！？])")
CAPTION_CHARS = 120


class _Group:
    """Consecutive blocks that belong together: same heading, same article, same row."""

    def __init__(self, block: Block, article: str, heading: str) -> None:
        self.parts = [block.text]
        self.article = article
        self.heading = heading
        self.place = heading  # the heading it sits under, without a caption added for it
        self.row_id = block.row_id
        self.language = block.language
        self.page = block.page or 0
        self.page_end = block.page_end or self.page
        self.ocr = block.ocr

    def add(self, block: Block) -> None:
        self.parts.append(block.text)
        self.page_end = max(self.page_end, block.page_end or block.page or 0)


def chunk_blocks(meta: DocMeta, blocks: list[Block], limit: int) -> list[Chunk]:
    groups: list[_Group] = []
    chapter = ""
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if CHAPTER.match(text) and not block.row_id:
            chapter = text
            continue
        heading = " / ".join(x for x in (block.heading, chapter) if x)
        article_match = ARTICLE.match(text)
        last = groups[-1] if groups else None
        same_place = (last is not None and last.place == heading and last.row_id == block.row_id == ""
                      and last.language == block.language and last.ocr == block.ocr)
        if last is not None and same_place and not article_match and len("\n".join(last.parts)) + len(text) < limit:
            last.add(block)
        elif last is not None and same_place and not article_match and last.article:
            last.add(block)  # the rest of an article stays with it; pack() splits if too long
        else:
            group = _Group(block, article_match.group(1) if article_match else "", heading)
            # A table or list cut off from the paragraph introducing it ("…tariff (…). Users pay…:") keeps that
            # paragraph's first sentence as its caption: its rows alone never say what they are.
            if same_place and last is not None and last.parts[-1].rstrip().endswith((":", "：")):
                caption = CAPTION_END.split(last.parts[-1].replace("**", "").strip(), maxsplit=1)[0][:CAPTION_CHARS].strip()
                group.heading = " / ".join(x for x in (heading, caption) if x)
            groups.append(group)
    chunks: list[Chunk] = []
    for group in groups:
        sentences: list[str] = []
        for i, part in enumerate(group.parts):
            text = part if i == 0 else "\n" + part
            whole = TABLE_ROW.match(part.strip()) and len(text) <= limit
            sentences.extend([text] if whole else split_sentences(text))
        for piece in pack(sentences, limit):
            if piece.strip():  # trailing whitespace can be packed alone: never index an empty chunk
                chunks.append(_make_chunk(meta, piece.strip(), group, len(chunks)))
    return chunks


def _make_chunk(meta: DocMeta, text: str, group: _Group, seq: int) -> Chunk:
    # A listing row says which rendering it is; prose is read for its script (an unlabelled English upload
    # defaults to zh, and a Chinese document may hold English pages).
    return Chunk(
        doc_id=meta.doc_id, text=text, title=meta.title, kind=meta.kind, topic=meta.topic,
        district=meta.district, language=group.language or passage_language(text, meta.language), sample=meta.sample, effective=meta.effective,
        expires=meta.expires, issuer=meta.issuer, doc_number=meta.doc_number, heading=group.heading,
        article=group.article, page=group.page, page_end=group.page_end, row_id=group.row_id, seq=seq,
        ocr=group.ocr)
