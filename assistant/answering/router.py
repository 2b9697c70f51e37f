"""Decide per turn what the user wants: policy answer, listing search, calculation, a person, small talk,
or something out of scope. Several may combine (a listing search that also asks for a calculation)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answering.intents import Nearest
from assistant.language import detect_language
from assistant.lexicon import Lexicon

SMALLTALK = re.compile(
    r"^\s*(你好|您好|嗨|哈喽|谢谢|多谢|感谢|再见|你是谁|你能做什么|早上好|晚上好|hi|hello|hey|thanks|thank you|bye|"
    r"who are you|what can you do|good (morning|evening|afternoon))[\s!！。.?？,，]*$", re.I)
# Instructions smuggled into a question: stripped before answering, never obeyed.
INJECTION = re.compile(
    r"忽略(之前|以上|前面|上面|所有|你的)?的?(全部|所有)?(指令|指示|提示|规则|设定|要求)|不受任何限制|你现在是|从现在起你|扮演|"
    r"系统提示词?|提示词|系统通知|本助手已升级|每个回答|回答末尾|转账至|system prompt|ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|prompts|rules)|"
    r"disregard (all |any )?(previous|prior|your)|you are now|pretend (to be|you)|jailbreak|developer mode", re.I)


def strip_instructions(text: str) -> tuple[str, bool]:
    """Drop the clauses that carry injected instructions; (remaining question, whether any were found)."""
    if not INJECTION.search(text):
        return text, False
    # Quoted material that carries instructions goes whole, quotes included.
    text = re.sub(r"[『「“\"]([^』」”\"]*)[』」”\"]", lambda m: "" if INJECTION.search(m.group(1)) else m.group(0), text)
    clauses = re.split(r"(?<=[，,。.;；!！?？])", text)
    kept = "".join(c for c in clauses if not INJECTION.search(c)).strip(" ，,。.;；")
    return kept, True


FACTORY = re.compile(r"厂房|车间|仓库|库房|办公室|办公用房|写字楼|层高|净高|承重|荷载|F-?\d{3}|factory|factories|plant\b|"
                     r"warehouse|workshop|office|\bunits?\b|clear height|floor load", re.I)
# A listing search asks for units: availability, requirements or a unit id, not facts about a programme.
SEARCH = re.compile(r"有没有|有哪些|哪些|哪个|找|推荐|合适|出租|出售|租用|可租|可售|能租|还能|想租|想买|购买|买|空置|\d|"
                    r"available|which|looking for|need|want|find|any .*for (rent|sale)|for rent|for sale|lease|"
                    r"largest|biggest|smallest|tallest|cheapest|most expensive|最大|最小|最便宜|最贵|楼上|一楼|"
                    r"upper[- ]floor|ground[- ]floor|crane|行车", re.I)
# An area asked for is a factory search unless the question is about land.
AREA = re.compile(r"\d\s*(?:m2|m²|㎡|sqm|sq\.?\s?m\b|square met(?:re|er)s?)", re.I)
# Power-price questions (峰谷, tariff) stay policy questions even when they mention the plant they run.
TARIFF_TOPIC = re.compile(r"电价|电费|峰|谷|分时|tariff|peak|valley|off-peak|kwh|per kilowatt", re.I)
UNIT_REQUEST = re.compile(r"F-?\d{3}|出租|出售|租用|想租|想买|可租|空置|for rent|for sale|lease|available|looking for",
                          re.I)
LAND = re.compile(r"地|land|plot|\bmu\b|亩", re.I)
# What makes a listing search certain whatever its nearest examples say: a unit id, a figure of area, height,
# load or power, an offer (for rent), a superlative.
UNIT_REQUIREMENT = re.compile(r"F-?\d{3}|\d\s*(?:kva|千伏安|m2|m²|㎡|平|米|吨|t\b|sq)|出租|出售|想租|想买|可租|空置|for rent|"
                              r"for sale|vacant|largest|biggest|smallest|tallest|cheapest|最大|最小|最便宜|最贵", re.I)
# Generic park words; the short forms of the lexicon's abbreviations (高新区 and the like) count too.
PARK = re.compile(r"园区|开发区|新区|基地|park|zone|development area", re.I)


@dataclass(frozen=True)
class Route:
    intents: tuple[str, ...]  # subset of: handoff, smalltalk, out_of_scope, listing, park, calculation, policy
    language: str
    in_domain: bool = True
    reasons: tuple[str, ...] = field(default=())

    def has(self, intent: str) -> bool:
        return intent in self.intents


def _search(pattern: re.Pattern[str] | None, text: str) -> bool:
    return bool(pattern and pattern.search(text))


def _strip(pattern: re.Pattern[str] | None, text: str) -> str:
    return pattern.sub("", text) if pattern else text


def _names_park(text: str, lexicon: Lexicon) -> bool:
    return bool(PARK.search(text)) or any(short in text for short in lexicon.abbreviations.values())


_WHICH = re.compile(r"哪(?:些|几个|几家|个|家)|which", re.I)
_PARK_LIST = re.compile(r"列表|清单|介绍|\blist\b|what parks", re.I)
_CLAUSE_END = re.compile(r"[，,。？?；;！!]")
WHICH_REACH = 24  # characters after "which" that name what it asks for: "which of the parks on your list"


def _asks_for_parks(text: str, lexicon: Lexicon) -> bool:
    """Does the question ask for parks: a list or introduction of them, or "which" followed by a park word
    ("哪些园区", "which of the parks")? Not "which bank has a park in Gui'an": a bank is asked for there."""
    if _PARK_LIST.search(text):
        return _names_park(text, lexicon)
    for match in _WHICH.finditer(text):
        asked = _CLAUSE_END.split(text[match.end(): match.end() + WHICH_REACH])[0]
        if _names_park(asked, lexicon) or re.search(r"园|区", asked):
            return True
    return False


def in_scope(text: str, lexicon: Lexicon, places: re.Pattern[str] | None = None) -> bool:
    """Does the text name a topic or place of ours: the lexicon's scope words and home region, or a place of
    the catalogue (``places``)?"""
    return (_search(lexicon.pattern("scope_words"), text) or _search(lexicon.pattern("home_places"), text)
            or _search(places, text))


def route(text: str, lexicon: Lexicon, *, places: re.Pattern[str] | None = None, is_calculation: bool = False,
          followup_context: bool = False, domain_gate: bool = True, nearest: Nearest | None = None,
          thresholds: dict[str, float] | None = None) -> Route:
    """The turn's intents; ``lexicon`` gives the scope, off-topic, hand-over and other-city words, ``places`` the
    catalogue's place names. ``domain_gate`` off: every question is in scope (benchmarks on other corpora).
    ``nearest``: the intent of the question's nearest example phrasings, trusted at ``thresholds[intent]``."""
    thresholds = thresholds or {}

    def taught(intent: str) -> bool:
        return (nearest is not None and nearest.intent == intent
                and nearest.similarity >= thresholds.get(intent, 2.0))

    language = detect_language(text)
    intents: list[str] = []
    in_domain = not domain_gate or in_scope(text, lexicon, places) or followup_context
    if _search(lexicon.pattern("handoff"), text) or taught("handoff"):
        intents.append("handoff")
    if SMALLTALK.match(text):
        intents.append("smalltalk")
    # Off-topic words decide unless the question also names an investment topic ("贵阳天气" is off-topic);
    # generic words such as price or company don't count here ("stock prices" is still off-topic).
    other_cities, home = lexicon.pattern("other_places"), lexicon.pattern("home_places")
    rest = _strip(lexicon.pattern("weak_scope_words"), _strip(home, _strip(other_cities, text)))
    if domain_gate and _search(lexicon.pattern("off_topic"), text) and not in_scope(rest, lexicon, places):
        return Route(("out_of_scope",), language, False, ("off-topic words",))
    if domain_gate and taught("out_of_scope") and not in_scope(rest, lexicon, places) and "handoff" not in intents:
        return Route(("out_of_scope",), language, False, ("like the out-of-scope examples",))
    if domain_gate and _search(other_cities, text) and not _search(home, text):
        return Route(("out_of_scope",), language, False, ("another city",))
    if is_calculation:
        intents.append("calculation")
    wants_units = FACTORY.search(text) or (AREA.search(text) and not LAND.search(text))
    about_tariff = TARIFF_TOPIC.search(text) and not UNIT_REQUEST.search(text)
    if (wants_units and SEARCH.search(text) and not about_tariff
            and not re.search(r"多少个|几个|项目|how many projects", text)
            and (UNIT_REQUIREMENT.search(text) or not taught("policy"))):  # about the programme, not a unit
        intents.append("listing")
    elif _asks_for_parks(text, lexicon):
        intents.append("park")
    if not intents or intents == ["handoff"] and len(text) > 20:
        intents.append("policy")
    return Route(tuple(dict.fromkeys(intents)), language, in_domain)
