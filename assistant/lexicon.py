"""The lexicon: the words of one city's corpus that no document states outright, kept as data staff can edit.

It lives beside the documents (``<corpus>/lexicon.yaml``), is checked by ``ingest.py --check``, copied into each
index build and loaded with it, so a city that brings its own corpus edits YAML, never Python. Every section is
optional: an empty lexicon leaves the generic mechanisms (BM25, embeddings, parks and districts read from the
listings and metadata) to work on their own.

Phrase lists (``scope_words``, ``off_topic``, ``handoff``, ``other_places``, ``home_places``) are regular
expressions, matched case-insensitively; a plain word is a valid one."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

LEXICON_FILE = "lexicon.yaml"  # in the corpus folder
LEXICON_JSON = "lexicon.json"  # in each index build


class Industry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="The Chinese stem listings and questions use (汽车, 电子).")
    en: tuple[str, ...] = Field((), description="English regular expressions naming it (auto(?:motive)?, cars?).")
    label_en: str = Field("", description=(
        "Its English name in answers, for a listing row without English industries (automotive); pinyin if empty."))


class Suggestions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def get(self, lang: str) -> tuple[str, ...]:
        return self.en if lang == "en" else self.zh


INTENTS = ("handoff", "smalltalk", "out_of_scope", "listing", "policy", "match")  # those intent_examples may teach


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: tuple[str, ...] = Field((), description="Words the tokenizer keeps whole (两免三减半, 标准厂房).")
    synonyms: dict[str, tuple[str, ...]] = Field(default_factory=dict, description=(
        "A question word -> words the documents use instead (峰谷 -> 高峰, 低谷)."))
    abbreviations: dict[str, str] = Field(default_factory=dict, description=(
        "Official long form -> the short form people use (经济技术开发区 -> its short form)."))
    place_aliases: dict[str, str] = Field(default_factory=dict, description=(
        "English names and nicknames -> the Chinese place word (airport -> the airport zone's name). Pinyin of "
        "district and park "
        "names is derived, not listed here."))
    home_places: tuple[str, ...] = Field((), description=(
        "Names of the region the assistant serves (贵阳, guiyang): stripped from park names, and a question naming "
        "them is in scope."))
    other_places: tuple[str, ...] = Field((), description=(
        "Other cities: a question only about them is out of scope."))
    scope_words: tuple[str, ...] = Field((), description="Topic words that put a question in scope (电价, land).")
    weak_scope_words: tuple[str, ...] = Field((), description=(
        "Generic words (price, company) that do not by themselves make an off-topic question in scope."))
    off_topic: tuple[str, ...] = Field((), description="Topics outside the assistant's remit (天气, lottery).")
    handoff: tuple[str, ...] = Field((), description="Phrases asking for a person (转人工, talk to a person).")
    meta_notes: tuple[str, ...] = Field((), description=(
        "Labels of notes about a document itself rather than its subject (示例数据说明：): a sentence holding one is "
        "never answer content."))
    glossary: dict[str, tuple[str, ...]] = Field(default_factory=dict, description=(
        "English investor topic -> Chinese equivalents, to tell whether the corpus covers an English question."))
    industries: tuple[Industry, ...] = Field((), description="Industries listings and questions name.")
    suggestions: dict[str, Suggestions] = Field(default_factory=dict, description=(
        "Questions the investor page suggests per topic (land, electricity, talent, factories, incentives), "
        "in Chinese and English: ones this corpus answers."))
    intent_examples: dict[str, tuple[str, ...]] = Field(default_factory=dict, description=(
        "Example phrasings per intent (handoff, smalltalk, out_of_scope, listing, policy, match), in either language: a "
        "question is also routed by its nearest examples (the bundled embedder), so staff teach a new phrasing "
        "by adding one."))
    injection_phrases: tuple[str, ...] = Field((), description=(
        "Phrases of sentences addressed to an AI assistant rather than to readers, added to the packaged list "
        "(assistant/ingest/injection_patterns.yaml); matched after normalisation: lower case, Chinese without spaces."))

    @field_validator("home_places", "other_places", "scope_words", "weak_scope_words", "off_topic", "handoff", "meta_notes",
                     "injection_phrases")
    @classmethod
    def _regex(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        for item in items:
            try:
                re.compile(item)
            except re.error as err:
                raise ValueError(f"{item!r} is not a valid regular expression: {err}") from None
        return items

    @field_validator("intent_examples")
    @classmethod
    def _intents(cls, examples: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown = sorted(set(examples) - set(INTENTS))
        if unknown:
            raise ValueError(f"unknown intents {unknown}; known: {', '.join(INTENTS)}")
        return examples

    @field_validator("industries")
    @classmethod
    def _industry_regex(cls, items: tuple[Industry, ...]) -> tuple[Industry, ...]:
        cls._regex(tuple(p for i in items for p in i.en))
        return items

    @property
    def industry_labels(self) -> dict[str, str]:
        """Industry stems with their English names (label_en): a listing row without English columns in English."""
        return {i.name: i.label_en for i in self.industries if i.label_en}

    # ---- compiled forms (built once per loaded lexicon) ----
    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever the lexicon does: tokenisation depends on ``terms``, so the index is rebuilt."""
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:16]

    @property
    def tokenizer_terms(self) -> tuple[str, ...]:
        """Words the tokenizer keeps whole: the terms, and every Chinese synonym key (a synonym for 拿地 only
        helps if 拿地 reaches the lookup as one token)."""
        keys = (k for k in self.synonyms if len(k) >= 2 and re.search(r"[\u3400-\u9fff]", k))
        return tuple(dict.fromkeys((*self.terms, *keys)))

    @cached_property
    def glossary_terms(self) -> tuple[re.Pattern[str] | None, dict[str, tuple[str, ...]]]:
        """The glossary's English topics as one pattern (longer phrases first: "natural gas" before "gas"), and
        each topic in lower case with its Chinese terms; compiled once per loaded lexicon, not per question."""
        entries = {k.lower(): v for k, v in self.glossary.items()}
        if not entries:
            return None, entries
        alternatives = "|".join(re.escape(k) for k in sorted(entries, key=len, reverse=True))
        return re.compile(rf"\b({alternatives})\b", re.I), entries

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern[str]]:
        sections = ("home_places", "other_places", "scope_words", "weak_scope_words", "off_topic", "handoff", "meta_notes")
        return {name: re.compile("|".join(f"(?:{p})" for p in getattr(self, name)), re.I)
                for name in sections if getattr(self, name)}

    def pattern(self, section: str) -> re.Pattern[str] | None:
        """One case-insensitive pattern for a phrase section, or None when the section is empty."""
        return self._patterns.get(section)


class LexiconError(ValueError):
    """An invalid lexicon file; ``problems`` are (line, key path, message)."""

    def __init__(self, path: Path, problems: list[tuple[int, str, str]]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}:{line} [{key}] {msg}" for line, key, msg in problems))


def _key_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Line (1-based) of every key and list item, by its path, from the YAML node tree."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[(*path, key.value)] = key.start_mark.line + 1
                walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    root = yaml.compose(text)
    if root is not None:
        walk(root, ())
    return lines


def parse_lexicon(text: str, path: Path) -> Lexicon:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise LexiconError(path, [((mark.line + 1) if mark else 1, "", f"not valid YAML: {err}")]) from None
    if data is None:
        return Lexicon()
    if not isinstance(data, dict):
        raise LexiconError(path, [(1, "", "the lexicon must be a mapping of sections")])
    try:
        return Lexicon.model_validate(data)
    except ValidationError as err:
        lines = _key_lines(text)
        problems = []
        for e in err.errors():
            loc = tuple(e["loc"])
            while loc and loc not in lines:
                loc = loc[:-1]
            problems.append((lines.get(loc, 1), ".".join(str(p) for p in e["loc"]), e["msg"]))
        raise LexiconError(path, problems) from None


def load_lexicon(corpus_dir: Path) -> Lexicon:
    """The corpus's lexicon, or an empty one when the corpus has none; LexiconError when it is invalid."""
    path = corpus_dir / LEXICON_FILE
    if not path.is_file():
        return Lexicon()
    return parse_lexicon(path.read_text(encoding="utf-8"), path)


def lexicon_from_json(text: str) -> Lexicon:
    return Lexicon.model_validate_json(text) if text.strip() else Lexicon()
