"""Parks and standard factories from the listing files: records, park matching and factory search."""

from __future__ import annotations

from assistant.listings.records import (
    PLACE_SYNONYMS,
    SAMPLE_ZH,
    Factory,
    Park,
    district_stem,
    factory_from_row,
    format_number,
    load_factories,
    load_parks,
    named_district,
    normalise_place_text,
    park_aliases,
    park_from_row,
    park_scores,
    resolve_park,
)
from assistant.listings.search import (
    DISTRICTS,
    FACTORY_ID,
    NUMBER,
    PARK_KEYWORDS,
    FactoryQuery,
    describe,
    find_parks,
    parse_requirements,
    search_factories,
)

__all__ = ["DISTRICTS", "FACTORY_ID", "Factory", "FactoryQuery", "NUMBER", "PARK_KEYWORDS", "PLACE_SYNONYMS", "Park", "SAMPLE_ZH", "describe", "district_stem", "factory_from_row", "find_parks", "format_number", "load_factories", "load_parks", "named_district", "normalise_place_text", "park_aliases", "park_from_row", "park_scores", "parse_requirements", "resolve_park", "search_factories"]
