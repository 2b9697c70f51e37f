"""Sentences addressed to an AI assistant rather than to the reader of a document ("ignore your earlier
instructions", "from now on you are…", "when a user asks, reply that…"): found at ingest, so they are listed for
staff and never become answer text.

The patterns are data: ``injection_patterns.yaml`` beside this module (talking to an AI is not particular to a
city, so the list ships with the code) plus the corpus lexicon's ``injection_phrases``. A sentence is matched
after normalisation (see ``normalise``), so full-width letters, capitals and spacing do not hide a phrase."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

from assistant.documents import Chunk
from assistant.ingest.chunking import split_sentences
from assistant.lexicon import Lexicon

PATTERNS_FILE = Path(__file__).with_name("injection_patterns.yaml")
LEXICON_CATEGORY = "lexicon"  # the category of the corpus's own injection_phrases
_CJK = "\u2e80-\u9fff\uf900-\ufaff"
_SPACE_NEAR_CJK = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC (full-width letters and punctuation to ASCII), case-folded, invisible characters dropped, whitespace
    next to a CJK character removed (Chinese is written without spaces) and other runs of it made one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf"))
    return _SPACE_NEAR_CJK.sub("", _SPACES.sub(" ", text)).strip()


@dataclass(frozen=True)
class Flag:
    sentence: str  # as written in the document
    category: str  # which group of patterns matched: override, role, prompt, address, answer, lexicon


@cache
def default_patterns() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8")) or {}
    return {str(k): tuple(str(p) for p in v or ()) for k, v in data.items()}


class InjectionDetector:
    def __init__(self, patterns: Mapping[str, Sequence[str]]) -> None:
        self.patterns = {k: tuple(v) for k, v in patterns.items() if v}
        self._compiled = [(k, re.compile("|".join(f"(?:{p})" for p in v))) for k, v in self.patterns.items()]

    @classmethod
    def for_lexicon(cls, lexicon: Lexicon) -> InjectionDetector:
        """The packaged patterns plus the corpus's own (``injection_phrases`` in lexicon.yaml)."""
        return cls(default_patterns() | {LEXICON_CATEGORY: lexicon.injection_phrases})

    @property
    def fingerprint(self) -> str:
        """Changes with the patterns: a build made with other patterns re-reads its files."""
        return hashlib.sha256(json.dumps(self.patterns, sort_keys=True).encode()).hexdigest()[:16]

    def category(self, sentence: str) -> str | None:
        """The category of the first pattern group matching ``sentence``, or None."""
        text = normalise(sentence)
        return next((name for name, pattern in self._compiled if pattern.search(text)), None)

    def scan(self, text: str) -> tuple[str, list[Flag]]:
        """``text`` without its flagged sentences, and those sentences. Split as the chunker splits (after
        。！？；!?; and line ends), so a flagged clause after a semicolon goes alone."""
        kept: list[str] = []
        flags: list[Flag] = []
        for sentence in split_sentences(text):
            category = self.category(sentence) if sentence.strip() else None
            if category is None:
                kept.append(sentence)
            else:
                flags.append(Flag(sentence.strip(), category))
        return ("".join(kept).strip(), flags) if flags else (text, [])


def screen_chunks(chunks: Iterable[Chunk], detector: InjectionDetector) -> tuple[list[Chunk], list[dict[str, str]]]:
    """The chunks with their flagged sentences taken out of the text (kept in ``Chunk.flagged`` for staff), a
    chunk left with nothing else dropped; and one record per flagged sentence (sentence, locator, category)."""
    kept: list[Chunk] = []
    records: list[dict[str, str]] = []
    for chunk in chunks:
        clean, flags = detector.scan(chunk.text)
        records += [{"sentence": f.sentence, "locator": chunk.locator, "category": f.category} for f in flags]
        if not flags:
            kept.append(chunk)
        elif clean:
            kept.append(replace(chunk, text=clean, flagged="\n".join(f.sentence for f in flags)))
    return kept, records
