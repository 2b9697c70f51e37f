"""Parks and standard factories from the listing files: records, the place catalogue and factory search."""

from __future__ import annotations

from assistant.listings.asked import Asked, tolerance_note
from assistant.listings.places import Place, Places, pinyin_forms
from assistant.listings.records import (
    LEVEL_EN,
    SAMPLE_EN,
    SAMPLE_ZH,
    Factory,
    Park,
    english_term,
    english_terms,
    factory_from_row,
    format_number,
    load_factories,
    load_parks,
    park_from_row,
)
from assistant.listings.search import (
    FACTORY_ID,
    NUMBER,
    FactoryQuery,
    describe,
    detect_industries,
    find_parks,
    parse_requirements,
    search_factories,
)

__all__ = ["Asked", "FACTORY_ID", "Factory", "FactoryQuery", "LEVEL_EN", "NUMBER", "Park", "Place", "Places", "SAMPLE_EN", "SAMPLE_ZH", "describe", "detect_industries", "english_term", "english_terms", "factory_from_row", "find_parks", "format_number", "load_factories", "load_parks", "park_from_row", "parse_requirements", "pinyin_forms", "search_factories", "tolerance_note"]
