"""ChatService: the one use case every surface calls (CLI, API, web page, widget, staff console)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.answering.catalog import Catalog
from assistant.answering.checks import AnswerChecks
from assistant.answering.composer import compose, plain_sentence, source_ref
from assistant.answering.composers import Composer, ExtractiveComposer
from assistant.answering.contact import hand_over_contact
from assistant.answering.dialogue import (
    PROGRAMME,
    Conversation,
    ConversationStore,
    Turn,
    is_followup,
    places_in,
    rewrite,
)
from assistant.answering.grounding import ungrounded_numbers
from assistant.answering.intents import IntentExamples
from assistant.answering.listing_parts import Part, factory_part, park_part, with_sample_note
from assistant.answering.matching_turn import MATCH, MatchingTurn
from assistant.answering.messages import say
from assistant.answering.picking import SentencePicker
from assistant.answering.router import Route, in_scope, route, strip_instructions
from assistant.answering.titles import EnglishTitles
from assistant.calculators import CalcRequest, parse_calc_request, run_calc_request
from assistant.calculators import Source as RuleSource
from assistant.chat_types import Answer, Candidate, SourceRef
from assistant.documents import Chunk
from assistant.index import PLACE_PASSAGES, Filters, HybridRetriever, SearchIndex, embedding_text, make_embeddings
from assistant.language import detect_language, to_simplified
from assistant.settings import Settings
from assistant.text_input import EmptyQuestion, is_blank, visible

_ASKS_TO_CALCULATE = re.compile(r"算|测算|估算|核算|calculat|estimat|how much (would|will|do) i", re.I)
# Questions about one park's land price or profile are answered from the parks listing, not prose.
_PARK_FACTS = re.compile(r"地价|用地价格|土地价格|拿地|地.{0,4}(?:价位|啥价|什么价)|多少钱一亩|每亩|一亩|主导产业|园区介绍|land price|price of land|per mu|"
                         r"leading industr", re.I)
_ROW_FIELDS = re.compile(r"租金|售价|层高|净高|承重|荷载|电力|配电|容量|面积|还能租|rent|price|height|load|power|capacity|"
                         r"area|available", re.I)


KEPT_TURNS = 10  # turns of a conversation kept in memory: follow-ups read the last, the LLM the last three


def clip_question(text: str, limit: int) -> str:
    """The part of a question that is read: all of it up to ``limit`` characters; of a longer one, its first
    ``limit`` characters (runs of whitespace counted as one), ended at a sentence break or space in their second
    half where there is one, so no word is cut."""
    if len(text) <= limit:
        return text
    collapsed = re.sub(r"\s+", " ", text)  # whitespace padding cannot use up the budget
    if len(collapsed) <= limit:
        return collapsed
    head = collapsed[:limit]
    breaks = [m.end() for m in re.finditer(r"[。！？；!?;，,\s]", head) if m.end() > limit // 2]
    return head[: breaks[-1]].strip() if breaks else head


SPECIFIC_IDF = 2.5  # a corpus word in few enough passages to say what a question is about


class ChatService:
    def __init__(self, settings: Settings, index: SearchIndex, composer: Composer | None = None) -> None:
        self.settings = settings
        self.conversations = ConversationStore()
        self._lock = threading.Lock()
        self.titles = EnglishTitles(Path(settings.corpus_dir))  # the documents' English names, for English answers
        self._use(index)
        self._extractive = ExtractiveComposer()
        # The LLM mode's composer is built at the composition root (assistant.build) and handed in here.
        self.composer: Composer = composer or self._extractive

    @classmethod
    def from_settings(cls, settings: Settings, embeddings: Embeddings | None = None) -> ChatService:
        """The extractive service over the served index (assistant.build adds the LLM mode when it is on)."""
        return cls(settings, SearchIndex.open(settings, embeddings or make_embeddings(settings.embeddings)))

    def _use(self, index: SearchIndex) -> None:
        self.index = index
        self.tokenizer = index.tokenizer  # one jieba dictionary per process is enough (it takes seconds to load)
        self.lexicon = index.lexicon
        self.retriever = HybridRetriever(index, self.settings.retrieval)
        self.catalog = Catalog.from_index(index.structured, index.chunks, Path(self.settings.corpus_dir), index.lexicon)
        self._by_article = {(c.title, c.article): c for c in index.chunks if c.article}
        # The hand-over contact: the settings' service line, else the corpus's service passage.
        self._contact = {lang: hand_over_contact(self.settings.contact, index.chunks, lang) for lang in ("zh", "en")}
        self.intents = IntentExamples(index.lexicon.intent_examples, index.embeddings.embed_query)
        self.checks = AnswerChecks(self.settings, index, self.catalog.places)
        self.picker = SentencePicker(self.settings, index, self.checks)
        self.matching = MatchingTurn(self.settings, self.catalog, self.rule_source)  # policy matching, every surface

    def reload_if_stale(self) -> bool:
        """Switch to a newer index build (after a re-index) between questions."""
        with self._lock:
            if self.index.is_current():
                return False
            self._use(SearchIndex.open(self.settings, self.index.embeddings))
            return True

    def today(self) -> date:
        return self.settings.retrieval.today or date.today()

    # ---- the use case ----
    def ask(self, question: str, session_id: str | None = None, lang: str | None = None) -> Answer:
        for kind, value in self._turn(question, session_id, lang, streaming=False):
            if kind == "answer" and isinstance(value, Answer):
                return value
        raise RuntimeError("a turn ended without an answer")  # not reached: _turn always ends with one

    def ask_stream(self, question: str, session_id: str | None = None,
                   lang: str | None = None) -> Iterator[tuple[str, str | Answer]]:
        """("token", text) pieces, then ("answer", Answer), in either mode. The Answer is authoritative: after an
        LLM fallback its text replaces the tokens already shown. The turn is recorded before the Answer."""
        if is_blank(question):
            raise EmptyQuestion()
        return self._turn(question, session_id, lang, streaming=True)

    def _turn(self, question: str, session_id: str | None, lang: str | None,
              streaming: bool) -> Iterator[tuple[str, str | Answer]]:
        text = visible(question)
        if not text:  # every surface checks first; a caller that did not gets a clear refusal, not a crash
            raise EmptyQuestion()
        # A question is read up to max_question_chars: its cost stays bounded however long it is.
        text = to_simplified(clip_question(text, self.settings.retrieval.max_question_chars))
        lang = lang if lang in ("zh", "en") else detect_language(text)
        conv = self.conversations.get(session_id)
        text, injected = strip_instructions(text)
        if injected and not in_scope(text, self.lexicon, self.catalog.places.pattern):  # nothing left to answer but the instructions
            answer = Answer(say("out_of_scope", lang), "out_of_scope", lang, intents=["injection"])
            yield "token", answer.answer
            yield "answer", answer
            return
        followup = is_followup(text, conv, has_subject=conv.last is not None and self.checks.has_subject(text),
                               subject_of=self.checks.has_subject)
        # The last turn asked back for a calculator input ("企业所在区县？"): this message may be the reply.
        asked = conv.last is not None and bool(getattr(conv.last.calc, "missing", ()))
        calc = self._calc_request(text, lang, conv, followup or asked)
        # The question's vector (cached: retrieval reuses it) finds its nearest example phrasings.
        nearest = self.intents.nearest(self.index.query_vector(embedding_text(text, self.settings.retrieval.max_embed_chars)))
        # A company's profile (or a reply that adds to one) is matched against every incentive rule.
        matching = self.matching.begin(text, conv, nearest, calc is not None)
        turn_route = Route((MATCH,), lang) if matching else route(
            text, self.lexicon, places=self.catalog.places.pattern, is_calculation=calc is not None,
            followup_context=followup or (asked and calc is not None), domain_gate=self.settings.answering.domain_gate,
            nearest=nearest, thresholds=self.settings.answering.intent_similarity)
        if not turn_route.in_domain and self._uses_corpus_terms(text):
            turn_route = replace(turn_route, in_domain=True)
        query = rewrite(text, conv, self.catalog.places, lang) if followup else text
        # A chain of follow-ups each adds to the last query: it stays within the same bound.
        query = clip_question(query, self.settings.retrieval.max_question_chars)

        def extractive() -> Answer:
            if matching:
                return self.matching.answer(conv, lang, [*(t.question for t in conv.turns), text])
            return self._answer(text, query, lang, turn_route, calc, conv.last if followup else None)

        # Out of scope, small talk and hand-over keep their fixed answers; the LLM answers the rest.
        fixed = turn_route.has("out_of_scope") or turn_route.intents == ("smalltalk",) or turn_route.has("handoff")
        composer = self._extractive if fixed else self.composer
        history = [t.question for t in conv.turns[-3:]]
        answer: Answer | None = None
        for kind, value in composer.turn(text, history, lang, turn_route.intents, extractive, streaming):
            if isinstance(value, Answer):
                answer = value
            else:
                yield kind, value
        if answer is None:  # a composer must end with the answer; fail loudly rather than record nothing
            raise RuntimeError("the composer ended without an answer")
        factory_ids = tuple(r["id"] for r in answer.table) or (conv.last.factory_ids if followup and conv.last else ())
        conv.turns.append(Turn(text, query, tuple(answer.intents), places_in(query, self.catalog.places),
                               factory_ids, None if matching else calc))
        del conv.turns[:-KEPT_TURNS]  # a long conversation does not grow its memory without end
        self.conversations.put(session_id, conv)  # shared with the other workers, where there are several
        yield "answer", answer

    def _uses_corpus_terms(self, text: str) -> bool:
        """A question using the corpus's own specific words (两免三减半, 标准地…) is about our domain."""
        lexical = self.index.lexical
        # English words are rare in this corpus, so even "this" looks specific: only long ones count.
        return any(t in lexical.vocab and lexical.idf(t) >= SPECIFIC_IDF and len(t) >= (2 if t[0] > "\u2e80" else 6)
                   for t in self.tokenizer.tokens(text))

    def _calc_request(self, text: str, lang: str, conv: Conversation, followup: bool) -> CalcRequest | None:
        if self.catalog.rules is None:
            return None  # no rules in the served corpus: calculators are unavailable
        last = conv.last
        context: dict[str, object] = {}
        if followup and last:
            context = {"last_calc": last.calc, "factory_ids": list(last.factory_ids), "last_text": last.question}
            if last.places:
                context["park"] = last.places[0]
        request = parse_calc_request(text, lang, context=context, places=self.catalog.places, rules=self.catalog.rules)
        if request is not None and request.missing and not _ASKS_TO_CALCULATE.search(text):
            return None  # a question that merely mentions a quantity is answered from the documents
        return request

    def _answer(self, text: str, query: str, lang: str, r: Route, calc, last: Turn | None) -> Answer:
        if r.has("out_of_scope"):
            return Answer(say("out_of_scope", lang), "out_of_scope", lang, intents=list(r.intents))
        if r.intents == ("smalltalk",):
            return Answer(say("greeting", lang), "answered", lang, intents=["smalltalk"])
        parts: list[Part] = []
        handoff = r.has("handoff")
        if handoff:
            parts.append(self._contact_part("handoff", lang))
        if r.has("calculation") and calc is not None:
            parts.append(self._calc_part(calc, lang))
        row_followup = (last is not None and last.factory_ids and not r.has("listing")
                        and not r.has("calculation") and bool(_ROW_FIELDS.search(text))
                        and not PROGRAMME.search(text))
        if row_followup:
            part = factory_part("", self.catalog, lang, ids=last.factory_ids)
            parts += [part] if part else []
        elif r.has("listing") and not r.has("calculation"):
            part = factory_part(text, self.catalog, lang)
            parts += [part] if part else []
        park_question = r.has("park") or (r.has("policy") and bool(_PARK_FACTS.search(query))
                                          and bool(places_in(query, self.catalog.places)))
        if park_question and not r.has("calculation"):
            part = park_part(query, self.catalog, lang)
            parts += [part] if part else []
        confidence = 1.0 if parts and not handoff else 0.0
        candidates = []
        nearby = ""
        if (r.has("policy") and not row_followup and not park_question) or not parts:
            policy, confidence, candidates, nearby = self._policy_part(query, lang, followup=last is not None)
            if policy is not None:
                parts.append(policy)
        else:  # listing / calculation answers: still record what retrieval finds, for the staff console
            candidates = self.retriever.search(query, self.settings.retrieval.top_k, Filters(day=self.today()))
        if not r.in_domain and not r.has("handoff"):  # nothing about investing here: don't stretch the corpus
            return Answer(say("out_of_scope", lang), "out_of_scope", lang, intents=list(r.intents),
                          candidates=candidates)
        if not parts:
            if not r.in_domain:
                return Answer(say("out_of_scope", lang), "out_of_scope", lang, intents=list(r.intents),
                              candidates=candidates)
            declined = self._contact_part("no_answer", lang)
            if nearby:
                declined = replace(declined, text=nearby + "\n" + declined.text)
            # The line on what is held nearby may quote a document title's numbers (its year): evidence too. No
            # answer offers a person: the widget opens its lead form on a hand-over.
            return self._merge([declined], lang, "no_answer", r, True, confidence, candidates, text + " " + nearby)
        return self._merge(parts, lang, "answered", r, handoff, confidence, candidates, text)

    def _merge(self, parts: list[Part], lang: str, status: str, r: Route, handoff: bool, confidence: float,
               candidates: list, question: str) -> Answer:
        texts: list[str] = []
        sources: list[SourceRef] = []
        table, working = [], []
        for part in parts:
            offset = len(sources)
            texts.append(re.sub(r"\[(\d{1,2})\]", lambda m, o=offset: f"[{int(m.group(1)) + o}]", part.text))
            sources += part.sources
            table += part.table
            working += part.working
        body = with_sample_note("\n\n".join(texts), any(p.sample for p in parts), lang)
        notices = []
        # The user's own figures may be echoed back (e.g. "lower than the 10 m you asked for").
        evidence = [s.text for s in sources] + [s.title + " " + s.effective for s in sources] + working + [question]
        missing = ungrounded_numbers(body, evidence)
        if missing:  # never expected in extractive mode; recorded for the staff console
            notices.append(f"ungrounded numbers: {', '.join(missing)}")
        intents = list(dict.fromkeys([*r.intents, *(p.intent for p in parts if p.intent)]))
        return Answer(body, status, lang, sources, handoff, intents, confidence, candidates, table, working, notices,
                      topic=self._topic(parts, candidates))

    def _topic(self, parts: list[Part], candidates: list[Candidate]) -> str:
        """Listing answers are about factories or parks; the rest about the topic of the best passage found."""
        for part in parts:
            if part.intent in ("listing", "park"):
                return "factories" if part.intent == "listing" else "parks"
        topics = [t for t in (self.retriever.chunk(c).topic for c in candidates[:3]) if t]
        return max(topics, key=topics.count) if topics else ""  # the commonest; ties go to the best ranked

    # ---- parts ----
    def _policy_part(self, query: str, lang: str, followup: bool = False) -> tuple[Part | None, float, list, str]:
        """The answer from the documents, its confidence, the candidates, and (when the support check declined
        it) one line on what the knowledge base holds nearby. A ``followup`` ("And for a master's?") borrows its
        subject from the turn before, already judged: its place, year and figure are still checked."""
        districts = tuple(sorted(self.checks.check.districts_named(query)))
        filters = Filters(day=self.today(), prefer_language=lang, prefer_districts=districts)
        read = self.settings.retrieval.answer_chunks
        # The passages of the places named are lifted among the first: they are read as well, not instead.
        top_k = self.settings.retrieval.top_k
        candidates = self.retriever.search(query, top_k + (PLACE_PASSAGES if districts else 0), filters)
        extra = min(PLACE_PASSAGES, sum(self.retriever.chunk(c).district in districts for c in candidates[:read]))
        candidates = candidates[: top_k + extra]
        chunks = [self.retriever.chunk(c) for c in candidates]
        top = candidates[0] if candidates else None
        # Both retrievers put the same passage on top: surer than coverage alone says.
        agree = bool(top and (top.dense_rank or 99) <= 3 and (top.lexical_rank or 99) <= 3)
        choice = self.picker.choose(query, chunks, lang, followup,
                                    self.settings.retrieval.agreement_bonus if agree else 0.0, extra)
        picked, confidence = choice.picked, choice.confidence
        if not picked:
            return None, confidence, candidates, choice.nearby
        # A sentence covers a question's word when it holds the word, a synonym, or its translation (an English
        # question answered from a Chinese passage): the English answer glosses the Chinese terms it quotes.
        translations = self.index.expand(query).translations
        glosses = {term: self.index.bilingual.gloss(term, query)
                   for terms in translations.values() for term in terms} if lang == "en" else {}
        quoted = chunks[: read + extra]
        titles = self.titles.of((c.doc_id for c in quoted if c.language != lang), self.index.build_id) \
            if lang == "en" else {}
        text, sources = compose(picked, quoted, lang, {k: v for k, v in glosses.items() if v},
                                today=self.today().isoformat(), titles=titles)
        return Part(text, sources), confidence, candidates, ""

    def _contact_part(self, key: str, lang: str) -> Part:
        contact = self._contact[lang]
        if contact is None:
            return Part(say(key, lang) + ("。" if lang == "zh" else "."))
        # The number in the first sentence: it is what the visitor came for.
        line = re.sub(r"[。.]\s*$", "", plain_sentence(contact.line))
        more = say("handoff_more", lang) if key == "handoff" else ""
        return Part(f"{say(key, lang)}{say('contact_lead', lang)}{line}[1]{'。' if lang == 'zh' else '. '}{more}",
                    [contact.source], sample=contact.sample)

    def _calc_part(self, request: CalcRequest, lang: str) -> Part:
        if request.missing:
            sep = "、" if lang == "zh" else ", "
            return Part(say("calc_missing", lang) + sep.join(request.missing))
        calc = run_calc_request(self.catalog.rules, request, lang, factories=self.catalog.factories)
        sources = [self.rule_source(s) for s in calc.citations]
        markers = "".join(f"[{i}]" for i in range(1, len(sources) + 1))
        # The result first (the working's last line), then the steps that lead to it.
        *steps, result = calc.working or [""]
        lines = ([f"{result}{markers}"] if result else []) + ([say("calc_head", lang)] + [f"- {w}" for w in steps]
                                                               if steps else []) + [f"{n}" for n in calc.notes]
        return Part("\n".join(lines), sources, working=list(calc.working) + list(calc.notes), sample=calc.sample)

    def rule_source(self, source: RuleSource) -> SourceRef:
        article = (source.article or "").split("–")[0].split("-")[0].strip()
        chunk: Chunk | None = self._by_article.get((source.title, article))
        if chunk is not None:
            return source_ref(chunk, "")
        return SourceRef(title=source.title, locator=source.article or source.doc_number, text=source.cite(),
                         kind="rule")
