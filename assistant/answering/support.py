"""The support check: an answer is marked answered only when its sentences answer *this* question.

Generic signals, no topic lists:
- the subject: the nouns of the clause that asks (酒店 in "附近酒店一晚多少钱", gas in "natural gas price") must be
  in the passage a chosen sentence comes from, or a synonym, a translation or the same English stem; a passage
  that never mentions the thing asked about answers something else however many other words it shares;
- the places and years the question names: a sentence naming only other districts or years is about something
  else ("Kaiyang's projects" answered with Guanshanhu's);
- the figure: a question asking how much, how many, how long, when or at what share gets a sentence holding a
  figure of that kind, and one pricing by a unit (每吨, per night) a sentence naming that unit.

Sentences that fail are dropped from the answer (no drift into a neighbouring topic); when none is left the
question is declined, saying why and what the knowledge base holds nearby."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from assistant.answering.covers import Covers
from assistant.answering.question_patterns import (
    YEAR,
    Patterns,
    default_patterns,
    kinds_in,
    months_in,
    names_month,
)
from assistant.language import is_pinyin, to_simplified

_CLAUSES = re.compile(r"[，,。；;！!？?\n]|(?<=[a-z])\.\s", re.I)
_SENTENCES = re.compile(r"(?<=[。！？!?\n])|(?<=[a-z])\.\s", re.I)

CROSS_LANGUAGE_SHARE = 0.6  # of min_subject: the dictionary finds fewer of a question's words in a translation
NAME_LETTERS = 5  # a shorter pinyin-like word is too often English (Tina, Hang); longer English words the dictionary knows
COUNT_REACH = 12  # characters before a figure (twice that after it) where the thing it counts is named
CJK_COUNT_REACH = 3  # the same in Chinese, denser: 员工300人, 300名员工, 12万辆汽车
LEAD_CHARS = 120  # a sentence ending in a colon this short introduces a list; a longer one was cut at a line
ROW_FIELDS = 4  # a sentence of this many "；"-separated fields is a listing's row, each field its own fact
PLACE_LEAD = 40  # characters before a capitalised run that may hold the start of the place name it ends
SUBJECT_REACH = 80  # characters before a sentence where its subject may be named (a list's lead, an item's label)
NAME_IDF = 3.0  # a capitalised word in fewer passages than this is a name, not a word capitalised in a title
_YEAR_REFERENCE = re.compile(r"(?:before|prior to|after|since|until|earlier than|later than)\s+(?:the\s+)?(?:year\s+)?YYYY|"
                             r"YYYY\s*年?\s*(?:以前|之前|以后|之后|以来|前|后)", re.I)
# Asking for an amount of the head ("物业费怎么收"), not its name or nature ("…的原因是什么"): a passage answers
# those in its own words.
_HEAD_ASKS = r"(?:怎么收|怎么算|怎么计|如何收|如何计|多少|几|多高|多大|多长|多久)"
_MODIFIER = re.compile(r"\b([a-z]+)-(?:[a-z]+ed|built|made|run|owned|led|held|grown)\b", re.I)
_CITED = re.compile(r"[（(](?:来源|出处|source)[：:][^。]*[）)]", re.I)  # an inline citation: its title's year is not the figure's
_NUMBERISH = re.compile(r"^[\d.,%]+$")
_TITLE_RUN = re.compile(r"\b[A-Z][a-z'’]{2,}(?:\s+[A-Z][a-z'’]{2,})+\b")
_TITLE_SKIP = {"the", "and", "for", "with", "from", "our", "your", "this", "that", "what", "which", "how", "can", "does"}


def _figure(value: str) -> str:
    return f"{float(value):g}"


@dataclass(frozen=True)
class Ask:
    """What a question asks for, as the check reads it."""

    subject: tuple[str, ...]  # nouns of the asking clause the corpus uses, most specific first
    names: tuple[str, ...]  # proper names the question uses (Shuangying): an answer's passage names them too
    topics: tuple[tuple[str, ...], ...]  # glossary topics it names (natural gas): the topic or a Chinese equivalent
    weights: Mapping[str, float]
    districts: frozenset[str]  # districts the question names (a park stands for its district)
    years: tuple[str, ...]
    kinds: tuple[str, ...]  # figure kinds asked; "number" alone = any figure
    units: tuple[str, ...]  # units the question prices by
    head: str = ""  # the noun after 的 in "X的物业费": what is asked about, X only narrows it
    counted: str = ""  # what a count counts: a measure word (辆) or an English noun (workers)
    counted_noun: str = ""  # the Chinese noun counted after 个/家 (产业项目 in 多少个产业项目)
    qualifiers: tuple[str, ...] = ()  # classes named by a figure (35 kV): a sentence naming another is not theirs
    qualifier_names: tuple[str, ...] = ()  # the same as the question writes them
    months: tuple[tuple[int, int], ...] = ()  # (year, month) asked about: June 2026
    negated: tuple[str, ...] = ()  # words the question sets aside: "industrial" in "commercial (not industrial)"
    titled: tuple[str, ...] = ()  # words of a name in capitals (Fund Town): a passage in the question's language names each


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""  # subject / place / year / figure: why a sentence does not answer
    missing: str = ""  # the word, place or year it lacks


class SupportCheck:
    """Reads a question once (:meth:`read`) and judges sentences against it (:meth:`judge`)."""

    def __init__(self, tokens: Callable[[str], Sequence[str]], idf: Callable[[str], float],
                 districts_of: Callable[[str], Collection[str]], min_subject: float, generic_idf: float = 0.0,
                 patterns: Patterns | None = None, normalise: Callable[[str], str] = lambda t: t,
                 glossary: tuple[re.Pattern[str] | None, Mapping[str, Sequence[str]]] = (None, {}),
                 home: re.Pattern[str] | None = None, english_word: Callable[[str], bool] = lambda w: False,
                 english_verb: Callable[[str], bool] = lambda w: False,
                 place_word: Callable[[str], bool] = lambda w: True,
                 corpus_word: Callable[[str], bool] = lambda w: True) -> None:
        self.place_word = place_word  # is a Chinese word a place name (jieba's ns), not 开区 cut from 经开区
        self.corpus_word = corpus_word  # does the corpus use a word at all, itself or through pinyin
        self.english_word = english_word  # an English word (Chinese, Empire) that happens to read as pinyin
        self.english_verb = english_verb  # a word the dictionary gives as a verb (check: "to check")
        self.home = home  # the region served as a whole (贵阳贵安): a figure for it is not a district's
        # Two of its names side by side (贵阳贵安, Guiyang and Gui'an) name the whole region, not the district
        # one of them also names (贵安新区).
        self.region = re.compile(rf"(?:{home.pattern})\s*(?:and|&|–|—|-|、|和|与|及)?\s*(?:{home.pattern})",
                                 re.I) if home else None
        self.tokens = tokens
        self.normalise = normalise  # place names in any spelling to the catalogue's (Gui'an New Area → 贵安新区)
        self.glossary = glossary  # the lexicon's English topics and their Chinese equivalents
        self.idf = idf
        self.districts_of = districts_of  # districts a text names (English and pinyin names too)
        self.min_subject = min_subject
        self.generic_idf = generic_idf
        self.patterns = patterns or default_patterns()

    def read(self, question: str, is_subject: Callable[[str], bool],
             known: Callable[[str], bool] | None = None) -> Ask:
        """``is_subject``: whether a term can be what a question is about: a noun the corpus uses (itself, a
        synonym or a translation). Other words (最长, special, have) are how it is asked, not what about.
        ``known``: whether the corpus uses a word at all (for names; default ``is_subject``)."""
        text = to_simplified(question)
        # What the question sets aside ("(not industrial)", "instead of renting") is not what it asks about.
        aside = " ".join(self.patterns.negated.findall(text)) if self.patterns.negated is not None else ""
        if aside:
            text = self.patterns.negated.sub(" ", text)
        listing = bool(self.patterns.asks_list and self.patterns.asks_list.search(text))
        kinds = kinds_in(text, self.patterns)
        units = tuple(u for u, p in self.patterns.unit_asks.items() if p.search(text))
        districts = self.districts_named(text)
        # The clauses that ask (多少钱, how long…) hold the subject; else the sentences ending in a question mark
        # (not the company's story before them); else the whole question.
        clauses = [c for c in _CLAUSES.split(text) if c.strip()]
        asking = [c for c in clauses if any(p.search(c) for p in (*self.patterns.asks.values(),
                                                                   *self.patterns.unit_asks.values()))]
        questions = [q for q in _SENTENCES.split(text) if q.strip().endswith(("?", "？"))]
        # An asking clause with no noun of its own ("物业费怎么收？每平米每月多少") asks about the question's
        # subject: then the question sentences, else the whole question, hold it.
        terms: list[str] = []
        for part in (asking, [q for q in questions if any(a in q for a in asking)], questions or clauses):
            terms = self._subject_terms(self.normalise(" ".join(part)), is_subject, districts) if part else []
            if terms:
                break
        known_words = known or is_subject
        weights = {t: self.idf(t) for t in terms}
        subject = tuple(sorted(terms, key=lambda t: -weights[t]))
        pattern, entries = self.glossary
        # A topic that names a place (airport: the airport zone) is checked as a place.
        topics = tuple(dict.fromkeys((m.group(0).lower(), *entries.get(m.group(0).lower(), ())) for m in
                                     pattern.finditer(question)
                                     if not self.districts_of(self.normalise(m.group(0))))) if pattern else ()
        # A year the question measures from (prior to 2000, 2020年以来) is not the year it asks about.
        years = tuple(y for y in dict.fromkeys(YEAR.findall(text)) if not _YEAR_REFERENCE.search(
            text[max(0, text.find(y) - 12): text.find(y) + 10].replace(y, "YYYY")))
        where = " ".join(asking or questions or clauses)
        names = self._names(where, known_words) + self._other_places(question)
        qualifier = self.patterns.qualifier
        found = list(qualifier.finditer(text)) if qualifier else []
        return Ask(subject, tuple(dict.fromkeys(names)), topics, weights, districts,
                   years, kinds, units, self._head(text, subject), self._counted(text), "" if listing else self._counted_noun(text),
                   tuple(dict.fromkeys(_figure(m.group(1)) for m in found)), tuple(m.group(0) for m in found),
                   tuple(months_in(text, self.patterns)),
                   tuple(self._subject_terms(aside, is_subject)) if aside else (), self._title_names(where))

    def districts_named(self, text: str) -> frozenset[str]:
        """The districts a question asks about: not one named only to compare with (像观山湖一样), nor the whole
        region served (贵阳贵安)."""
        reference = self.patterns.reference_places
        return frozenset(self._places(reference.sub(" ", text) if reference else text))

    def _other_places(self, question: str) -> tuple[str, ...]:
        """District-level places the question names that the catalogue does not know (花溪区, Nanming District):
        the passage answering must name them; the district check cannot, knowing nothing of them."""
        out = []
        text = to_simplified(question)
        for pattern, lower in ((self.patterns.district_zh, False), (self.patterns.district_en, True)):
            for m in pattern.finditer(text) if pattern else ():
                name = m.group(1).lower() if lower else m.group(1)
                whole = m.group(0)
                if self._places(whole) or self._places(name) or (self.home and self.home.search(whole)):
                    continue  # a district the check knows, or the region served
                if not lower and not self.place_word(name):
                    continue  # 开区 cut from 经开区 is no place
                out.append(name)
        return tuple(out)

    def _places(self, text: str) -> Collection[str]:
        return self.districts_of(self.region.sub(" ", text) if self.region else text)

    @staticmethod
    def _head(text: str, subject: Sequence[str]) -> str:
        """The subject word between 的 and the asking words ("小兰山基地的物业费怎么收" → 物业): what is asked
        about, the words before 的 only narrowing it. Not a 的 that ends a description (做开发的公司，…), nor 别的 (other)."""
        for term in subject:
            if re.search(rf"(?<![别他])的{re.escape(term)}[\u4e00-\u9fff]{{0,2}}?{_HEAD_ASKS}", text):
                return term
        return ""

    def _counted_noun(self, text: str) -> str:
        match = self.patterns.counted_noun.search(text) if self.patterns.counted_noun else None
        return match.group(1) if match else ""

    def _counted(self, text: str) -> str:
        for pattern in (self.patterns.counted_zh, self.patterns.counted_en):
            match = pattern.search(text) if pattern else None
            if match and match.group(1).lower() not in self.patterns.counted_skip:
                return match.group(1).lower()
        return ""

    def _subject_terms(self, clause: str, is_subject: Callable[[str], bool],
                       places: Collection[str] = ()) -> list[str]:
        after = self.patterns.verb_after
        verbs = {m.group(1).lower() for m in after.finditer(clause)} if after else set()
        verbs = {v for v in verbs if self.english_verb(v)}
        # "government-built", "state-owned": a word before a participle describes the thing, it is not the thing.
        verbs |= {m.group(1).lower() for m in _MODIFIER.finditer(clause)}
        terms = [t for t in dict.fromkeys(self.tokens(clause))
                 if not _NUMBERISH.match(t) and not YEAR.fullmatch(t) and (t.isascii() or len(t) >= 2)
                 and t.lower() not in self.patterns.not_subject and t not in verbs and not self.districts_of(t)
                 and not any(t in p for p in places)  # 新区 cut from 高新区 is the place, not a subject
                 and self.idf(t) >= self.generic_idf and is_subject(t)]
        # Inside a compound (污水处理) its parts (污水, 处理) would count twice: keep the longest.
        return [t for t in terms if not any(t != o and t in o for o in terms)]

    def _names(self, clause: str, known: Callable[[str], bool]) -> tuple[str, ...]:
        """Chinese names written in Latin letters in the asking clause (Shuangying, Longxin: capitalised, not
        a sentence's first word, read as pinyin, rare in the corpus or not in it at all, not a place): the company
        or project the answer must be about. ``known``: the corpus can match the word (itself or through pinyin,
        双英). One the corpus never uses is a company it knows nothing of: no passage names it."""
        names = []
        for sentence in _SENTENCES.split(clause):
            words = re.findall(r"[A-Za-z][\w'’-]*", sentence)
            for word in words[1:]:
                plain = re.sub(r"['’]s$", "", word)
                if (plain[:1].isupper() and len(plain) >= NAME_LETTERS and is_pinyin(plain)
                        and not self.english_word(plain) and not self.districts_of(plain)
                        and (not self.corpus_word(plain.lower())
                             or (known(plain.lower()) and self.idf(plain.lower()) >= NAME_IDF))):
                    names.append(plain.lower())
        return tuple(dict.fromkeys(names))

    def _title_names(self, clause: str) -> tuple[str, ...]:
        """Words of a name written in capitals mid-sentence ("office rent in Guanshanhu Fund Town"): two or more
        capitalised words in a row, places aside. The answer's passage names each (or its translation)."""
        out: list[str] = []
        for sentence in _SENTENCES.split(clause):
            first = re.search(r"[A-Za-z]", sentence)
            for run in _TITLE_RUN.finditer(sentence):
                if first is not None and run.start() <= first.start():
                    continue  # a sentence's first word is capitalised anyway
                words = [w for w in run.group(0).split() if w.lower() not in _TITLE_SKIP]
                # One naming a known place (Gui'an New Area), or ending a place's name ("Guiyang Economic and
                # Technological Development Zone"), is checked as a place.
                lead = sentence[max(0, run.start() - PLACE_LEAD): run.start()]
                ends_place = bool(set(self.districts_of(lead + run.group(0))) - set(self.districts_of(lead)))
                if len(words) >= 2 and not ends_place and not any(
                        self.districts_of(w) or (self.home and self.home.fullmatch(w)) for w in words):
                    out += [w.lower() for w in words if w.lower() not in self.patterns.not_subject]
        return tuple(dict.fromkeys(out))

    def judge(self, ask: Ask, sentence: str, passage: str, covers: Covers, before: str = "",
              subject_ok: bool = False, other_language: bool = False, title: str = "", heading: str = "",
              lead: str = "") -> Verdict:
        """Does one sentence answer the question? ``passage``: its chunk's title, heading and text (the subject
        may be named there rather than in the sentence); ``before``: the chunk's text before the sentence."""
        text = to_simplified(sentence)
        if ask.topics:
            lowered = to_simplified(passage).lower()
            for topic in ask.topics:
                if not any(word in lowered for word in topic):
                    return Verdict(False, "subject", topic[0])
        if ask.head and not covers(ask.head, to_simplified(passage)):
            return Verdict(False, "subject", ask.head)
        # A name's words in the other language are matched by the dictionary only by chance (发改委 for
        # "Development and Reform Commission"): checked within a language.
        if ask.titled and not other_language:
            missing = [n for n in ask.titled if not covers(n, passage.lower())]
            if missing:
                return Verdict(False, "subject", missing[0])
        if ask.names:
            where = to_simplified(passage)
            missing = [n for n in ask.names if not covers(n, where)]
            if missing:
                return Verdict(False, "subject", missing[0])
            # A figure asked about a company is stated about it, not elsewhere in a passage that names it once.
            near = to_simplified(f"{heading} {before[-SUBJECT_REACH:]} {sentence}")
            if ask.kinds and not any(covers(n, near) for n in ask.names):
                return Verdict(False, "figure", ask.names[0])
        if ask.subject and not subject_ok:
            where = to_simplified(passage)
            held = [t for t in ask.subject if covers(t, where)]
            share = sum(ask.weights[t] for t in held) / (sum(ask.weights.values()) or 1.0)
            if share < (self.min_subject * CROSS_LANGUAGE_SHARE if other_language else self.min_subject):
                return Verdict(False, "subject", next(t for t in ask.subject if t not in held))
            # A figure asked for is stated about the subject: the sentence, the one before it (a list's lead) or
            # its heading names some of it, not only another sentence of its passage (Longxin's project named in
            # the article whose land price was chosen).
            if ask.kinds and held:
                near = to_simplified(f"{heading} {before[-SUBJECT_REACH:]} {sentence}")
                # (Reason "figure": the subject is there, the figure is another's; no paraphrase rescues that.)
                if not any(covers(t, near) for t in held):
                    return Verdict(False, "figure", held[0])
                # In a row of fields (园区；主导产业：…；工业用地价格288元/㎡；物流：…公共保税仓库…) a field past the
                # row's label that names the subject holds the figure, not another field.
                fields = re.split(r"[；;]", text)[1:]
                naming = [f for f in fields if any(covers(t, f) for t in held)]
                if len(fields) >= ROW_FIELDS - 1 and naming and not any(self._states(ask.kinds, f) for f in naming):
                    return Verdict(False, "figure", held[0])
        if ask.negated and any(covers(t, text) for t in ask.negated):
            # The sentence is about what the question sets aside (industrial land for "commercial (not
            # industrial)"), unless it names all that was asked too.
            missing = [t for t in ask.subject if not covers(t, text)]
            if missing:
                return Verdict(False, "subject", missing[0])
        if ask.districts:
            named = set(self._places(text))
            if not named and ask.kinds:
                # A figure reads under its passage's place: a park's document or heading names it once, above.
                named = set(self._places(to_simplified(heading))) or set(self._places(to_simplified(title)))
            if named and not named & ask.districts:
                return Verdict(False, "place", sorted(ask.districts)[0])
            # A figure for the whole region answers no district's question (a policy for it still applies). A
            # count (projects, companies) reads under its document's region too: a work plan for 贵阳贵安.
            region_of = [text, f"{heading} {title}"] if ask.counted_noun or "count" in ask.kinds else [text]
            whole = any(p is not None and p.search(t) for p in (self.patterns.whole_region, self.home) for t in region_of)
            if not named and ask.kinds and whole:
                return Verdict(False, "place", sorted(ask.districts)[0])
        if ask.years:
            # A sentence without a year reads under the last one its passage named before it (a table's
            # "指标（2025年）"), else under its document's (a 2026 work plan).
            # In a listing's row, the year of the field stating the figure ("2025年全区新引进产业项目84个"), not
            # another field's ("双英从2024年8月考察").
            scope = text
            fields = re.split(r"[；;]", text)
            if ask.kinds and len(fields) >= ROW_FIELDS:
                stating = [f for f in fields if self._states(ask.kinds, f) and (
                    not ask.counted_noun or self._counts_noun(ask.counted_noun, f, covers))]
                scope = " ".join(stating) or text
            years = (set(YEAR.findall(_CITED.sub("", scope))) or set(YEAR.findall(f"{lead} {before}")[-1:])
                     or set(YEAR.findall(heading)) or set(YEAR.findall(title)))
            if years and not years & set(ask.years):
                return Verdict(False, "year", ask.years[0])
            # A count is a statistic of some year: an undated one (a park's row) is not that year's.
            if not years and (ask.counted_noun or "count" in ask.kinds):
                return Verdict(False, "year", ask.years[0])
        if ask.qualifiers and self.patterns.qualifier is not None:
            # A sentence naming another class (the 10 kV row) is not about the one asked (35 kV); one naming none
            # reads under its heading or the sentences just before it.
            named = self._qualifiers(text) or self._qualifiers(to_simplified(f"{heading} {before[-SUBJECT_REACH:]}"))
            if named and not named & set(ask.qualifiers):
                return Verdict(False, "subject", ask.qualifier_names[0])
        if ask.months:
            near = to_simplified(f"{lead} {before[-SUBJECT_REACH:]} {sentence}")
            if not any(names_month(near, month, self.patterns) for _, month in ask.months):
                year, month = ask.months[0]
                return Verdict(False, "year", f"{year}-{month:02d}")
        if ask.kinds and text.rstrip().endswith((":", "：")) and len(text) <= LEAD_CHARS:
            return Verdict(False, "figure", ask.kinds[0])  # a list's lead: its figures are in the items
        if ask.kinds and not self._states(ask.kinds, text):
            return Verdict(False, "figure", ask.kinds[0])
        if ask.units and not any(self.patterns.unit_names[u].search(text) for u in ask.units):
            return Verdict(False, "figure", ask.units[0])
        if ask.counted and not self._counts(ask.counted, text, covers):
            return Verdict(False, "figure", ask.counted)
        # In a translation the noun is matched through the dictionary only by chance: checked within a language.
        if ask.counted_noun and not other_language and not self._counts_noun(ask.counted_noun, text, covers):
            return Verdict(False, "figure", ask.counted_noun)
        return Verdict(True)

    def _states(self, kinds: Sequence[str], text: str) -> bool:
        """Does a text state a figure of one of these kinds? A year is when, not how much: it counts only for a
        date."""
        figures = text if "date" in kinds else YEAR.sub(" ", text)
        return any(self.patterns.figures[k].search(figures) for k in kinds)

    def _qualifiers(self, text: str) -> set[str]:
        pattern = self.patterns.qualifier
        return {_figure(m.group(1)) for m in pattern.finditer(text)} if pattern else set()

    def _counts_noun(self, noun: str, text: str, covers: Covers) -> bool:
        """A figure next to the noun counted (引进产业项目852个, 852 new industrial projects), not a year."""
        reach = len(noun) + CJK_COUNT_REACH + 2
        return any(covers(noun, text[max(0, m.start() - reach): m.end() + reach])
                   for m in re.finditer(r"\d[\d,.]*", text) if not YEAR.fullmatch(m.group(0)))

    def _counts(self, counted: str, text: str, covers: Covers) -> bool:
        """Does a sentence state a number of the thing counted: 3万辆 for 多少辆, the workers for how many workers?"""
        if counted.isascii():
            # Next to a figure ("300 workers", "员工300人"), not anywhere in a row that also holds one.
            def near(m: re.Match[str]) -> str:
                reach = COUNT_REACH if text[m.end(): m.end() + 2].isascii() else CJK_COUNT_REACH
                return text[max(0, m.start() - reach): m.end() + 2 * reach]

            return any(covers(counted, near(m)) for m in re.finditer(r"\d[\d,.]*", text))
        same = "|".join(re.escape(w) for w in self.patterns.counters.get(counted, (counted,)))
        return bool(re.search(rf"(?:\d|[一二三四五六七八九十两百千万])\s*[万千百亿多余]{{0,2}}\s*(?:{same})", text))
