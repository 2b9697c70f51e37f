"""Which language a text is in, Chinese in one script (traditional characters are read as simplified for
indexing and matching; citations still quote the original), and Chinese in Latin letters (pinyin)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from functools import cache

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
# Latin letters per CJK character above which a passage reads as English: an English guide quoting a few
# Chinese names stays English, a Chinese article naming RMB or kWh stays Chinese.
_LETTERS_PER_CJK = 4


def detect_language(text: str) -> str:
    """A question's language: any two CJK characters make it Chinese (investors mix a term into English
    questions less than they write Chinese), else English when it has letters."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk >= 2 or (cjk and cjk * 3 >= latin) else "en" if latin else "zh"


def passage_language(text: str, default: str = "zh") -> str:
    """A passage's language from its script: a document labelled zh may hold English pages and an upload may
    carry no label. Text with neither script (figures, codes) keeps ``default``."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if not cjk and not latin:
        return default
    return "en" if latin > cjk * _LETTERS_PER_CJK else "zh"


class _Simplifier:
    """OpenCC's traditional-to-simplified converter, made on first use (its dictionaries take ~0.2 s)."""

    def __init__(self) -> None:
        self._converter = None
        self._lock = threading.Lock()

    def __call__(self, text: str) -> str:
        if not _CJK.search(text):
            return text
        with self._lock:
            if self._converter is None:
                from opencc_purepy import OpenCC

                self._converter = OpenCC("t2s")
        return self._converter.convert(text)


@cache
def simplifier() -> _Simplifier:
    return _Simplifier()


def to_simplified(text: str) -> str:
    """``text`` with traditional Chinese characters as simplified ones (貴陽 → 贵阳); other text unchanged.
    Character for character, so positions in the result match the original."""
    return simplifier()(text)


def pinyin_syllables(text: str) -> list[str]:
    """Toneless lower-case pinyin, one syllable per Chinese character ('观山湖' -> ['guan', 'shan', 'hu']).
    pypinyin ships its dictionary in the wheel; it is imported on first use (loading takes tenths of a second)."""
    from pypinyin import lazy_pinyin

    return [s.lower() for s in lazy_pinyin(text)]


def _pinyin_word(chinese: str) -> str:
    syllables = pinyin_syllables(chinese)  # an apostrophe before a, o, e inside a word, as in Gui'an
    return "".join(s if i == 0 or s[:1] not in "aoe" else "'" + s for i, s in enumerate(syllables)).capitalize()


def romanise(text: str, words: Callable[[str], Sequence[str]] | None = None) -> str:
    """A Chinese name in Latin letters, for a record with no English name: each run of Chinese characters one
    capitalised pinyin word ('观山湖区' -> 'Guanshanhuqu', '小孟工业园3号厂房' -> 'Xiaomenggongyeyuan 3 Haochangfang');
    other text is kept and full-width brackets become ASCII ones. ``words`` (a segmenter: jieba's words of a run)
    makes one pinyin word per Chinese word instead, for a longer phrase ('数据中心优惠电价' -> 'Shuju Zhongxin
    Youhui Dianjia')."""
    def run(chinese: str) -> str:
        parts = [w for w in words(chinese) if w.strip()] if words is not None else [chinese]
        return " ".join(_pinyin_word(w) for w in parts)

    text = text.replace("（", " (").replace("）", ")").replace("、", ", ")
    out = re.sub(r"[\u4e00-\u9fff]+", lambda m: f" {run(m.group())} ", text)
    return re.sub(r"\s+", " ", re.sub(r"\s+([),])|([(])\s+", r"\1\2", out)).strip()


@cache
def _syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (its dictionary ships in the wheel)."""
    from pypinyin import Style
    from pypinyin.constants import PINYIN_DICT
    from pypinyin.style import convert

    out = set()
    for readings in PINYIN_DICT.values():
        for reading in readings.split(","):
            plain = convert(reading, Style.NORMAL, strict=False).lower()
            if plain.isascii() and plain.isalpha():
                out.add(plain)
    return frozenset(out)


def is_pinyin(word: str) -> bool:
    """Does a Latin word read as a run of pinyin syllables (Shuangying, Longxin; not Board or Geely)? A
    capitalised one is then most likely a Chinese name written in Latin letters."""
    word = word.lower()
    if not word.isalpha() or not word.isascii() or len(word) < 4:
        return False
    syllables = _syllables()
    ends = {0}
    for end in range(1, len(word) + 1):
        if any(start in ends and word[start:end] in syllables for start in range(max(0, end - 6), end)):
            ends.add(end)
    return len(word) in ends and word not in syllables  # a single syllable (Gui, An) is too short to be a name
