"""The place catalogue of one corpus: its districts and parks, with the Chinese short forms, English names, pinyin
and aliases people use for them, derived when the index is loaded.

Nothing here names a place. Districts come from the parks, the factory rows and the documents' ``district``
metadata; parks from ``listings/parks.csv`` (name, name_en, district) and the sub-park names in the factory rows'
``building`` column (小孟工业园3号厂房 -> 小孟); the lexicon adds what no listing states: official long forms and
their abbreviations, English nicknames, the home region stripped from park names, and industry words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.language import pinyin_syllables, romanise
from assistant.lexicon import Lexicon
from assistant.listings.records import Factory, Park

# Administrative endings a district stem drops (观山湖区 -> 观山湖, 开阳县 -> 开阳, 贵安新区 -> 贵安).
_ADMIN_SUFFIXES = ("新区", "区", "县", "市")
# Endings that make a park name generic: 小兰山数据标注基地 -> 小兰山数据标注.
_GENERIC_SUFFIXES = ("产业园", "工业园", "园区", "基地")
_NAME_PARTS = re.compile(r"[/（）()·、,，;；\s]+")
# Where a factory's building name stops naming a place: its number, code or building word (沙文园区A2栋 -> 沙文园区).
_BUILDING_CUT = re.compile(r"[0-9A-Za-z]|号|厂房|仓库|办公|车间|专用|栋|楼")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def pinyin_forms(word: str) -> tuple[str, ...]:
    """'观山湖' -> ('guanshanhu',), '贵安' -> ('guian', "gui'an"): lower case, no tones, no spaces, plus the form
    with an apostrophe before a syllable that starts with a vowel. Only for words written wholly in Chinese."""
    if not _CJK.match(word):
        return ()
    syllables = pinyin_syllables(word)
    plain = "".join(syllables)
    marked = syllables[0] + "".join(("'" + s) if s[0] in "aeo" else s for s in syllables[1:])
    return tuple(dict.fromkeys((plain, marked)))


def _latin(word: str) -> re.Pattern[str]:
    """A Latin-script name as a whole word (jili is not part of jilin)."""
    return re.compile(rf"(?<![a-z]){re.escape(word)}(?![a-z])")


@dataclass(frozen=True)
class Place:
    name: str  # canonical Chinese name: the district as the data writes it, or the park's name
    kind: Literal["district", "park"]
    short: tuple[str, ...]  # Chinese forms people write: the district stem, the park's shortened names
    english: tuple[str, ...]  # English names from the listings (lower case)
    pinyin: tuple[str, ...]
    aliases: tuple[str, ...]  # lexicon place_aliases that point at one of its Chinese forms
    district: str = ""  # a park's district


class Places:
    """Districts and parks of the corpus; built by :meth:`build`, rebuilt with every index."""

    def __init__(self, parks: Sequence[Park], districts: Sequence[str], lexicon: Lexicon,
                 buildings: dict[str, tuple[str, ...]], district_en: Mapping[str, str] | None = None) -> None:
        self.parks = tuple(parks)
        self._district_en = dict(district_en or {})  # district -> the English name a listing row gives it
        self.lexicon = lexicon
        # Longest first, so 国家高新技术产业开发区 is shortened before 高新技术产业开发区.
        self._abbreviations = sorted(lexicon.abbreviations.items(), key=lambda kv: len(kv[0]), reverse=True)
        self._short_forms = frozenset(lexicon.abbreviations.values())
        self._home = lexicon.pattern("home_places")
        self.industries = tuple((i.name, re.compile("|".join(f"(?:{p})" for p in i.en), re.I) if i.en else None)
                                for i in lexicon.industries)
        self.industry_labels = lexicon.industry_labels  # stem -> English
        self._districts = tuple(dict.fromkeys(d for d in districts if d))
        self._stems = {d: self._stem(d) for d in self._districts}
        self._district_words = frozenset(self._stems) | frozenset(self._stems.values())
        self._aliases = {p.id: self._park_aliases(p, buildings.get(p.name, ())) for p in self.parks}
        self._latin_names = self._latin_table()

    @classmethod
    def build(cls, parks: Sequence[Park], factories: Sequence[Factory], districts: Iterable[str],
              lexicon: Lexicon) -> Places:
        """The catalogue from the listings, the documents' district metadata and the lexicon."""
        buildings: dict[str, tuple[str, ...]] = {}
        for f in factories:
            buildings[f.park] = (*buildings.get(f.park, ()), f.building)
        found = [p.district for p in parks] + [f.district for f in factories] + list(districts)
        english: dict[str, str] = {}
        for row in (*parks, *factories):
            if row.district_en:
                english.setdefault(row.district, row.district_en)
        return cls(parks, found, lexicon, buildings, english)

    # ---- derived names ----
    def _abbreviate(self, text: str) -> str:
        for long, short in self._abbreviations:
            text = text.replace(long, short)
        return text

    def _stem(self, district: str) -> str:
        """'开阳县' -> '开阳', '贵安新区' -> '贵安', '双龙航空港经济区' -> '双龙'; a district whose name is an
        abbreviation's short form in the lexicon (经开区) stays whole."""
        if district in self._short_forms:
            return district
        short = self._abbreviate(district)
        for suffix in (*sorted(self._short_forms, key=len, reverse=True), *_ADMIN_SUFFIXES):
            if short.endswith(suffix) and len(short) - len(suffix) >= 2:
                return short[: -len(suffix)]
        return short

    def _is_home(self, word: str) -> bool:
        return bool(self._home and self._home.fullmatch(word))

    def _strip_home(self, word: str) -> str:
        """'贵阳经开区' -> '经开区', '贵州表面处理产业园' -> '表面处理产业园'; '' when nothing specific is left."""
        match = self._home.match(word) if self._home else None
        if not match:
            return ""
        rest = re.sub(r"^[市省]", "", word[match.end():])
        generic = rest in ("新区", *_ADMIN_SUFFIXES, *_GENERIC_SUFFIXES)
        return rest if len(rest) >= 2 and not generic else ""

    def _industry_at(self, word: str) -> int:
        """Where the first industry word of the lexicon starts in `word` (-1: none)."""
        found = [i for stem, _ in self.industries if (i := word.find(stem)) >= 0]
        return min(found, default=-1)

    def _heads(self, word: str) -> set[str]:
        """Shorter names inside a park name: without a generic ending (小兰山数据标注基地 -> 小兰山数据标注), the head
        before an abbreviation or 新区 (开阳经开区 -> 开阳), before an industry word (吉利汽车配套 -> 吉利), and without a
        leading district (观山湖区吉利 -> 吉利)."""
        bases = [word] + [word[: -len(s)] for s in _GENERIC_SUFFIXES if word.endswith(s) and len(word) - len(s) >= 2]
        out = set(bases[1:])
        for base in bases:
            for ending in (*self._short_forms, "新区"):
                head = base[: -len(ending)] if base.endswith(ending) else ""
                if len(head) >= 2 and not self._is_home(head):
                    out.add(head)
            if (at := self._industry_at(base)) >= 2:
                out.add(base[:at])
        for name in list(out):
            district = next((d for d in sorted(self._district_words, key=len, reverse=True)
                             if name.startswith(d) and len(name) - len(d) >= 2), "")
            rest = name[len(district):]
            if district and self._industry_at(rest) != 0:  # 观山湖区汽车 -> 汽车 is an industry, not a park
                out.add(rest)
        return {w for w in out if w not in self._district_words}

    def _park_aliases(self, park: Park, buildings: Sequence[str]) -> tuple[str, ...]:
        aliases: set[str] = set()
        for part in _NAME_PARTS.split(park.name):
            if not part:
                continue
            short = self._abbreviate(part.lower())
            aliases |= {part, short}
            if stripped := self._strip_home(short):
                aliases.add(stripped)
                short = stripped
            aliases |= self._heads(short)
        # Sub-park names in the factory rows (沙文园区A2栋 -> 沙文园区, 沙文); a name starting with an industry word
        # (电子信息产业园, 保税加工厂房) describes the units, not a place.
        for building in buildings:
            head = _BUILDING_CUT.split(self._abbreviate(building), maxsplit=1)[0]
            if len(head) < 2:
                continue
            for word in {head, *self._heads(head)}:
                if len(word) >= 2 and self._industry_at(word) != 0 and word not in self._district_words:
                    aliases.add(word)
        return tuple(sorted(aliases, key=len, reverse=True))

    def _latin_table(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        """English and pinyin names -> the Chinese word they stand for: the lexicon's place aliases (matched
        anywhere, as written there), then the parks' English names and the pinyin of district stems and of
        distinctive park words (matched as whole words)."""
        table = [(re.compile(re.escape(en.lower().replace("’", "'"))), zh)
                 for en, zh in self.lexicon.place_aliases.items()]
        for stem in self._stems.values():
            table += [(_latin(p), stem) for p in pinyin_forms(stem)]
        for park in self.parks:
            primary = self._abbreviate(next((p for p in _NAME_PARTS.split(park.name) if p), park.name))
            table += [(_latin(e), primary) for e in self._english(park)]
            table += [(_latin(p), w) for w in self._distinctive(park) for p in pinyin_forms(w)]
        return tuple(dict.fromkeys(table))

    @staticmethod
    def _english(park: Park) -> tuple[str, ...]:
        """'Gui'an New Area / Gui'an Comprehensive Bonded Zone' -> both names, lower case."""
        parts = (e.strip().lower().replace("’", "'") for e in re.split(r"[/()（）]", park.name_en))
        return tuple(e for e in parts if len(e) > 3)

    def _distinctive(self, park: Park) -> tuple[str, ...]:
        """Short words naming only this park (吉利, 小兰山, 沙文): no generic ending, district or abbreviation."""
        endings = (*_GENERIC_SUFFIXES, *self._short_forms, *_ADMIN_SUFFIXES)
        return tuple(a for a in self._aliases[park.id] if 2 <= len(a) <= 4 and _CJK.match(a)
                     and not a.endswith(endings) and a not in self._district_words and self._industry_at(a) != 0)

    # ---- the catalogue ----
    def districts(self) -> tuple[str, ...]:
        """Canonical district names, in the order the data first names them."""
        return self._districts

    def district_name(self, district: str, lang: str = "zh") -> str:
        """A district as a reader of ``lang`` sees it: in English the name a listing row gives it, else pinyin."""
        return (self._district_en.get(district) or romanise(district)) if lang == "en" else district

    @functools.cached_property
    def english_names(self) -> dict[str, str]:
        """Chinese district and park names with the English names the listings give them (贵安新区 -> Gui'an New
        Area): a Chinese name with no English of its own reads them in English."""
        parks = {p.name: p.name_en for p in self.parks if p.name_en}
        return {**{d: en for d, en in self._district_en.items() if en}, **parks}

    def stem(self, district: str) -> str:
        return self._stems.get(district) or self._stem(district)

    def park_aliases(self, park: Park) -> tuple[str, ...]:
        """Names a person may use for the park (longest first)."""
        return self._aliases.get(park.id) or self._park_aliases(park, ())

    @functools.cached_property
    def _places(self) -> tuple[Place, ...]:
        out = []
        for d in self._districts:
            stem = self._stems[d]
            out.append(Place(d, "district", (stem,) if stem != d else (), (), pinyin_forms(stem),
                             self._aliases_to({d, stem})))
        for park in self.parks:
            names = self._aliases[park.id]
            short = tuple(a for a in names if a != park.name)
            english = self._english(park)
            pinyin = tuple(p for w in self._distinctive(park) for p in pinyin_forms(w))
            out.append(Place(park.name, "park", short, english, pinyin, self._aliases_to(set(names)), park.district))
        return tuple(out)

    def places(self) -> tuple[Place, ...]:
        """Every district and park, with its names."""
        return self._places

    def _aliases_to(self, words: set[str]) -> tuple[str, ...]:
        return tuple(en for en, zh in self.lexicon.place_aliases.items() if zh in words)

    # ---- reading text ----
    def normalise(self, text: str) -> str:
        """Lower-case, shorten official long forms and add the Chinese words for English and pinyin names."""
        out = self._abbreviate(text.lower().replace("’", "'"))
        extra = list(dict.fromkeys(zh for pattern, zh in self._latin_names if pattern.search(out)))
        return out + (" " + " ".join(extra) if extra else "")

    def latin_names(self, chinese: str) -> tuple[str, ...]:
        """English and pinyin names that stand for a Chinese place word (for rewriting an English follow-up)."""
        return tuple(p.pattern for p, zh in self._latin_names if zh == chinese)

    def districts_in(self, norm: str) -> tuple[str, ...]:
        """Districts named in normalised text; a whole-name district (经开区) is not named by 开阳经开区."""
        heads = "".join(f"(?<!{re.escape(s)})" for d, s in self._stems.items() if s != d)
        found = []
        for d, stem in self._stems.items():
            pattern = heads + re.escape(d) if stem == d else f"{re.escape(d)}|{re.escape(stem)}"
            if re.search(pattern, norm):
                found.append(d)
        return tuple(found)

    @functools.cached_property
    def _park_words(self) -> re.Pattern[str] | None:
        # A listing filter: park names that are neither districts (matched as such) nor industries (电镀, 保税加工:
        # matched against the units' industries instead).
        words = {a for aliases in self._aliases.values() for a in aliases
                 if len(a) >= 2 and a not in self._district_words and self._industry_at(a) != 0}
        ordered = sorted(words, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def park_words_in(self, norm: str) -> tuple[str, ...]:
        """Park names (not districts, not industries) in normalised text, for filtering factory rows."""
        return tuple(dict.fromkeys(self._park_words.findall(norm))) if self._park_words else ()

    @functools.cached_property
    def _mentionable(self) -> re.Pattern[str] | None:
        words = {*self._district_words, *(a for aliases in self._aliases.values() for a in aliases if len(a) >= 2)}
        ordered = sorted(words, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def mention(self, norm: str) -> str | None:
        """The place words of normalised text run together ('白云' + '经开区' -> '白云经开区'), for resolve_park."""
        found = self._mentionable.findall(norm) if self._mentionable else []
        return "".join(dict.fromkeys(found)) or None

    @functools.cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """Any place name of the catalogue (Chinese, English or pinyin), case-insensitive: for the router."""
        chinese = {*self._district_words, *(a for p in self._places for a in p.short if len(a) >= 2)}
        latin = {n for p in self._places for n in (*p.english, *p.pinyin)}
        parts = [re.escape(w) for w in sorted(chinese, key=len, reverse=True)]
        parts += [_latin(w).pattern for w in sorted(latin, key=len, reverse=True)]
        return re.compile("|".join(parts), re.I) if parts else None

    def industries_in(self, text: str) -> tuple[str, ...]:
        """Industry stems of the lexicon named in the text, in Chinese or English."""
        norm = self.normalise(text)
        found = [s for s, _ in self.industries if s in norm]
        found += [s for s, pattern in self.industries if pattern and pattern.search(norm)]
        return tuple(dict.fromkeys(found))

    # ---- parks ----
    def park_scores(self, text: str) -> list[tuple[Park, int]]:
        """Parks named in the text with a score: longest alias matched; 1 for a district-only match."""
        norm = self.normalise(text)
        # Every place a name occurs: a name inside a longer one found at the same place (经开区 in 白云经开区) is
        # part of that name, not a mention of its own.
        found: list[tuple[int, int, Park, int]] = []  # start, end, park, score
        for park in self.parks:
            names = [(a.lower(), len(a)) for a in self._aliases[park.id] if a]
            if park.name_en:
                names.append((park.name_en.lower(), len(park.name_en)))
            names += [(d.lower(), 1) for d in {park.district, self.stem(park.district)} if d]
            for name, score in names:
                found += [(m.start(), m.end(), park, score) for m in re.finditer(re.escape(name), norm)]
        best: dict[str, tuple[Park, int]] = {}
        for start, end, park, score in found:
            if any(s <= start and end <= e and (e - s) > (end - start) for s, e, other, _ in found
                   if other.id != park.id):
                continue
            if score > best.get(park.id, (park, 0))[1]:
                best[park.id] = (park, score)
        return [best[p.id] for p in self.parks if p.id in best]

    def named_district(self, text: str, districts: Iterable[str]) -> str | None:
        """The one of ``districts`` that the text names, by its full name, stem or pinyin (观山湖区 / 观山湖 /
        Guanshanhu), longest first; None if it names none of them."""
        norm = self.normalise(text)
        for district in sorted(dict.fromkeys(d for d in districts if d), key=len, reverse=True):
            if district.lower() in norm or self.stem(district).lower() in norm:
                return district
        return None

    def resolve_park(self, text: str, prefer_priced: bool = False) -> Park | None:
        """The single park the text most likely means (ties: priced parks first when asked, then file order)."""
        scored = self.park_scores(text)
        if not scored:
            return None
        order = {p.id: i for i, p in enumerate(self.parks)}
        scored.sort(key=lambda ps: (-ps[1], prefer_priced and ps[0].land_price_yuan_m2 is None, order[ps[0].id]))
        return scored[0][0]
