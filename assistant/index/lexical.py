"""BM25 over jieba-segmented text, stored as a precomputed term-weight matrix beside the vector index."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from assistant.language import to_simplified

_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff]")
_STOP = frozenset(
    ["的", "了", "和", "与", "及", "或", "在", "是", "为", "对", "按", "等", "有", "吗", "呢", "啊", "吧", "么", "什么", "怎么", "多少", "哪些", "哪个", "如何", "可以", "请问", "啥", "有啥", "有没有", "来", "去", "想", "要", "能", "会", "咋", "咋样", "怎样", "怎么样", "一下", "告诉", "我", "你", "您", "我们", "你们", "他们", "的话", "这", "那", "哪", "些", "个", "请", "帮", "帮我", "知道", "了解", "问", "问问", "情况", "相关", "具体", "主要", "一些", "需要", "应该", "可能", "现在", "目前", "都", "还", "就", "也", "又", "吗？", "呀", "哦", "嘛", "多", "大概", "大约", "左右", "是不是", "能不能", "可不可以", "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "are", "was", "were", "be", "what", "how", "which", "do", "does", "did", "i", "we", "my", "our", "you", "your", "it", "its", "there", "any", "can", "could", "would", "should", "will", "me", "us", "please", "tell", "about", "much", "many"])
CACHE_TEXTS = 50_000  # the token cache is emptied when it holds this many texts…
CACHE_CHARS = 4_000_000  # …or this many characters of them (the corpus's sentences are a few hundred thousand)


def query_terms(tokens: Sequence[str], limit: int) -> tuple[str, ...]:
    """The first ``limit`` distinct tokens of a question, in order: what a long question is searched by."""
    return tuple(dict.fromkeys(tokens))[:limit]


class Tokenizer:
    def __init__(self, terms: Iterable[str] = ()) -> None:
        """``terms``: words jieba must keep whole (the lexicon's terms), the same when indexing and querying."""
        self.terms = tuple(terms)
        self._jieba = None
        self._lock = threading.Lock()
        # Cached values are tuples: a caller extending or sorting what it was given cannot change the cache.
        self._cache: dict[str, tuple[str, ...]] = {}
        self._cache_chars = 0  # characters of the cached texts (approximate under threads: a bound, not a count)
        self._pos = None  # jieba's part-of-speech tokenizer, made on first use

    def _get(self):
        with self._lock:
            if self._jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                for word in self.terms:
                    tok.add_word(word, freq=50000)
                tok.initialize()
                self._jieba = tok
        return self._jieba

    def nouns(self, text: str) -> list[str]:
        """Nouns and names of two characters or more (jieba's part-of-speech tags), in order."""
        import jieba.posseg

        base = self._get()  # outside the lock: _get takes it too, and threading.Lock is not re-entrant
        with self._lock:
            if self._pos is None:
                self._pos = jieba.posseg.POSTokenizer(base)
        return [w.word for w in self._pos.lcut(to_simplified(text)) if w.flag[:1] == "n" or w.flag == "vn" if len(w.word) >= 2]

    def is_place(self, word: str) -> bool:
        """Is a Chinese word a place name (jieba's ns)?"""
        self.nouns("")  # builds the part-of-speech tokenizer
        tagged = self._pos.lcut(to_simplified(word))
        return len(tagged) == 1 and tagged[0].flag == "ns"

    def is_name(self, word: str) -> bool:
        """Is a Chinese word a name (a place, person or organisation: jieba's ns, nr, nt)?"""
        self.nouns("")  # builds the part-of-speech tokenizer
        tagged = self._pos.lcut(to_simplified(word))
        return len(tagged) == 1 and tagged[0].flag in ("ns", "nr", "nt")

    def subject_nouns(self, text: str) -> list[str]:
        """Nouns specific enough to be a question's subject: names (places, people, organisations), common
        nouns of three characters or more, and a noun modifying the next (火星 in 火星基地建设项目). A lone
        two-character common noun (时候, 计划) is too often filler."""
        self.nouns("")  # builds the part-of-speech tokenizer
        words = [(w.word, w.flag) for w in self._pos.lcut(to_simplified(text))]
        out = []
        for i, (word, flag) in enumerate(words):
            if len(word) < 2:
                continue
            # A noun modifying the next one names what the question is about; the head noun of a run is
            # often a plain word (成绩, 买房) the corpus phrases otherwise.
            modifier = i + 1 < len(words) and words[i + 1][1] == "n" and len(words[i + 1][0]) >= 2
            in_run = flag == "n" and modifier
            if flag in ("ns", "nr", "nt", "nz") or (flag == "n" and (len(word) >= 3 or in_run)):
                out.append(word)
        return out

    def in_dictionary(self, word: str) -> bool:
        """Is a word in jieba's dictionary (or the lexicon's terms), not one its model guessed at from characters?"""
        return bool(self._get().FREQ.get(word))

    def words(self, text: str) -> list[str]:
        """jieba's words of a text (precise mode: each character in one word), the lexicon's terms kept whole."""
        return [w for w in self._get().lcut(text) if w.strip()]

    def search_words(self, text: str) -> list[str]:
        """jieba's search-mode words of a text, unfiltered (a compound and the words inside it)."""
        return [w for w in self._get().lcut_for_search(to_simplified(text)) if w.strip()]

    def tokens(self, text: str) -> tuple[str, ...]:
        """Search tokens of a text; cached, since answers re-tokenise the same sentences often. A tuple: the
        cached value itself is returned, so it must not be changeable (a caller once extended the list it got,
        and each ask of the same question made it ~3x longer)."""
        cached = self._cache.get(text)
        if cached is None:
            cached = tuple(self._tokens(text))
            if len(self._cache) >= CACHE_TEXTS or self._cache_chars + len(text) > CACHE_CHARS:
                self._cache.clear()
                self._cache_chars = 0
            self._cache[text] = cached
            self._cache_chars += len(text)
        return cached

    def _tokens(self, text: str) -> list[str]:
        text = re.sub(r"(?<=\d),(?=\d{3})", "", to_simplified(text.lower()))
        out = []
        for token in self._get().lcut_for_search(text):
            token = token.strip()
            if token and token not in _STOP and _TOKEN_OK.search(token):
                out.append(token)
        return out


class LexicalIndex:
    def __init__(self, vocab: dict[str, int], weights: sparse.csc_matrix) -> None:
        self.vocab = vocab
        self.weights = weights  # documents × terms, BM25 weight of each term in each document
        self._passages: dict[int, frozenset[int]] = {}  # term column -> its passages, filled as asked
        n_docs = max(weights.shape[0], 1)
        df = np.diff(weights.indptr).astype(np.float32)
        self._idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        # A word the corpus never uses is a strong sign the answer is not in it (高铁, water tariff…).
        self._unseen_idf = float(np.log(1.0 + (n_docs + 0.5) / 0.5))

    def passages_of(self, token: str) -> frozenset[int]:
        """The passages (row numbers) holding a term."""
        column = self.vocab.get(token)
        if column is None:
            return frozenset()
        found = self._passages.get(column)
        if found is None:
            found = frozenset(self.weights.indices[self.weights.indptr[column]:self.weights.indptr[column + 1]].tolist())
            self._passages[column] = found
        return found

    def idf(self, token: str) -> float:
        """How rare a term is in the corpus. A word the corpus never uses weighs a little more than half the
        rarest one: it may be the subject the corpus lacks (高铁, water tariff) or just colloquial (上班, 刚);
        English words less so, since the corpus is mostly Chinese."""
        col = self.vocab.get(token)
        if col is not None:
            return float(self._idf[col])
        return self._unseen_idf * (0.4 if token.isascii() else 0.6)

    @classmethod
    def build(cls, token_lists: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(token_lists), dtype=np.float32)
        for i, tokens in enumerate(token_lists):
            lengths[i] = len(tokens)
            for term, tf in Counter(tokens).items():
                rows.append(i)
                cols.append(vocab.setdefault(term, len(vocab)))
                tfs.append(tf)
        n_docs = max(len(token_lists), 1)
        tf = np.asarray(tfs, dtype=np.float32)
        col = np.asarray(cols, dtype=np.int64)
        row = np.asarray(rows, dtype=np.int64)
        df = np.bincount(col, minlength=len(vocab)).astype(np.float32)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        avg = float(lengths.mean()) if len(lengths) else 1.0
        norm = k1 * (1 - b + b * lengths[row] / max(avg, 1e-9)) if len(row) else np.zeros(0)
        data = idf[col] * tf * (k1 + 1) / (tf + norm) if len(row) else np.zeros(0)
        matrix = sparse.csc_matrix((data, (row, col)), shape=(len(token_lists), len(vocab)), dtype=np.float32)
        return cls(vocab, matrix)

    def scores(self, query_tokens: Sequence[str], weights: Mapping[str, float] | None = None) -> np.ndarray:
        """Each document's BM25 score for the query's terms; ``weights`` scales a term's share (1 when absent):
        a translated term counts for less than one the user typed."""
        columns: dict[int, float] = {}
        for t in query_tokens:
            col = self.vocab.get(t)
            if col is not None:
                columns[col] = max(columns.get(col, 0.0), weights.get(t, 1.0) if weights else 1.0)
        if not columns:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        cols = sorted(columns)
        factors = np.asarray([columns[c] for c in cols], dtype=np.float32)
        return np.asarray(self.weights[:, cols] @ factors).ravel()

    def top(self, query_tokens: Sequence[str], k: int, weights: Mapping[str, float] | None = None) -> list[tuple[int, float]]:
        scores = self.scores(query_tokens, weights)
        if not scores.size:
            return []
        k = min(k, scores.size)
        idx = np.argpartition(-scores, k - 1)[:k]
        ranked = sorted(((int(i), float(scores[i])) for i in idx if scores[i] > 0), key=lambda x: -x[1])
        return ranked

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        sparse.save_npz(folder / "bm25.npz", self.weights.tocsc())
        (folder / "bm25_vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        vocab = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
        return cls(vocab, sparse.load_npz(folder / "bm25.npz").tocsc())
