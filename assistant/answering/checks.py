"""Knowing when not to answer: the checks a policy answer passes before it is given. The older passage-wide
ones (a year the passages never name, a subject the corpus never names, a figure asked and none found) and the
sentence-level support check (support.py), with the lexicon, the bilingual dictionary and the embedder behind
them. One per served index, built by ChatService."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant.answering.composer import Picked
from assistant.answering.covers import make_covers
from assistant.answering.glossary import unknown_english_topic
from assistant.answering.messages import say
from assistant.answering.question_patterns import asks_for_list, kinds_in, years_in
from assistant.answering.support import SupportCheck, Verdict
from assistant.documents import Chunk
from assistant.index import SearchIndex, embedding_text, english_stem
from assistant.language import passage_language, to_simplified
from assistant.listings import Places
from assistant.sentences import sentences
from assistant.settings import Settings

MAX_EMBEDDED = 6  # sentences per question the support check may ask the embedder about (each ~60 ms, once)


def _other_year(question: str, picked: list[Picked], chunks: list[Chunk]) -> bool:
    """The question names a year the passages answering it never mention (asked about 2027, found 2026).
    The year may sit outside the chosen sentences: in their passage, its title or its date in force."""
    years = set(years_in(question))
    if not years:
        return False
    used = [chunks[i] for i in {p.chunk_rank for p in picked}]
    text = "".join(p.sentence for p in picked) + "".join(c.title + c.text + c.effective for c in used)
    return not any(y in text for y in years)


# A question asking for a figure: 多少 / 税率 / how much … (not 怎么, which is answered in words).
_ASKS_FIGURE = re.compile(r"多少|几成|税率|费率|how much|how many|what(?: is|'s| are) the [\w' -]*(rate|price|tariff|fee|cost)", re.I)
# Words naming the kind of figure asked for, not what it is about.
_FIGURE_WORDS = {"税率", "费率", "比例", "价格", "标准", "金额", "费用", "多少钱", "多少", "补贴", "奖励", "电价"}
# Words of the question's own script inside an other-language sentence (a Chinese park name in an English row): the
# embedder matches them as words, so the similarity is no longer one across languages.
_OWN_SCRIPT = {"zh": re.compile(r"[\u3400-\u9fff]"), "en": re.compile(r"[A-Za-z]{4,}")}
FOCUS_IDF = 3.0  # a term in only a few passages: the question is about it, not about the corpus at large


def _figure_missing(question: str, picked: list[Picked], focus: str) -> bool:
    """A question asking for a figure, answered by sentences holding none; or naming a rare term (契税) that
    the chosen sentences mention only without a figure: the corpus names it in passing, and the figures shown
    would be about something else."""
    if not _ASKS_FIGURE.search(question):
        return False
    has_figure = [bool(re.search(r"\d", p.sentence)) for p in picked]
    if not any(has_figure):
        return True
    naming = [figure for p, figure in zip(picked, has_figure, strict=True) if focus and focus in to_simplified(p.sentence)]
    return bool(naming) and not any(naming)


class AnswerChecks:
    def __init__(self, settings: Settings, index: SearchIndex, places: Places) -> None:
        self.settings = settings
        self.index = index
        self.tokenizer = index.tokenizer
        self.lexicon = index.lexicon
        # Checks of a question against the corpus read both in simplified script (citations keep the original).
        self.corpus_text = to_simplified("\n".join(c.title + "\n" + c.text for c in index.chunks))
        self.corpus_lower = self.corpus_text.lower()
        answering = settings.answering
        self.check = SupportCheck(
            self.tokenizer.tokens, index.lexical.idf, min_subject=answering.min_subject,
            generic_idf=answering.generic_idf, normalise=places.normalise,
            glossary=index.lexicon.glossary_terms, home=index.lexicon.pattern("home_places"),
            english_word=index.bilingual.is_english_word, english_verb=index.bilingual.is_english_verb,
            place_word=self.tokenizer.is_place,
            corpus_word=lambda w: w in index.lexical.vocab or w in index.bilingual.pinyin,
            districts_of=lambda text: {p.district for p, _ in places.park_scores(text)} | set(
                places.districts_in(places.normalise(text))))

    def passage_wide(self, query: str, picked: list[Picked], chunks: list[Chunk], lang: str) -> str | None:
        """The older, passage-wide checks: a year the passages never name, a subject the corpus never names, a
        figure asked for and none found. None when they pass; else the line on what was found instead."""
        title = chunks[picked[0].chunk_rank].title
        years = years_in(query)
        if _other_year(query, picked, chunks):
            return self.nearby((Verdict(False, "year", years[0]), title), lang)
        unknown = self.unknown_subject(query)
        if unknown or _figure_missing(query, picked, self.focus(query)):
            verdict = Verdict(False, "subject", unknown) if unknown else Verdict(False, "figure")
            return self.nearby((verdict, title), lang)
        return None

    def unknown_subject(self, question: str) -> str:
        """A noun of the question that the corpus never mentions (工业用水, 高铁): then the passages found can only
        be about something else, however many other words they share."""
        corpus = self.corpus_text
        english = unknown_english_topic(question, corpus, self.lexicon, self.corpus_lower)
        if english:
            return english
        translations = self.index.expand(question).translations

        def known(word: str) -> bool:
            # Named by the corpus, by a synonym, or in its other language (only translations it holds are kept).
            return (word in corpus or any(s in corpus for s in self.lexicon.synonyms.get(word, ()))
                    or bool(translations.get(word)))

        asking_words = self.check.patterns.not_subject
        for noun in self.tokenizer.subject_nouns(question):
            # A word jieba made up from characters it could not place (拿块 in 拿块工业用地) says nothing.
            if known(noun) or noun in asking_words or not self.tokenizer.in_dictionary(noun):
                continue
            # A compound whose parts the corpus all uses (安家费: 安家) is worded differently, not unknown;
            # one with a part it never uses (工业用水: 用水) is a subject the corpus lacks.
            parts = [w for w in self.tokenizer.search_words(noun) if w != noun and len(w) >= 2]
            if not parts or not all(known(w) for w in parts):
                return noun
        return ""

    def focus(self, question: str) -> str:
        """The rarest corpus term among the question's Chinese nouns, when it is rare enough to be its subject."""
        lexical = self.index.lexical
        nouns = [n for n in self.tokenizer.nouns(question) if n not in _FIGURE_WORDS and n in lexical.vocab]
        best = max(nouns, key=lexical.idf, default="")
        return best if best and lexical.idf(best) >= FOCUS_IDF else ""

    def subject_test(self, synonyms: dict[str, tuple[str, ...]], followup: bool = False) -> Callable[[str], bool]:
        """Can a term be what a question is about: a Chinese noun the corpus uses, or an English word whose
        translations in the corpus are nouns. A follow-up's subject is the last turn's: none of its own."""
        vocab = self.index.lexical.vocab

        def noun(word: str) -> bool:
            return word in self.tokenizer.nouns(word)

        def is_subject(term: str) -> bool:
            if followup:
                return False
            if term.isascii():
                # A past form (issued, practised) is how the question asks, not what it asks about.
                if term.endswith("ed") and english_stem(term) != term:
                    return False
                if any(noun(t) for t in synonyms.get(term, ()) if not t.isascii()):
                    return True
                # A thing the corpus never names in either language (hotels, a recipe) is still what is asked
                # about: a passage answers only if it names it or the embedder finds it on topic.
                return (not synonyms.get(term) and term not in vocab and english_stem(term) not in vocab
                        and self.index.bilingual.is_english_noun(term))
            return (term in vocab or bool(synonyms.get(term))) and noun(term)

        return is_subject

    def synonyms(self, query: str) -> dict[str, tuple[str, ...]]:
        """A question word's equivalents: the lexicon's synonyms and the dictionary's translations in the corpus."""
        translations = self.index.expand(query).translations
        return {**translations, **{k: v + translations.get(k, ()) for k, v in self.lexicon.synonyms.items()}}

    def asks(self, text: str) -> bool:
        """Does a piece of a message ask something: a question mark, a figure asked for or a list?"""
        patterns = self.check.patterns
        return (text.rstrip().endswith(("?", "？")) or asks_for_list(text, patterns)
                or any(p.search(to_simplified(text)) for p in patterns.asks.values()))

    def has_subject(self, text: str) -> bool:
        return bool(self.subject(text))

    def subject(self, text: str) -> tuple[str, ...]:
        """The words naming what a piece of a message asks about (学费 in 学费能补贴多少)."""
        return self.check.read(text, self.subject_test(self.synonyms(text))).subject

    def kinds(self, text: str) -> set[str]:
        """The kinds of figure a piece of a message asks for (money, duration…)."""
        return set(kinds_in(text, self.check.patterns))

    def accept(self, query: str, lang: str, chunks: list[Chunk], synonyms: dict[str, tuple[str, ...]],
                       followup: bool, rejected: list[tuple[Verdict, str]],
               kinds: tuple[str, ...] | None = None) -> Callable[[Picked], bool]:
        """The support check as a judge of candidate sentences; each rejection (verdict, document title) is
        appended to ``rejected``, the best candidate's first. ``kinds``: the figures asked for, when the query
        was put together from several pieces of a message and only one piece's count."""
        vocab = self.index.lexical.vocab
        ask = self.check.read(query, self.subject_test(synonyms, followup),
                                known=lambda t: not followup and (t in vocab or bool(synonyms.get(t))))
        if kinds is not None:
            ask = replace(ask, kinds=kinds)
        covers = make_covers(synonyms, self.tokenizer.search_words)
        embedded = [0]  # sentences compared by the embedder so far: each may cost a model call

        def accept(pick: Picked) -> bool:
            chunk = chunks[pick.chunk_rank]
            # The sentences before it, as the composer split them (its text has lost the Markdown: **852**),
            # after the passage leading into its own under the same heading.
            before = " ".join(sentences(chunk.text)[:pick.position])
            passage = f"{chunk.title} {chunk.heading} {chunk.article} {chunk.text}"
            other = passage_language(pick.sentence) != lang
            lead = self.index.lead_in(chunk)
            verdict = self.check.judge(ask, pick.sentence, passage, covers, before=before, other_language=other,
                                         title=chunk.title, heading=chunk.heading, lead=lead)
            # A paraphrase (成绩 for 新引进项目84个) escapes word matching: the embedder may still see it on topic.
            # Not for a name it lacks (南明区): the embedder reads places and companies as alike.
            # The other language's sentence too: the dictionary gives one sense of a word, its text may use another.
            if (verdict.reason == "subject" and embedded[0] < MAX_EMBEDDED
                    and not self.tokenizer.is_name(verdict.missing)):
                embedded[0] += 1
                if self.on_topic(query, lang, pick.sentence, other):
                    verdict = self.check.judge(ask, pick.sentence, passage, covers, before=before, subject_ok=True,
                                               other_language=other, title=chunk.title, heading=chunk.heading,
                                               lead=lead)
            if not verdict.ok:
                rejected.append((verdict, chunk.title))
            return verdict.ok

        return accept

    def on_topic(self, query: str, lang: str, sentence: str, other_language: bool = False) -> bool:
        """Does the embedder put the sentence close enough to the question to answer it though its words miss the
        subject? For another language's sentence, only one wholly in that language: the threshold is calibrated
        across languages (XQuAD), and words of the question's script in it would be matched as words."""
        answering = self.settings.answering
        own = _OWN_SCRIPT.get(lang)
        if other_language and own is not None and own.search(sentence):
            return False
        threshold = (answering.subject_similarity_other if other_language else answering.subject_similarity).get(lang)
        if threshold is None:
            return False
        text = embedding_text(query, self.settings.retrieval.max_embed_chars)
        return self.index.similarity(text, [sentence])[0] >= threshold

    def telling(self, rejected: list[tuple[Verdict, str]]) -> tuple[Verdict, str]:
        """The rejection to tell the visitor about: one lacking a subject the corpus names nowhere (hotels) says
        more than one lacking a place some other passage names (Longdongbao); else the best candidate's."""
        vocab, pinyin = self.index.lexical.vocab, self.index.bilingual.pinyin
        for verdict, title in rejected:
            word = verdict.missing.lower()
            if verdict.reason == "subject" and word and word not in vocab and word not in pinyin \
                    and not self.index.expand(word).translations:
                return verdict, title
        return rejected[0]

    @staticmethod
    def nearby(declined: tuple[Verdict, str], lang: str) -> str:
        """One line on what was found instead of an answer: the best sentence's document and why it is not one."""
        verdict, title = declined
        return say(f"nearby_{verdict.reason}", lang).format(title=title, missing=verdict.missing) if verdict.reason else ""
