"""The benchmark's data: SQuAD-format sets read into paragraphs and questions, each paragraph written as one Markdown
file of a corpus folder, and the seeded sample of questions asked."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

SEED = 0
ISSUERS = {"xquad": "XQuAD (Wikipedia, CC BY-SA 4.0)", "cmrc": "CMRC 2018 (Wikipedia, CC BY-SA 4.0)"}


@dataclass(frozen=True)
class Paragraph:
    key: str  # x003-07: article and paragraph position, the same in XQuAD's parallel files
    lang: str
    title: str  # the article's title
    number: int  # 1-based position in its article
    text: str

    @property
    def doc_id(self) -> str:
        return f"{self.lang}/{self.key}.md"


@dataclass(frozen=True)
class QA:
    qid: str
    lang: str
    question: str
    key: str  # its paragraph
    answers: tuple[str, ...]  # gold spans, any one counts


def load_squad(path: Path, lang: str, prefix: str) -> tuple[list[Paragraph], list[QA]]:
    """Paragraphs and questions of a SQuAD-format file; paragraph keys are ``<prefix><article>-<paragraph>``."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    paragraphs: list[Paragraph] = []
    questions: list[QA] = []
    for a, article in enumerate(data):
        title = str(article.get("title", "")).replace("_", " ").strip()
        for p, para in enumerate(article["paragraphs"]):
            key = f"{prefix}{a:03d}-{p:02d}"
            paragraphs.append(Paragraph(key, lang, title, p + 1, para["context"]))
            for qa in para["qas"]:
                spans = tuple(dict.fromkeys(ans["text"] for ans in qa["answers"] if ans["text"].strip()))
                # Trimmed as ChatService trims a question, so every system and the service embed the same text.
                questions.append(QA(qa["id"], lang, qa["question"].strip(), key, spans))
    return paragraphs, questions


def paragraph_title(paragraph: Paragraph) -> str:
    if paragraph.lang == "zh":
        return f"{paragraph.title} 第{paragraph.number}段"
    return f"{paragraph.title}, paragraph {paragraph.number}"


def paragraph_markdown(paragraph: Paragraph, issuer: str) -> str:
    """One paragraph as a corpus document: front matter, then the text on one line (the Markdown loader joins
    wrapped lines and splits at blank ones; one line keeps the paragraph as it is)."""
    meta = {"title": paragraph_title(paragraph), "issuer": issuer, "topic": "overview",
            "language": paragraph.lang, "sample": True}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{front}---\n{' '.join(paragraph.text.split())}\n"


def write_corpus(folder: Path, paragraphs: Iterable[Paragraph], issuer: str, lexicon: Path | None) -> int:
    """Make ``folder`` hold exactly these paragraphs (and the lexicon); files already right are left alone, so
    the builder sees them unchanged. Returns the number of files written."""
    wanted = {folder / p.doc_id: paragraph_markdown(p, issuer) for p in paragraphs}
    written = 0
    for path, text in wanted.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written += 1
    for stale in folder.rglob("*.md"):
        if stale not in wanted:
            stale.unlink()
    target = folder / "lexicon.yaml"
    if lexicon is None:
        target.unlink(missing_ok=True)
    elif not target.is_file() or target.read_bytes() != lexicon.read_bytes():
        shutil.copyfile(lexicon, target)
        written += 1
    return written


def sample(items: Sequence[str], limit: int | None, seed: int = SEED) -> list[str]:
    """``limit`` of the items chosen with a fixed seed, in their original order; all of them without a limit."""
    if limit is None or limit >= len(items):
        return list(items)
    chosen = set(random.Random(seed).sample(list(items), limit))
    return [i for i in items if i in chosen]
