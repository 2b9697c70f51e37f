"""Answers built from the structured listings: factory searches and park facts, each row cited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.answering.catalog import Catalog
from assistant.answering.composer import SAMPLE_NOTE, plain_sentence, source_ref
from assistant.chat_types import SourceRef
from assistant.listings import (
    Factory,
    FactoryQuery,
    describe,
    find_parks,
    format_number,
    parse_requirements,
    search_factories,
    tolerance_note,
)


@dataclass
class Part:
    """A piece of an answer with its own sources; [n] markers are local and renumbered on merge."""

    text: str
    sources: list[SourceRef] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)
    factory_ids: tuple[str, ...] = ()
    working: list[str] = field(default_factory=list)
    sample: bool = False
    intent: str = ""  # what produced it: listing, park, calculation, policy, contact


def _row(f: Factory, lang: str) -> dict[str, Any]:
    return {"id": f.id, "park": f.park_name(lang), "district": f.district_name(lang),
            "building": f"{f.building_name(lang)} {f.floor_name(lang)}".strip(),
            "area_m2": f.area_m2, "clear_height_m": f.clear_height_m, "floor_load_t_m2": f.floor_load_t_m2,
            "power_kva": f.power_kva, "rent_yuan_m2_month": f.rent_yuan_m2_month,
            "sale_price_yuan_m2": f.sale_price_yuan_m2, "status": f.status_text(lang), "sample": f.sample}


def factory_part(text: str, catalog: Catalog, lang: str, ids: tuple[str, ...] = ()) -> Part | None:
    if not catalog.factories:
        return None
    query = parse_requirements(text, catalog.places)
    if ids and not query.ids:
        query = FactoryQuery(ids=ids)
    result = search_factories(catalog.factories, query, catalog.places)
    sources: list[SourceRef] = []
    lines: list[str] = []

    def cite(f: Factory) -> int:
        chunk = catalog.row_chunk(f.id, lang)
        if chunk is None:
            return 0
        sources.append(source_ref(chunk, chunk.text))
        return len(sources)

    def line(f: Factory, extra: str = "") -> str:
        n = cite(f)
        # The sample remark of each row is said once, by the answer's badge and note.
        return f"- {plain_sentence(describe(f, lang))}{extra}" + (f"[{n}]" if n else "")

    searched = tolerance_note(query.asked, lang)  # an 'about' figure is said as asked, its widening in words
    if result.matches:
        lines.append(("符合条件的标准厂房" + (f"（{searched}）" if searched else "") + "：") if lang == "zh"
                     else "Standard factories that match" + (f" ({searched})" if searched else "") + ":")
        lines += [line(f) for f in result.matches[:8]]
    for f in result.leased:
        lines.append((f"{f.id} 已出租，暂不可租。" if lang == "zh" else f"{f.id} is already leased and not available.")
                     + (f"[{n}]" if (n := cite(f)) else ""))
    if not result.matches:
        if query.ids:
            lines.append("可考虑以下类似的可租厂房：" if lang == "zh" else "Similar units that are available:")
        else:
            lines.append(("没有完全符合条件的厂房" + (f"（{searched}）" if searched else "") + "，最接近的选择：")
                         if lang == "zh" else "No unit meets every requirement"
                         + (f" ({searched})" if searched else "") + "; the nearest alternatives:")
        for alt in result.nearest:
            if query.ids:  # alternatives to a named unit: its own figures are shown, derived ranges are not
                lines.append(line(alt.factory))
                continue
            misses = "；".join(m.zh for m in alt.misses) if lang == "zh" else "; ".join(m.en for m in alt.misses)
            lines.append(line(alt.factory, f"（{misses}）" if lang == "zh" else f" ({misses})"))
    shown = result.matches[:8] + [a.factory for a in result.nearest]
    # How the search read the request (about 2000 m2: 1600-2400, ±20%) is its working: figures of ours, not a row's.
    working = [searched] if searched else []
    working += [m.zh if lang == "zh" else m.en for a in result.nearest for m in a.misses]
    return Part("\n".join(lines), sources, [_row(f, lang) for f in shown], tuple(f.id for f in shown + result.leased),
                working=working, sample=any(f.sample for f in shown), intent="listing")


def park_part(text: str, catalog: Catalog, lang: str) -> Part | None:
    parks = find_parks(catalog.places, text)
    if not parks:
        return None
    sources: list[SourceRef] = []
    lines: list[str] = []
    for park in parks[:6]:
        chunk = catalog.row_chunk(park.id, lang)
        marker = ""
        if chunk is not None:
            sources.append(source_ref(chunk, chunk.text))
            marker = f"[{len(sources)}]"
        n = format_number
        industries = park.industry_names(lang, catalog.places.industry_labels)
        if lang == "zh":
            price = (f"{n(park.land_price_yuan_m2)}元/㎡（{n(park.land_price_wan_mu)}万元/亩）" if park.land_price_yuan_m2
                     else plain_sentence(park.land_price_note))
            lines.append(f"- {park.name}（{park.district}，{park.level}）：主导产业{'、'.join(industries)}；"
                         f"工业用地{price}{marker}")
            continue
        note = plain_sentence(park.price_note(lang)) if park.price_note(lang) else ""
        price = (f"industrial land {n(park.land_price_yuan_m2)} yuan/m2 ({n(park.land_price_wan_mu)} 10k yuan/mu)"
                 if park.land_price_yuan_m2 else "no listed industrial land price" + (f": {note}" if note else ""))
        lines.append(f"- {park.display_name(lang)} ({park.district_name(lang)}): {park.level_name(lang)} park; "
                     f"{', '.join(industries)}; {price}{marker}")
    return Part("\n".join(lines), sources, sample=any(p.sample for p in parks[:6]), intent="park")


def with_sample_note(text: str, sample: bool, lang: str) -> str:
    return text + ("\n" + SAMPLE_NOTE[lang] if sample and SAMPLE_NOTE[lang] not in text else "")
