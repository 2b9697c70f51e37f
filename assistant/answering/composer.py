"""Grounded extractive answers: pick the sentences that answer, cite them [1][2], never add a number
of our own. The same number-grounding check later guards LLM answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assistant.answering.units import figures_in_chinese, figures_in_english
from assistant.chat_types import SourceRef
from assistant.documents import Chunk
from assistant.index import Tokenizer, english_stem, near_duplicate, query_terms
from assistant.language import passage_language
from assistant.sentences import sentences

_QUANTITY = re.compile(r"多少|几|价格|价|标准|费用|金额|面积|比例|税率|补贴|奖励|how much|how many|price|rate|cost|"
                       r"amount|fee|tariff|subsid|grant|award|percent", re.I)
_PRICE = re.compile(r"多少钱|价格|价钱|电价|地价|租金|费用|收费|补贴多少|奖励多少|how much|price|cost|rent|fee|tariff|charge", re.I)
_MONEY = re.compile(r"\d\s*(?:万|亿)?\s*(?:元|块)|(?:rmb|¥|￥|yuan|cny)\s*[\d.]|\d\s*(?:yuan|rmb)|元/|yuan/", re.I)
SAMPLE_NOTE = {"zh": "（注：以上含示例数据，以主管部门最新发布为准。）",
               "en": "(Includes sample data; check the latest official release.)"}
# Defaults of RetrievalSettings.max_query_terms / max_composer_sentences, for callers without settings.
MAX_TERMS = 32
MAX_SENTENCES = 64
LIST_ITEMS = 8  # sentences of an answer to a question asking for a list
LIST_RATIO = 0.45  # of the best score: list items each repeat fewer of the question's words
MAX_JUDGED = 24  # candidates an ``accept`` judge sees: beyond these the sentences are too weak to answer
SAME_LANGUAGE_BONUS = 0.15  # a sentence in the reader's language, against one to be quoted from the other
ZH_ONLY_NOTE = "(The figures are restated in English; the Chinese passages are quoted as published.)"
UPCOMING = {"zh": "（该文件自{date}起施行。）", "en": " (This document takes effect on {date}.)"}
EN_ONLY_NOTE = "（数字已按中文习惯列出，英文原文照录。）"
ZH_QUOTED_NOTE = "(The Chinese passages are quoted as published.)"  # when no figure needed restating
EN_QUOTED_NOTE = "（英文原文照录。）"


@dataclass(frozen=True)
class Picked:
    chunk_rank: int
    position: int  # sentence order inside its chunk
    sentence: str
    score: float


Weigher = Callable[[str], float]
Meaning = Callable[[list[str]], list[float]]  # the embedder's similarity of each sentence to the question
Synonyms = Mapping[str, tuple[str, ...]]


def _weights(tokens: Sequence[str], idf: Weigher | None) -> dict[str, float]:
    """Rare terms carry the question (IDF from the lexical index); without it, longer tokens do."""
    if idf is not None:
        return {t: idf(t) for t in tokens}
    return {t: (2.0 if re.fullmatch(r"[\d.]+", t) else min(len(t), 4) / 2) for t in tokens}


def pick_sentences(question: str, chunks: list[Chunk], tokenizer: Tokenizer, limit: int = 4,
                   idf: Weigher | None = None, synonyms: Synonyms | None = None, max_terms: int = MAX_TERMS,
                   max_sentences: int = MAX_SENTENCES, language: str = "",
                   accept: Callable[[Picked], bool] | None = None, as_list: bool = False,
                   skip: re.Pattern[str] | None = None, meaning: Meaning | None = None,
                   meaning_weight: tuple[float, float] = (0.0, 1.0)) -> list[Picked]:
    """The best sentences (at most ``limit``) of the chunks for the question: weighted question terms they cover
    (a term or one of the lexicon's synonyms for it), figures preferred when the question asks for one.
    ``max_terms`` of the question's terms and ``max_sentences`` of the chunks' sentences (best-ranked chunks
    first) are considered. Sentences of passages in ``language`` (the reader's) come first among equals: the other
    language's are quoted when they say more. ``accept``, when given, judges each candidate in order of score
    (at most ``MAX_JUDGED``): only accepted ones are chosen, measured against the best accepted. ``as_list``: the
    question asks for several things: more sentences, and the items under a chosen list heading. ``skip``: sentences
    it finds are never chosen (a note about the document itself). ``meaning``: the embedder's similarity of sentences
    to the question, added for sentences in another language than ``language`` with ``meaning_weight`` = (weight,
    alone): scaled among the candidates, times weight; one sharing no word with the question is a candidate when its
    scaled similarity reaches alone."""
    synonyms = synonyms or {}
    weights = _weights(query_terms(tokenizer.tokens(question), max_terms), idf)
    total = sum(weights.values()) or 1.0
    wants_number = bool(_QUANTITY.search(question))
    wants_money = bool(_PRICE.search(question))
    scored: list[Picked] = []
    budget = max_sentences
    near_by = _nearness(chunks, max_sentences, meaning, skip, language) if meaning and meaning_weight[0] > 0 else {}
    weight, alone = meaning_weight
    for rank, chunk in enumerate(chunks):
        lead: set[str] = set()
        for position, sentence in enumerate(sentences(chunk.text)):
            budget -= 1
            if budget < 0:
                break
            # Items under a heading line ("The results for 2025:") inherit its words.
            tokens = set(tokenizer.tokens(sentence)) | lead
            lead = set(tokenizer.tokens(sentence)) if sentence.rstrip().endswith((":", "：")) else lead
            stems = _stems(tokens)
            if (skip is not None and skip.search(sentence)) or not _content(sentence):
                continue
            coverage = sum(w for t, w in weights.items() if _covered(t, tokens, synonyms, stems)) / total
            near = near_by.get(sentence, 0.0)
            if coverage <= 0 and near < alone:
                continue
            has_number = bool(re.search(r"\d", sentence))
            # A price asked is answered by a sum of money, not by the other figures of its passage (substations).
            fits = has_number and (not wants_money or bool(_MONEY.search(sentence)))
            bonus = (0.15 if fits else 0.0 if has_number else -0.2) if wants_number else 0.0
            own = SAME_LANGUAGE_BONUS if language and chunk.language == language else 0.0
            scored.append(Picked(rank, position, sentence, coverage + bonus + own + 0.25 / (1 + rank)
                                 + weight * near))
    scored.sort(key=lambda p: -p.score)
    if as_list:  # several things asked for: more of them, and less alike in score
        limit, ratio = max(limit, LIST_ITEMS), LIST_RATIO
    else:
        ratio = 0.6
    chosen: list[Picked] = []
    best = None if accept else (scored[0].score if scored else 0.0)
    for judged, pick in enumerate(scored):
        if (best is not None and pick.score < best * ratio) or len(chosen) >= limit or judged >= MAX_JUDGED:
            break
        if any(near_duplicate(pick.sentence, c.sentence, 0.7) for c in chosen):
            continue
        if accept is not None and not accept(pick):
            continue  # it does not answer this question (support check): the next best may
        best = pick.score if best is None else best
        chosen.append(pick)
    if as_list:
        chosen = _with_items(chosen, chunks, limit)
    return sorted(chosen, key=lambda p: (p.chunk_rank, p.position))


def _nearness(chunks: list[Chunk], max_sentences: int, meaning: Meaning, skip: re.Pattern[str] | None,
              language: str) -> dict[str, float]:
    """The similarity to the question, as the embedder sees it, of each candidate sentence in another language
    than the reader's (``language``), scaled to [0, 1] among the candidates of its language (the model's cosines
    sit in a narrow band, and higher for the question's own language whatever the content): 1 for the nearest.
    Only there: words reach the other language through a dictionary, which misses much; in the reader's own
    language the words are the better judge (with the embedder's term too, three questions to decline were
    answered from sentences that merely resembled them, against one answer gained)."""
    by_language: dict[str, list[str]] = {}
    budget = max_sentences  # the candidates pick_sentences reads: its first max_sentences, best chunks first
    for chunk in chunks:
        cut = sentences(chunk.text)
        if chunk.language != language:
            by_language.setdefault(chunk.language, []).extend(
                t for t in cut[:max(budget, 0)] if skip is None or not skip.search(t))
        budget -= len(cut)
    out: dict[str, float] = {}
    for texts in by_language.values():
        texts = list(dict.fromkeys(texts))
        if len(texts) < 2:
            continue
        sims = meaning(texts)
        low, high = min(sims), max(sims)
        span = (high - low) or 1.0
        out.update({t: (v - low) / span for t, v in zip(texts, sims, strict=True)})
    return out


_LIST_INTRO = re.compile(r"[:：]\s*$|下表|如下|以下(?:材料|方式|条件|步骤)|the following|as follows|listed below", re.I)


def _introduces_list(sentence: str) -> bool:
    return bool(_LIST_INTRO.search(sentence))


def _with_items(chosen: list[Picked], chunks: list[Chunk], limit: int) -> list[Picked]:
    """A chosen sentence that introduces a list ("…有以下方式：", "Steps:") brings the items that follow it in its
    passage: the list is the answer, however few of the question's words each item repeats."""
    out = list(chosen)
    have = {(p.chunk_rank, p.position) for p in out}
    for pick in chosen:
        if not _introduces_list(pick.sentence):
            continue
        for position, sentence in enumerate(sentences(chunks[pick.chunk_rank].text)):
            if position <= pick.position or (pick.chunk_rank, position) in have:
                continue
            if len(out) >= limit + LIST_ITEMS or sentence.rstrip().endswith((":", "：")):
                break  # the next heading starts another list
            out.append(Picked(pick.chunk_rank, position, sentence, pick.score))
            have.add((pick.chunk_rank, position))
    return out


def coverage(question: str, picked: list[Picked], tokenizer: Tokenizer, idf: Weigher | None = None,
             synonyms: Synonyms | None = None, max_terms: int = MAX_TERMS) -> float:
    """Share of the question's weighted terms (its first ``max_terms``) found in the picked sentences: the
    answer's confidence."""
    weights = _weights(query_terms(tokenizer.tokens(question), max_terms), idf)
    found: set[str] = set()
    for pick in picked:
        found |= set(tokenizer.tokens(pick.sentence))
    total = sum(weights.values())
    stems = _stems(found)
    return sum(w for t, w in weights.items() if _covered(t, found, synonyms or {}, stems)) / total if total else 0.0


def _stems(tokens: set[str]) -> set[str]:
    return {english_stem(t) for t in tokens if t.isascii() and t.isalpha()}


def _covered(token: str, tokens: set[str], synonyms: Synonyms, stems: set[str] | None = None) -> bool:
    if token in tokens or any(s in tokens for s in synonyms.get(token, ())):
        return True
    # An English word in another form (centre, centres) is the same word.
    return token.isascii() and token.isalpha() and english_stem(token) in (_stems(tokens) if stems is None else stems)


def source_ref(chunk: Chunk, highlight: str = "") -> SourceRef:
    return SourceRef(title=chunk.title, locator=chunk.locator, text=chunk.text, doc_id=chunk.doc_id,
                     page=chunk.page, kind=chunk.kind, language=chunk.language, sample=chunk.sample,
                     highlight=highlight, effective=chunk.effective)


def compose(picked: list[Picked], chunks: list[Chunk], lang: str,
            glosses: Mapping[str, str] | None = None, today: str = "",
            titles: Mapping[str, str] | None = None) -> tuple[str, list[SourceRef]]:
    """Answer text with [n] markers and the numbered source list. The sentence that answers best comes first,
    then the others by source; each fact once (a sentence restating figures already given is left out); no
    inline source notes or sample-data remarks (the [n] and one badge say that). A passage in the other language
    is quoted as published after its figures restated in the reader's language (and, for an English reader,
    ``glosses``: the dictionary senses of the Chinese terms the question was matched on), introduced by the
    document's name in the reader's language (``titles``: English titles by doc_id). A document that takes effect
    after ``today`` (YYYY-MM-DD) says so."""
    best = max(picked, key=lambda p: p.score) if picked else None
    shown = _each_fact_once(sorted(picked, key=lambda p: (p is not best, p.chunk_rank, p.position)),
                            lambda p: chunks[p.chunk_rank].language == lang)
    order: list[int] = []
    for pick in shown:
        if pick.chunk_rank not in order:
            order.append(pick.chunk_rank)
    sources = [source_ref(chunks[r], next(p.sentence for p in shown if p.chunk_rank == r)) for r in order]
    paragraphs = []
    restated = False  # figures of a quote in the other language said again in the reader's terms
    for n, rank in enumerate(order, start=1):
        chunk = chunks[rank]
        mine = [p.sentence for p in shown if p.chunk_rank == rank]
        body = "".join(_sentence_with_marker(plain_sentence(s), n, lang) for s in mine)
        upcoming = bool(today and chunk.effective > today)
        figures = _restated_figures(mine, lang) if chunk.language != lang else []
        restated = restated or bool(figures)
        paragraphs.append(_opening(chunk, lang, n, (titles or {}).get(chunk.doc_id, ""), figures) + body
                          + (UPCOMING[lang].format(date=chunk.effective) if upcoming else "")
                          + _glossed(mine, chunk.language, lang, glosses or {}))
    text = "\n".join(paragraphs)
    if lang == "en" and all(chunks[r].language != "en" for r in order):
        text += "\n" + (ZH_ONLY_NOTE if restated else ZH_QUOTED_NOTE)
    elif lang == "zh" and all(chunks[r].language == "en" for r in order):
        text += "\n" + (EN_ONLY_NOTE if restated else EN_QUOTED_NOTE)
    if any(chunks[r].sample for r in order):
        text += "\n" + SAMPLE_NOTE[lang]
    return text, sources


# Inline remarks a sentence carries for readers of its document, not of an answer: its source (the answer cites
# it as [n]), a sample-data caveat (the answer's badge says it once), the article number it opens with.
_REMARKS = re.compile(r"[（(](?:来源|source)[：:][^（）()]*(?:[（(][^（）()]*[)）][^（）()]*)*[)）]|"
                      r"[（(][^（）()]{0,12}示例数据[^（）()]{0,20}[)）]|\s*\(sample data[^()]{0,60}\)|[；;，,]\s*示例数据[，,]以主管部门最新发布为准|"
                      r"^第[一二三四五六七八九十百零〇两]+条\s*", re.I)


def _content(sentence: str) -> bool:
    """Does a sentence say anything besides its remarks? One that is only a source line ("（来源：《…》第三条）")
    names a document, and its numbers (a year, a document number) answer nothing."""
    return bool(_REMARKS.sub("", sentence).strip(" \t。.；;，,"))


def plain_sentence(sentence: str) -> str:
    """A sentence as an answer shows it: without its inline source, sample remark or leading article number,
    and opening with a capital (a row cut at a semicolon: "data centres in …")."""
    text = _REMARKS.sub("", sentence).strip() or sentence
    return text[0].upper() + text[1:] if text[:1].isascii() and text[:1].islower() else text


_FIGURE = re.compile(r"\d[\d,]*(?:[.\-]\d+)*")  # a phone number or a date is one figure, not its parts


def _each_fact_once(picked: list[Picked], own: Callable[[Picked], bool]) -> list[Picked]:
    """Leaves out a sentence all of whose figures an earlier one already states (the same rule quoted by two
    documents, a passage and its own table row); a sentence without figures is kept. A sentence in the reader's
    language (``own``) gives way only to another in it; one in the other language, to any."""
    figures = [{f.replace(",", "") for f in _FIGURE.findall(plain_sentence(p.sentence))} for p in picked]
    kept: set[int] = set()
    for first in (True, False):  # the reader's language first: its sentences are the ones to keep
        seen = set().union(*(figures[i] for i in kept))
        for i, pick in enumerate(picked):
            if own(pick) != first or (figures[i] and figures[i] <= seen):
                continue
            # Every figure of a kept sentence stated again, with a few more beside it (a park row after the
            # sentence that answers): a restatement, not a new fact.
            if any(len(figures[j]) >= 2 and figures[j] <= figures[i] for j in kept):
                continue
            seen |= figures[i]
            kept.add(i)
    return [p for i, p in enumerate(picked) if i in kept]


def _restated_figures(quoted: list[str], lang: str) -> list[str]:
    """The figures of sentences quoted in the other language, in the reader's terms, each once."""
    restate = figures_in_english if lang == "en" else figures_in_chinese if lang == "zh" else None
    return list(dict.fromkeys(f for s in quoted for f in restate(s))) if restate else []


def _opening(chunk: Chunk, lang: str, n: int, title_en: str, figures: list[str]) -> str:
    """The line before a quote in the other language: which document it comes from, named in the reader's
    language, and its ``figures`` in the reader's terms. Without figures it only introduces the quote, which
    carries the citation."""
    if chunk.language == lang or lang not in ("zh", "en"):
        return ""
    if lang == "en":
        where = f"From {title_en} (in Chinese)" if title_en else "From a Chinese-language document"
        return f"{where} [{n}]: {'; '.join(figures)}\n" if figures else f"{where}:\n"
    where = f"据英文资料《{chunk.title}》"
    return f"{where}[{n}]：{'；'.join(figures)}\n" if figures else f"{where}：\n"


def _glossed(quoted: list[str], source_lang: str, lang: str, glosses: Mapping[str, str]) -> str:
    """After a Chinese quote for an English reader: the dictionary senses of the terms it was matched on."""
    if source_lang == lang or lang != "en":
        return ""
    terms = [f"{zh} = {en}" for zh, en in glosses.items() if any(zh in s for s in quoted)]
    return f"\n(Terms: {'; '.join(terms)})" if terms else ""


def _sentence_with_marker(sentence: str, n: int, lang: str) -> str:
    end = re.search(r"[。！？；.!?;]$", sentence)
    core = sentence[: end.start()] if end else sentence
    stop = end.group(0) if end else ("。" if lang == "zh" else ".")
    sep = " " if lang == "en" or passage_language(sentence) == "en" else ""  # English sentences need a space
    return f"{core}[{n}]{stop}{sep}"
