"""Policy matching in the chat: recognise a company's profile, keep it in the conversation over several turns,
and answer with the match result (assistant.matching) in the visitor's language.

A turn is a matching turn when its nearest example phrasings say so (the lexicon's ``match`` examples) and it
states a fact of the profile, or when it states a whole profile (``match.min_profile_facts`` facts) whatever
its words, or when it goes on with a matching dialogue: it answers the question the last answer asked, or adds
a fact to the profile right after a match. The answer asks for the one missing fact most support waits on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from assistant.answering.catalog import Catalog
from assistant.answering.dialogue import Conversation
from assistant.answering.grounding import ungrounded_numbers
from assistant.answering.intents import Nearest
from assistant.answering.listing_parts import with_sample_note
from assistant.answering.question_patterns import asks_for_list
from assistant.calculators import Source as RuleSource
from assistant.chat_types import Answer, SourceRef
from assistant.matching import (
    Citation,
    Matcher,
    MatchResult,
    Profile,
    Summary,
    merge,
    profile_from_text,
    stated,
    summarise,
)
from assistant.settings import Settings

MATCH = "match"
# Facts that alone say nothing of a project (a power bill question names a voltage or a capacity too, a factory
# question a unit, a park and a lease; a question about a status names it).
_MINOR_FACTS = {"voltage_kv", "transformer_kva", "factory_unit", "park", "site", "leading_enterprise"}
_NAMING_FACTS = {"district", "industry"}  # facts that name, not measure, a project: any policy question has them


class MatchingTurn:
    def __init__(self, settings: Settings, catalog: Catalog, rule_source: Callable[[RuleSource], SourceRef]) -> None:
        self.settings = settings
        self.catalog = catalog
        self.rule_source = rule_source

    @property
    def available(self) -> bool:
        return self.catalog.rules is not None

    def begin(self, text: str, conv: Conversation, nearest: Nearest | None, calculation: bool) -> bool:
        """Whether this turn is a matching turn; if so its facts are merged into the conversation's profile.
        ``calculation``: the message also reads as a calculator request (a profile update needs more then)."""
        if not self.available:
            return False
        asked = conv.profile_asked if conv.profile else ""
        update = profile_from_text(text, self.catalog.places, asked)
        facts = [f for f in stated(update) if f not in _MINOR_FACTS]
        threshold = self.settings.answering.intent_similarity.get(MATCH, 2.0)
        taught = nearest is not None and nearest.intent == MATCH and nearest.similarity >= threshold
        after_match = conv.last is not None and MATCH in conv.last.intents
        answers_ask = bool(asked) and after_match and asked in stated(update)
        adds = after_match and bool(facts) and not calculation
        # The examples alone are not enough: e5 finds most policy questions near them. A matching request asks
        # which policies (a list) for a company it describes by a figure, and is no calculation.
        figures = [f for f in facts if f not in _NAMING_FACTS]
        asks_which = asks_for_list(text)
        taught = taught and bool(figures) and not calculation and asks_which
        # A whole profile is a matching request too, unless it asks for one calculation (地价多少、能返还多少).
        profile = len(facts) >= self.settings.match.min_profile_facts and (not calculation or asks_which)
        if taught or profile or answers_ask or adds:
            conv.profile = merge(conv.profile if (after_match or taught or answers_ask) else {}, update)
            conv.profile_asked = ""  # the answer sets the next question (an LLM answer asks in its own words)
            return True
        conv.profile_asked = ""  # the question went unanswered: a later bare figure is not its answer
        return False

    def match(self, profile: Profile, lang: str) -> MatchResult:
        rules = self.catalog.rules
        if rules is None:
            raise RuntimeError("the served corpus has no valid rules files")
        return Matcher(rules, self.catalog.factories, self.settings.match).match(profile, lang)

    def answer(self, conv: Conversation, lang: str, said: Sequence[str]) -> Answer:
        """The match of the conversation's profile; ``said``: the visitor's messages its figures come from."""
        profile = Profile.model_validate(conv.profile)
        result = self.match(profile, lang)
        answer, summary = self.answer_for(result, conv.profile, said)
        conv.profile_asked = summary.ask_fact
        return answer

    def answer_for(self, result: MatchResult, profile: dict[str, Any],
                   said: Sequence[str] = ()) -> tuple[Answer, Summary]:
        """The result as an answer: the summary's text, its citations as sources, the working; checked like
        every answer (a number neither cited, worked out nor said by the visitor is reported)."""
        lang = result.lang
        summary = summarise(result, profile)
        sources = [self.source(c) for c in summary.citations]
        body = with_sample_note(summary.text, summary.sample, lang)
        evidence = ([s.text for s in sources] + [f"{s.title} {s.locator}" for s in sources] + summary.working
                    + list(said) + [self._profile_evidence(profile)]
                    + [r.name for r in result.rules])  # a rule's own name (…rate of 15%) is the rules file's
        missing = ungrounded_numbers(body, evidence)
        notices = [f"ungrounded numbers: {', '.join(missing)}"] if missing else []
        return Answer(body, "answered", lang, sources, intents=[MATCH], confidence=1.0, working=summary.working,
                      notices=notices, topic="incentives"), summary

    def source(self, c: Citation) -> SourceRef:
        return self.rule_source(RuleSource(title=c.title, doc_number=c.doc_number, article=c.article))

    @staticmethod
    def _profile_evidence(profile: dict[str, Any]) -> str:
        """The profile's figures (the form gives them without a message to quote)."""
        values = [v for v in profile.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        values += list((profile.get("talents") or {}).values())
        values += [v * 100 for v in values if 0 < v <= 1]  # a share is shown as a percentage
        return " ".join(f"{v:.2f} {v:,.2f}" for v in values)
