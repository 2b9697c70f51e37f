"""Conversation state, so that "那开阳呢？" or "租金多少？" are answered about the right thing."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.jsonstate import StateError, decode, encode
from assistant.listings import Places

log = logging.getLogger(__name__)

_FOLLOWUP_START = re.compile(r"^\s*(那|那么|还有|另外|再问一下|如果|换成|and\b|what about|how about|and for|same for|"
                             r"what if|if it|if i|for )", re.I)
_FOLLOWUP_END = re.compile(r"(呢|的呢|怎么样|如何)\s*[？?]?\s*$")
# A question that opens by pointing back (它…, 这个厂房…) is a follow-up however long it goes on.
_OPENS_REFERRING = re.compile(r"^\s*(它|这个|那个|这家|该厂房|该园区|这里|那里|its?\b|this one|that one)", re.I)
# A follow-up on a unit that asks about a programme (rent relief, subsidies) is a policy question.
PROGRAMME = re.compile(r"免租|减免|减半|优惠|补贴|补助|奖励|政策|relief|subsid|incentive|waive", re.I)
_UNIT_FIELD = re.compile(r"租金|售价|层高|净高|承重|荷载|电力|面积|\b(rent|price|height|load|power|capacity|area|size)\b",
                         re.I)
_REFERS_BACK = re.compile(r"它|这个|那个|这些|那些|这家|该厂房|上述|刚才|这里|那里|那边|换算|折合|换成|"
                          r"(?<!\bis )(?<!\bare )\bthere\b(?! (?:is|are|any)\b)|"
                          r"in mu\b|per mu\b|\b(it|that one|those|these|them|this one)\b", re.I)


@dataclass
class Turn:
    question: str
    query: str  # the self-contained question actually answered
    intents: tuple[str, ...]
    places: tuple[str, ...] = ()
    factory_ids: tuple[str, ...] = ()
    calc: Any = None  # the last CalcRequest, for "那如果是35千伏呢？"


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)
    updated: float = field(default_factory=time.monotonic)
    # The company profile given so far for policy matching (Profile fields, plain JSON types), and the profile
    # fact the last answer asked for ('' when none): a reply giving that fact fills it first.
    profile: dict[str, Any] = field(default_factory=dict)
    profile_asked: str = ""

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None


def places_in(text: str, places: Places) -> tuple[str, ...]:
    """Place words the user wrote that name a park or district of the catalogue (longest first)."""
    found: list[str] = []
    norm = places.normalise(text)  # English and pinyin names (Baiyun, Gui'an) map to the Chinese ones
    named = [(park.district, park.name, *places.park_aliases(park), places.stem(park.district))
             for park, _score in places.park_scores(text)]
    named += [(d, places.stem(d)) for d in places.districts_in(norm)]  # districts without a listed park too
    for words in named:
        for word in words:
            if word and word in norm and word not in found:
                found.append(word)
    return tuple(sorted(found, key=len, reverse=True))


def is_followup(text: str, conversation: Conversation, has_subject: bool = False,
                subject_of: Callable[[str], bool] | None = None) -> bool:
    """Does this turn borrow the last one's topic? Only an elliptical one: it opens by pointing back, or it is
    short and reads as a continuation ("那开阳呢？", "And Xifeng?"), or short with a pronoun or no subject of its
    own. A question naming its own subject (``has_subject``: "Are there incentives for R&D centres?") starts a
    new topic, whatever the last one was. ``subject_of``: does a text have a subject; a unit's field (power,
    rent) asked about something else ("the data-centre power price") is a new question, not the units' field."""
    last = conversation.last
    if last is None:
        return False
    short = len(text) <= 16 if re.search(r"[\u4e00-\u9fff]", text) else len(text.split()) <= 10
    if _OPENS_REFERRING.search(text):
        return True
    if not short:
        return False
    if _FOLLOWUP_START.search(text) or _FOLLOWUP_END.search(text):
        return True
    if _REFERS_BACK.search(text) and not has_subject:
        return True
    if re.search(r"^(租金|售价|层高|净高|承重|电力|面积|rent|price|height|area)", text, re.I):
        return True
    if not (last.factory_ids and _UNIT_FIELD.search(text)):
        return False
    return not (subject_of is not None and subject_of(_UNIT_FIELD.sub(" ", text)))


def rewrite(text: str, conversation: Conversation, places: Places, lang: str = "zh") -> str:
    """Make a follow-up self-contained: swap the place, or carry the previous question's subject over."""
    last = conversation.last
    if last is None:
        return text
    if last.factory_ids and PROGRAMME.search(text):
        # "这个租的话能免租金吗" after a unit: the programme for standard factories, not the unit again.
        return ("standard factory " if lang == "en" else "标准厂房") + _OPENS_REFERRING.sub("", text)
    new_places = places_in(text, places)
    if new_places and last.places:
        query = last.query
        for old in last.places:
            query = query.replace(old, new_places[0])
        for chinese in last.places:  # the earlier question may have named the place in English or pinyin
            for latin in places.latin_names(chinese):
                query = re.sub(latin, new_places[0], query.replace("’", "'"), flags=re.I)
        query = re.sub(r"\bthe\s+(?=[\u4e00-\u9fff])", "", query)
        return query if query != last.query else f"{new_places[0]} {last.query}"
    core = _FOLLOWUP_START.sub("", _FOLLOWUP_END.sub("", text)).strip(" ，,？?")
    return f"{last.query} {core}".strip()


class ConversationBackend(Protocol):
    """Where conversations outlive one process (the web store's database): whole state as JSON, by session."""

    def load_dialogue(self, session_id: str, now: float) -> tuple[int, dict[str, Any]] | None: ...

    def save_dialogue(self, session_id: str, data: dict[str, Any], expires: float) -> int: ...


class ConversationStore:
    """Conversations by session, oldest evicted first; surfaces that persist logs do so separately.

    With a ``backend`` (several web workers) the backend holds every conversation and memory is a cache: ``get``
    reads the stored version (one keyed row) and decodes only when another process saved a newer one; ``put``
    saves the whole state after each turn, so a follow-up is understood whichever worker receives it."""

    def __init__(self, max_conversations: int = 5000, ttl_seconds: float = 6 * 3600,
                 backend: ConversationBackend | None = None) -> None:
        self._items: OrderedDict[str, Conversation] = OrderedDict()
        self._versions: dict[str, int] = {}
        self._lock = threading.Lock()
        self.max_conversations = max_conversations
        self.ttl = ttl_seconds
        self.backend = backend

    def find(self, session_id: str) -> Conversation | None:
        """The conversation if it is held and fresh; unlike ``get`` it creates none."""
        with self._lock:
            conv = self._items.get(session_id)
            return conv if conv is not None and time.monotonic() - conv.updated <= self.ttl else None

    def get(self, session_id: str | None) -> Conversation:
        if not session_id:
            return Conversation()
        stored = self._load(session_id)
        now = time.monotonic()
        with self._lock:
            conv = self._items.get(session_id)
            if stored is not None:
                version, data = stored
                if conv is None or self._versions.get(session_id) != version:
                    conv = self._decode(data) or Conversation()
                    conv.updated = now  # the stored expiry governs: another host's monotonic clock means nothing
                    self._versions[session_id] = version
            elif self.backend is not None and session_id in self._versions:
                conv = None  # expired or erased in the store: the cached copy is stale
                del self._versions[session_id]
            if conv is None or now - conv.updated > self.ttl:
                conv = Conversation()
            self._items[session_id] = conv
            self._items.move_to_end(session_id)
            conv.updated = now
            while len(self._items) > self.max_conversations:
                gone, _ = self._items.popitem(last=False)
                self._versions.pop(gone, None)
            return conv

    def put(self, session_id: str | None, conv: Conversation) -> None:
        """Store the conversation after a turn (a no-op without a backend: memory already holds it)."""
        if not session_id or self.backend is None:
            return
        try:
            version = self.backend.save_dialogue(session_id, encode(conv), time.time() + self.ttl)
        except Exception:  # the answer is given anyway; only this worker remembers the turn
            log.exception("could not store the conversation of session %s", session_id)
            return
        with self._lock:
            if session_id in self._items:
                self._versions[session_id] = version

    def _load(self, session_id: str) -> tuple[int, dict[str, Any]] | None:
        if self.backend is None:
            return None
        try:
            return self.backend.load_dialogue(session_id, time.time())
        except Exception:  # a database outage: carry on from this worker's memory
            log.exception("could not read the conversation of session %s", session_id)
            return None

    @staticmethod
    def _decode(data: dict[str, Any]) -> Conversation | None:
        try:
            conv = decode(data)
        except (StateError, TypeError, ValueError, AttributeError, ImportError):
            log.warning("a stored conversation could not be read; starting afresh", exc_info=True)
            return None
        return conv if isinstance(conv, Conversation) else None
