"""ChatService and the extractive path: dialogue, routing, sentence choice, composer, grounding."""

from __future__ import annotations

from assistant.answering.catalog import Catalog
from assistant.answering.composer import source_ref
from assistant.answering.composers import Composer, Event, ExtractiveComposer, pieces
from assistant.answering.grounding import ungrounded_numbers
from assistant.answering.listing_parts import Part, factory_part, park_part, with_sample_note
from assistant.answering.matching_turn import MatchingTurn
from assistant.answering.messages import say
from assistant.answering.service import ChatService

__all__ = ["Catalog", "ChatService", "Composer", "Event", "ExtractiveComposer", "MatchingTurn", "Part", "factory_part", "park_part", "pieces", "say", "source_ref", "ungrounded_numbers", "with_sample_note"]
