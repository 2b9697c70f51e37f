"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates fused by reciprocal rank, filtered by
topic, district and validity date, near-duplicates removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.chat_types import Candidate
from assistant.documents import Chunk
from assistant.index.search import Hit, SearchIndex, embedding_text
from assistant.language import to_simplified
from assistant.settings import RetrievalSettings


@dataclass(frozen=True)
class Filters:
    topics: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    day: date | None = None  # no documents expired before this day; None = no date filter
    # Documents that take effect after ``day`` are kept: an investor planning ahead needs a measure announced
    # for next year (the answer says from when it applies). False keeps only those in force on ``day``.
    upcoming: bool = True
    prefer_language: str = ""  # listing rows exist in zh and en: keep the twin in this language
    prefer_districts: tuple[str, ...] = ()  # the places a question names: their best passages are read first

    def allows(self, chunk: Chunk) -> bool:
        if self.topics and chunk.topic not in self.topics:
            return False
        if self.districts and chunk.district and chunk.district not in self.districts:
            return False
        if self.day is not None:
            iso = self.day.isoformat()
            if (not self.upcoming and chunk.effective and chunk.effective > iso) or (chunk.expires and chunk.expires < iso):
                return False
        return True


def _shingles(text: str) -> set[str]:
    compact = "".join(text.split())
    return {compact[i:i + 3] for i in range(max(len(compact) - 2, 1))}


def near_duplicate(a: str, b: str, threshold: float = 0.85) -> bool:
    sa, sb = _shingles(a), _shingles(b)
    return bool(sa and sb) and len(sa & sb) / min(len(sa), len(sb)) >= threshold


DUPLICATE_SHARE = 0.5  # of the longer passage's length: a shorter one inside it is a fragment, not a copy
PLACE_PASSAGES = 2  # passages of the places a question names read first
PLACE_AT = 2  # after the best this many of the fused ranking, whatever place they are about
LIFT_RANK = 10  # a passage lifted into the first places was among the first this many of some retriever's list


class HybridRetriever:
    def __init__(self, index: SearchIndex, settings: RetrievalSettings) -> None:
        self.index = index
        self.settings = settings

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               vector: list[float] | None = None) -> list[Candidate]:
        k = k or self.settings.top_k
        filters = filters or Filters()
        pool = self.settings.candidates
        chunks = self.index.chunks
        # The embedding model reads the start of a long question only: its cost grows with every character.
        text = embedding_text(to_simplified(query), self.settings.max_embed_chars)
        vector = vector if vector is not None else list(self.index.query_vector(text))
        # One dense search per passage language: the model ranks passages in the question's own language so far
        # above the rest that, searched together, an English question never reaches a Chinese passage.
        # Filtering after the search is far faster than Chroma's metadata pre-filter, and the few chunks it
        # removes (expired documents, other topics) are made up by asking for twice as many.
        ranked_lists: list[tuple[str, list[Hit], float]] = []
        for language in self.index.languages:
            hits = self.index.dense(text, pool * 2, vector=vector, language=language)
            ranked_lists.append(("dense", [h for h in hits if filters.allows(chunks[h.position])][:pool],
                                 self.settings.dense_weight))
            if self.settings.sentence_weight > 0:
                hits = self.index.sentence_dense(vector, pool * 2, language)
                ranked_lists.append(("sentence", [h for h in hits if filters.allows(chunks[h.position])][:pool],
                                     self.settings.sentence_weight))
        lexical = [h for h in self.index.lexical_search(query, pool * 3) if filters.allows(chunks[h.position])][:pool]
        ranked_lists.append(("lexical", lexical, self.settings.lexical_weight))
        fused: dict[int, dict[str, Any]] = {}
        for name, hits, weight in ranked_lists:
            for rank, hit in enumerate(hits, start=1):
                entry = fused.setdefault(hit.position, {"score": 0.0})
                entry["score"] += weight / (self.settings.rrf_k + rank)
                entry[name], entry[f"{name}_rank"] = hit.score, rank
        order = self._with_each_language(sorted(fused.items(), key=lambda item: -item[1]["score"]))
        order = self._with_places(order, filters.prefer_districts)
        ranked = [(self._preferred(p, filters), e) for p, e in order]
        out: list[Candidate] = []
        kept: list[Chunk] = []
        for position, entry in ranked:
            chunk = chunks[position]
            if self._redundant(chunk, kept, filters):
                continue
            kept.append(chunk)
            out.append(Candidate(chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, title=chunk.title,
                                 locator=chunk.locator, score=entry["score"], dense=entry.get("dense"),
                                 lexical=entry.get("lexical"), dense_rank=entry.get("dense_rank"),
                                 lexical_rank=entry.get("lexical_rank")))
            if len(out) >= k:
                break
        return out

    def _with_each_language(self, order: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
        """The fused ranking with the best passage of each language moved up into the first ``language_slots``
        places when it is not there already: a question's own language wins the fusion (its dense list and the lexical one both favour it),
        and the other language's best passage, which may be the only one that answers, would sink below the
        passages the composer reads."""
        slots = self.settings.language_slots
        if slots <= 0 or len(self.index.languages) < 2:
            return order
        chunks = self.index.chunks
        best: dict[str, int] = {}
        for i, (position, entry) in enumerate(order):
            # Listing rows are indexed in both languages: none to lift. A passage no retriever put near the top
            # of its list is not worth lifting however it compares with its language's others.
            near_top = min(entry.get("dense_rank") or LIFT_RANK + 1, entry.get("lexical_rank") or LIFT_RANK + 1)
            if chunks[position].kind != "listing" and near_top <= LIFT_RANK:
                best.setdefault(chunks[position].language, i)
        late = sorted(i for i in best.values() if i >= slots)
        if not late:
            return order
        lifted = [order[i] for i in late]
        lifted_at = set(late)
        rest = [item for i, item in enumerate(order) if i not in lifted_at]
        at = max(slots - len(lifted), 0)  # the last places among the first ``slots``; the rest keep their order
        return rest[:at] + lifted + rest[at:]

    def _with_places(self, order: list[tuple[int, dict[str, Any]]],
                     districts: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
        """The best passages of the places a question names moved up to just after the first ``PLACE_AT``: a
        park's own profile states its price in the same words as every other park's, so nothing else sets it
        above theirs, and a figure for another place is no answer."""
        if not districts:
            return order
        chunks = self.index.chunks
        found = [i for i, (position, _) in enumerate(order) if chunks[position].district in districts][:PLACE_PASSAGES]
        late = [i for i in found if i >= PLACE_AT + len(found)]
        if not late:
            return order
        lifted, moved = [order[i] for i in late], set(late)
        rest = [item for i, item in enumerate(order) if i not in moved]
        at = PLACE_AT + len(found) - len(late)
        return rest[:at] + lifted + rest[at:]

    def _preferred(self, position: int, filters: Filters) -> int:
        """A listing row in the question's language where the row has that rendering."""
        if not filters.prefer_language or self.index.chunks[position].language == filters.prefer_language:
            return position
        twin = self.index.twin(position, filters.prefer_language)
        return position if twin is None else twin

    @staticmethod
    def _redundant(chunk: Chunk, kept: list[Chunk], filters: Filters) -> bool:
        for other in kept:
            if chunk.row_id and chunk.row_id == other.row_id and chunk.doc_id == other.doc_id:
                return True  # the zh/en twin of a listing row already taken
            # The same words under two places' titles (两园区的"工业用地参考价为288元/㎡") are two facts; a
            # fragment (a row's lone sample note) does not stand for the whole passage that contains it.
            other_place = bool(chunk.district and other.district and chunk.district != other.district)
            shorter, longer = sorted((len(chunk.text), len(other.text)))
            if not other_place and shorter >= DUPLICATE_SHARE * longer and near_duplicate(chunk.text, other.text):
                return True
        return False

    def chunk(self, candidate: Candidate) -> Chunk:
        return self.index.chunks[self.index.positions[candidate.chunk_id]]
