"""The phrase a chat message names its industry by, kept whole ("cathode materials and separators for lithium
batteries", "磷酸铁锂正极材料"): the words after 我们做 / 我们是…企业 / we make / we're a …, up to the next clause
or the next thing the sentence says ("… and are considering Guiyang"). The patterns are language, not domain:
they live in profile_words.yaml with the other profile words."""

from __future__ import annotations

import functools
import re
from typing import Any

from assistant.listings import Places

_CLAUSE = re.compile(r"[，,；;。！？!?:：\n]|\.(?!\d)")


@functools.cache
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def _tidy(phrase: str, w: dict[str, Any]) -> str:
    phrase = _rx(w["industry_cut"]).split(phrase, maxsplit=1)[0]
    for _ in range(2):  # "30-person electronics assembly start-up" -> "electronics assembly"
        phrase = _rx(w["industry_lead"]).sub("", phrase.strip(" 的"))
        phrase = _rx(w["industry_after"]).sub("", phrase.strip(" 的"))
    return phrase.strip(" 的")


def _candidates(text: str, w: dict[str, Any]) -> list[str]:
    out = []
    for clause in (c.strip() for c in _CLAUSE.split(text) if c.strip()):
        for pattern in w["industry_phrases"]:
            for m in _rx(pattern).finditer(clause):
                phrase = _tidy(m.group("x"), w)
                if 2 <= len(phrase) <= 80 and not re.search(r"\d", phrase):  # figures name a spend, not a trade
                    out.append(phrase)
    return out


def _lexicon_words(text: str, places: Places) -> str | None:
    """The words of the first lexicon industry a clause without figures names ("data centre", "数据中心"); a clause
    of figures ("R&D spend of 20 million") names a spend, not the trade."""
    for clause in (c for c in _CLAUSE.split(text) if c.strip() and not re.search(r"\d", c)):
        norm = places.normalise(clause)
        for stem, pattern in places.industries:
            if stem in norm:
                return stem
            if pattern is not None and (m := pattern.search(clause)):
                return m.group()
    return None


def industry_phrase(text: str, places: Places, w: dict[str, Any]) -> str | None:
    """The phrase naming the industry: the first one the sentence patterns find that names an industry the lexicon
    knows, else the first they find that is no status (集成电路封装测试, not 外资 or 省级龙头), else the lexicon's
    own words in the message."""
    found = _candidates(text, w)
    known = next((p for p in found if places.industries_in(p)), None)
    other = next((p for p in found if not _rx(w["industry_not"]).search(p)), None)
    return known or other or _lexicon_words(text, places)
