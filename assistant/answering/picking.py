"""Choosing the sentences that answer a question from its passages, and how sure we are of them: term coverage
first, then the passage-wide checks, then the sentence-level support check (checks.py). A message that asks
several questions ("运费每公斤补多少？一家企业一年最多补多少？") is answered question by question: each gets its
own subject, figure and place checked and its own best sentence, so the second is not lost under the first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.answering.checks import AnswerChecks
from assistant.answering.composer import Picked, coverage, pick_sentences
from assistant.answering.question_patterns import asks_for_list, split_questions, years_in
from assistant.answering.support import Verdict
from assistant.documents import Chunk
from assistant.index import SearchIndex, embedding_text
from assistant.index.retrieval import near_duplicate
from assistant.language import to_simplified
from assistant.settings import Settings

MAX_QUESTIONS = 3  # questions of one message answered apart; more read as one (a form pasted in)
PER_QUESTION = 2  # sentences a later question may add


@dataclass
class Choice:
    picked: list[Picked]
    confidence: float
    nearby: str = ""  # when declined by a check: one line on what the knowledge base holds instead


class SentencePicker:
    def __init__(self, settings: Settings, index: SearchIndex, checks: AnswerChecks) -> None:
        self.settings = settings
        self.index = index
        self.tokenizer = index.tokenizer
        self.checks = checks

    def choose(self, query: str, chunks: list[Chunk], lang: str, followup: bool, bonus: float = 0.0,
               extra: int = 0) -> Choice:
        """The sentences answering ``query`` from ``chunks`` (ranked passages). ``bonus``: confidence added when
        both retrievers agree on the top passage; ``extra``: passages read beyond the usual number (those of the
        places the question names, lifted among the first)."""
        questions = self._questions(query)
        if not 1 < len(questions) <= MAX_QUESTIONS:
            return self._one(query, chunks, lang, followup, bonus, extra)
        choices = [self._one(text, chunks, lang, followup, bonus, extra, kinds, message=query)
                   for text, kinds in questions]
        answered = [c for c in choices if c.picked]
        if not answered:
            best = max(choices, key=lambda c: c.confidence)
            return Choice([], best.confidence, next((c.nearby for c in choices if c.nearby), ""))
        # The answer opens with the first question's best sentence (scores of different questions do not compare).
        top = max(p.score for choice in answered for p in choice.picked)
        lead = max(answered[0].picked, key=lambda p: p.score)
        picked: list[Picked] = [replace(p, score=top + 0.01) if p is lead else p for p in answered[0].picked]
        for choice in answered[1:]:
            added = 0
            for pick in sorted(choice.picked, key=lambda p: -p.score):
                same = any((p.chunk_rank, p.position) == (pick.chunk_rank, pick.position)
                           or near_duplicate(p.sentence, pick.sentence, 0.7) for p in picked)
                if not same and added < PER_QUESTION:
                    picked.append(pick)
                    added += 1
        return Choice(sorted(picked, key=lambda p: (p.chunk_rank, p.position)),
                      max(c.confidence for c in answered))

    def _meaning(self, query: str) -> Callable[[list[str]], list[float]] | None:
        """The embedder's similarity of sentences to ``query``, for sentence choice; None when it is not used."""
        if self.settings.answering.meaning_weight <= 0:
            return None
        # The text the retriever embedded: its vector is cached, so the question costs no second model call.
        text = embedding_text(to_simplified(query), self.settings.retrieval.max_embed_chars)
        return lambda texts: self.index.similarity(text, texts)

    def _questions(self, query: str) -> list[tuple[str, tuple[str, ...] | None]]:
        """The message's questions that stand on their own. A piece that asks nothing (a description after the
        question) or has no subject of its own ("每吨多少钱？", "有没有上限？") narrows the one before it and stays
        with it. The years the message names hold for every question in it ("2024年…多少个项目？合同投资额多少？")."""
        out: list[str] = []
        kinds: list[tuple[str, ...] | None] = []  # the figures a question put together from pieces asks for
        for piece in split_questions(query):
            asks = bool(out) and self.checks.asks(piece)
            if not out or (asks and self.checks.has_subject(piece)):
                out.append(piece)
                kinds.append(None)
            elif asks and (before := self.checks.kinds(out[-1])) and (asked := self.checks.kinds(piece)) - {"number"} - before:
                # It asks another kind of figure about the same thing (学费能补多少？能补几年？): a question of its
                # own, about the subject of the one before, asking only its own kind. One after a question asked
                # in words (怎么收？每吨多少钱？) or asking 多少 alone narrows it.
                out.append(" ".join([*self.checks.subject(out[-1]), piece]))
                kinds.append(tuple(sorted(asked)))
            else:
                out[-1] = f"{out[-1]} {piece}"
        if len(out) < 2:
            return [(q, None) for q in out]
        # Places are not carried: a message names some only to set them apart ("apart from Kaiyang, …").
        years = years_in(query)
        return [(q if years_in(q) else " ".join([*years, q]), k) for q, k in zip(out, kinds, strict=True)]

    def _one(self, query: str, chunks: list[Chunk], lang: str, followup: bool, bonus: float, extra: int,
             kinds: tuple[str, ...] | None = None, message: str = "") -> Choice:
        idf = self.index.lexical.idf
        limits = self.settings.retrieval
        # The embedder compares sentences with the whole message: a question cut from it may keep too few words.
        meaning = self._meaning(message or query)
        weight = (self.settings.answering.meaning_weight, self.settings.answering.meaning_alone)
        synonyms = self.checks.synonyms(query)
        top = chunks[: limits.answer_chunks + extra]
        picked = pick_sentences(query, top, self.tokenizer, idf=idf, synonyms=synonyms,
                                max_terms=limits.max_query_terms, max_sentences=limits.max_composer_sentences,
                                language=lang, skip=self.index.lexicon.pattern("meta_notes"),
                                meaning=meaning, meaning_weight=weight)
        # Confidence: how much of the question the chosen sentences cover, or (slightly discounted) the two best
        # chunks as a whole, or the two best of its own language (the other language's best, lifted among the
        # first, is matched through a dictionary): a right passage phrased differently still counts.
        own = [c for c in chunks if c.language == lang][:2]
        wholes = [[Picked(i, 0, c.text, 0.0) for i, c in enumerate(group)] for group in (chunks[:2], own) if group]
        confidence = max([coverage(query, picked, self.tokenizer, idf=idf, synonyms=synonyms,
                                   max_terms=limits.max_query_terms)]
                         + [0.9 * coverage(query, whole, self.tokenizer, idf=idf, synonyms=synonyms,
                                           max_terms=limits.max_query_terms) for whole in wholes]) + bonus
        if not picked or confidence < limits.min_coverage:
            return Choice([], confidence)
        declined = self.checks.passage_wide(query, picked, top, lang)
        if declined is not None:
            return Choice([], confidence, declined)
        if self.settings.answering.support_check:
            # Chosen again, each candidate judged: a sentence that does not answer gives way to the next best.
            rejected: list[tuple[Verdict, str]] = []
            picked = pick_sentences(query, top, self.tokenizer, idf=idf, synonyms=synonyms,
                                    max_terms=limits.max_query_terms, max_sentences=limits.max_composer_sentences,
                                    language=lang, accept=self.checks.accept(query, lang, chunks, synonyms, followup,
                                                                              rejected, kinds),
                                    as_list=asks_for_list(query), skip=self.index.lexicon.pattern("meta_notes"),
                                    meaning=meaning, meaning_weight=weight)
            if not picked:
                return Choice([], confidence, self.checks.nearby(self.checks.telling(rejected), lang) if rejected else "")
        return Choice(picked, confidence)
