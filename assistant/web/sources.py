"""The corpus files a citation may link to, and the link of each citation: only the files the served index lists,
inside the corpus folder of the settings (``corpus_dir``).

A link opens what it cites: a PDF at its page, a listing row as a page of that row, a Markdown or Word document
rendered at the cited article with the answering sentence marked, a rule of rules/*.yaml at the article of the
document it was taken from (source_pages renders these)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from assistant.chat_types import SourceRef
from assistant.web.english import CJK, Words, english_locator, english_name
from assistant.web.ui_text import listing_title, t

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    # Plain text, not text/markdown or text/html: the original, when asked for (?raw=1), is never run as a page.
    ".md": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/plain; charset=utf-8",
    ".yaml": "text/plain; charset=utf-8",
    # Browsers cannot show Office files: the original downloads.
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PREFIX = "/sources/"
DOCUMENTS = {".md", ".txt", ".docx"}  # rendered as a page, at the cited article
LISTINGS = {".csv", ".xlsx"}  # rendered as a page of the cited row
RULES = {".yaml"}
ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条")
CITED = "cited"  # the id of the marked sentence (or article) on a rendered document: the link's fragment
MAX_HIGHLIGHT = 300  # characters of the answering sentence carried in a link
RULE_SOURCE_NOTE = "（来源："  # where a rule's index text names its source (calculators.rules._rt)


@dataclass(frozen=True)
class RuleInfo:
    """A rule of rules/*.yaml as a person reads it: its name, text and the document article it comes from."""

    id: str
    name: str
    text: str
    title: str  # the source document's title
    doc_number: str
    article: str
    sample: bool
    name_en: str = ""  # the rules file's English name for it, if any


@dataclass(frozen=True)
class SourceFiles:
    root: Path
    doc_ids: frozenset[str]
    titles: Mapping[str, str] = field(default_factory=dict)  # document title -> doc_id (rule citations name one)
    rows: Mapping[str, str] = field(default_factory=dict)  # listing row id (P-04, F-009) -> doc_id
    pages: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (PDF doc_id, 第X条) -> its first page
    names: Mapping[str, str] = field(default_factory=dict)  # doc_id -> its title
    kinds: Mapping[str, str] = field(default_factory=dict)  # listing doc_id -> what it lists (parks, factories)
    # Chinese names and places in English for an English reader (english.py): the index's segmenter (one pinyin
    # word per Chinese word; None: one per run of characters) and the lexicon's English terms.
    words: Words | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], corpus_dir: Path, chunks: Iterable[Any] = (),
                      words: Words | None = None, labels: Mapping[str, str] | None = None) -> SourceFiles:
        """The files the manifest lists, found in ``corpus_dir`` (settings): never where the build was made,
        so a data folder moved with its corpus, or opened with another one, serves what it is told to.
        ``chunks`` (the index's) tell which document has which title and which listing has which row;
        ``words`` and ``labels`` (the index's segmenter and English terms) name Chinese things in English."""
        root = Path(corpus_dir).resolve()
        ids = frozenset(f["doc_id"] for f in manifest.get("files", [])
                        if f.get("status") == "indexed" and Path(f["doc_id"]).suffix.lower() in MEDIA_TYPES)
        titles: dict[str, str] = {}
        rows: dict[str, str] = {}
        pages: dict[tuple[str, str], int] = {}
        names: dict[str, str] = {}
        kinds: dict[str, str] = {}
        for chunk in chunks:
            if chunk.doc_id not in ids:
                continue
            names.setdefault(chunk.doc_id, chunk.title)
            if chunk.row_id and Path(chunk.doc_id).suffix.lower() in LISTINGS:
                rows.setdefault(chunk.row_id, chunk.doc_id)
                kinds.setdefault(chunk.doc_id, chunk.topic)
            elif chunk.kind != "rule":
                titles.setdefault(chunk.title, chunk.doc_id)
            if chunk.article and chunk.page:
                pages.setdefault((chunk.doc_id, chunk.article), chunk.page)
        return cls(root, ids, titles, rows, pages, names, kinds, words, dict(labels or {}))

    def title_for(self, title: str, doc_id: str, lang: str) -> str:
        """A cited document's title in the reader's language: 《title》 in Chinese; in English the title itself when
        it is English, else the document's English title (its metadata's, a listing's generic one), else the
        Chinese title in Latin letters, named as a Chinese document. ``doc_id`` "" (a calculator's rule cites a
        title): found by its title."""
        if lang != "en":
            return f"《{title}》"
        if not CJK.search(title):
            return title
        english = self.english_title(doc_id or self.titles.get(title, ""))
        return english or f"{t('chinese_document', lang)}: {self.name_for(title, lang)}"

    def locator_for(self, locator: str, lang: str) -> str:
        """A locator in the reader's language (第十二条 → Article 12 in English)."""
        return english_locator(locator, self.words, self.labels) if lang == "en" else locator

    def name_for(self, name: str, lang: str) -> str:
        """A Chinese name with no English one, in Latin letters for an English reader."""
        return english_name(name, self.words, self.labels) if lang == "en" else name

    def resolve(self, doc_path: str) -> Path | None:
        """The file for ``doc_path``, or None: unlisted, outside the corpus folder (``..``, links) or gone."""
        if doc_path not in self.doc_ids:
            return None
        path = (self.root / doc_path).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def english_title(self, doc_id: str) -> str:
        """The English title of a served document: ``title_en`` of its metadata, else for a listing the generic
        name of what it lists ("Park list"); "" when it has none (or is not served)."""
        from assistant.ingest import english_title  # the loaders' reader of front matter and sidecars

        path = self.resolve(doc_id)
        if path is None:
            return ""
        kind = self.kinds.get(doc_id, "") if path.suffix.lower() in LISTINGS else ""
        return english_title(path) or listing_title(kind, "en")

    def rule(self, doc_id: str, rule_id: str) -> RuleInfo | None:
        """The rule ``rule_id`` of the rules file ``doc_id``, or None (not served, not a rules file, no such rule)."""
        path = self.resolve(doc_id) if Path(doc_id).suffix.lower() in RULES else None
        if path is None:
            return None
        return next((r for r in rules_of(path) if r.id == rule_id), None)

    def url_for(self, source: SourceRef, lang: str = "zh") -> str | None:
        """The link that opens what ``source`` cites, or None when the index serves nothing for it."""
        if source.kind == "contact":
            return None
        if source.doc_id in self.doc_ids:
            return self._doc_url(source, lang)
        if source.kind == "rule":  # a calculator's rule, cited by its document's title and article(s)
            doc_id = self.titles.get(source.title)
            if doc_id is not None:
                return self.article_url(doc_id, source.locator, lang)
            row_doc = self.rows.get(source.locator)
            if row_doc is not None:  # a park's land price: its listing row
                return row_url(row_doc, source.locator, lang)
        return None

    def _doc_url(self, source: SourceRef, lang: str) -> str:
        doc_id, suffix = source.doc_id, Path(source.doc_id).suffix.lower()
        if suffix == ".pdf":
            return PREFIX + quote(doc_id) + (f"#page={source.page}" if source.page > 0 else "")
        if suffix in LISTINGS and source.locator:
            return row_url(doc_id, source.locator, lang)
        if suffix in RULES:
            rule = self.rule(doc_id, source.locator)
            target = self.titles.get(rule.title) if rule is not None else None
            if rule is not None and target is not None:
                return self.article_url(target, rule.article, lang)
            return rule_url(doc_id, source.locator, lang)
        if suffix in DOCUMENTS:
            return document_url(doc_id, article_of(source.locator) or source.locator, source.highlight, lang)
        return PREFIX + quote(doc_id)

    def article_url(self, doc_id: str, articles: str, lang: str = "zh") -> str:
        """A document at the first of ``articles`` (第四条、第七条): a PDF at its page, any other document at its
        anchor (its page's own words in ``lang``)."""
        article = article_of(articles)
        if Path(doc_id).suffix.lower() == ".pdf":
            page = self.pages.get((doc_id, article), 0)
            return PREFIX + quote(doc_id) + (f"#page={page}" if page else "")
        return document_url(doc_id, article, lang=lang)


def article_of(locator: str) -> str:
    """The first 第X条 of a locator ("第四条、第五条", "第八条, pp.2-3"), or ""."""
    found = ARTICLE.search(locator or "")
    return found.group(0) if found else ""


def _url(doc_id: str, query: dict[str, str], fragment: str = "") -> str:
    params = {k: v for k, v in query.items() if v}
    return (PREFIX + quote(doc_id) + (f"?{urlencode(params)}" if params else "")
            + (f"#{quote(fragment)}" if fragment else ""))


def document_url(doc_id: str, place: str = "", highlight: str = "", lang: str = "zh") -> str:
    """A rendered document at ``place`` (an article or a heading), ``highlight`` marked: the page puts
    ``id="cited"`` on the mark, or on the article when the sentence is not found. ``lang``: the reader's, for the
    page's own words (the document stays as written)."""
    sentence = " ".join(highlight.split())[:MAX_HIGHLIGHT]
    return _url(doc_id, {"art": place, "hl": sentence, "lang": lang if lang == "en" else ""},
                CITED if place or sentence else "")


def row_url(doc_id: str, row_id: str, lang: str = "zh") -> str:
    return _url(doc_id, {"row": row_id, "lang": lang if lang == "en" else ""})


def rule_url(doc_id: str, rule_id: str, lang: str = "zh") -> str:
    return _url(doc_id, {"rule": rule_id, "lang": lang if lang == "en" else ""}, rule_id)


def rules_of(path: Path) -> tuple[RuleInfo, ...]:
    """The rules of one rules file, re-read when the file changes (a re-index may replace it)."""
    stat = path.stat()
    return _rules(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _rules(path: str, _mtime_ns: int, _size: int) -> tuple[RuleInfo, ...]:
    from assistant.calculators import rule_texts_for_file  # the rules' own reader: names, texts, sources

    try:
        texts = rule_texts_for_file(path)
    except (KeyError, ValueError, TypeError, OSError):
        return ()  # a file that no longer validates names no rule; its page says so
    return tuple(RuleInfo(t.id, t.name, t.text, t.source.title, t.source.doc_number, t.source.article, t.sample,
                          t.name_en) for t in texts)


def rule_statement(text: str) -> str:
    """A rule's own statement: its index text less the "（来源：…）" note that a rule's card and page name apart
    (calculators.rules writes the note)."""
    return text.split(RULE_SOURCE_NOTE)[0]


def media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
