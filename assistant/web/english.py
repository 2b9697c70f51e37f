"""A citation's place and names for an English reader: 第十二条 → Article 12, 第三章　区级特色园区 → Chapter 3,
黔发改价格〔2023〕481号 → Qianfagai Jiage [2023] No. 481, and a Chinese name with no English one in its rules or
metadata in Latin letters: the lexicon's English words for its terms, pinyin word by word for the rest.

Mechanisms only: the structure words (article, chapter…) are the ones every Chinese legal text uses; the names come
from the corpus (name_en, title_en, the lexicon's label_en) or from pinyin, never from a list kept here."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from assistant.language import romanise

Words = Callable[[str], Sequence[str]]  # a segmenter (jieba's words): one pinyin word per Chinese word

NUMERAL = r"[一二三四五六七八九十百千零〇两\d]+"
PLACE = re.compile(rf"第({NUMERAL})(部分|条|章|节|款|项|编)")
UNITS = {"条": "Article", "章": "Chapter", "节": "Section", "款": "Paragraph", "项": "Item", "编": "Part",
         "部分": "Part"}
# Between two places of a locator: Chinese and ASCII list marks, and the " / " of a heading path.
SEPARATOR = re.compile(r"(\s+/\s+|\s*[，,、；;]\s*)")
CJK = re.compile(r"[\u3400-\u9fff]")
DOC_NUMBER = re.compile(r"〔(\d{4})〕\s*(\d+)\s*号")  # 〔2023〕481号: the year and number of a document
OCR_NOTE = "OCR识别"  # documents.Chunk.locator's note on a page read by OCR


def number(numeral: str) -> str:
    """A Chinese or Arabic numeral in digits (十二 → 12, 两 → 2); the numeral as it is when it reads as none."""
    if numeral.isdigit():
        return str(int(numeral))
    import cn2an  # Chinese numerals; imported on first use

    try:
        return str(int(cn2an.cn2an(numeral, "smart")))
    except (ValueError, KeyError, TypeError):
        return numeral


def english_place(piece: str, words: Words | None = None, labels: Mapping[str, str] | None = None) -> str:
    """One place of a locator in English: its articles, chapters… in order ("Chapter 3, Article 5"); the title
    of a numbered chapter is dropped (the number finds it); a piece with no number is named in Latin letters."""
    if piece == OCR_NOTE:
        return "OCR"
    found = PLACE.findall(piece)
    if found:
        rest = CJK.sub("", PLACE.sub("", piece)).strip(" \u3000:：")
        places = ", ".join(f"{UNITS[unit]} {number(numeral)}" for numeral, unit in found)
        return f"{places} {rest}" if rest else places
    return english_name(piece, words, labels) if CJK.search(piece) else piece


def english_locator(locator: str, words: Words | None = None, labels: Mapping[str, str] | None = None) -> str:
    """A whole locator in English ("第八条、第九条, p.2" → "Article 8, Article 9, p.2"); no Chinese is left."""
    if not CJK.search(locator or ""):
        return locator or ""
    parts = SEPARATOR.split(locator)
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # a separator
            out.append(" / " if "/" in part else ", ")
        elif part.strip():
            out.append(english_place(part.strip(), words, labels))
    return "".join(out).strip(" ,")


def english_name(name: str, words: Words | None = None, labels: Mapping[str, str] | None = None) -> str:
    """A Chinese name in Latin letters: the lexicon's English for it or for terms inside it (``labels``: Chinese
    term → English), a document number's year and number in English, pinyin word by word for the rest."""
    if not CJK.search(name):
        return name
    labels = labels or {}
    if name in labels:
        return labels[name]
    for term in sorted(labels, key=len, reverse=True):
        name = name.replace(term, f" {labels[term]} ")
    name = DOC_NUMBER.sub(r" [\1] No. \2", name).replace("〔", " [").replace("〕", "] ")
    return romanise(name, words)
