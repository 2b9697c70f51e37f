"""What the staff console shows, as plain data: candidate rows, knowledge gaps by topic, the leads CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from assistant.chat_types import Candidate
from assistant.web.store import Store

LEAD_COLUMNS = ("id", "created", "name", "company", "phone", "email", "interest", "message", "session_id",
                "consent_version", "consented_at")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as a formula
TOPIC_INTENTS = ("calculation", "listing", "park", "policy", "handoff")  # most specific first
NOT_GAPS = {"smalltalk", "out_of_scope", "injection"}
GAP_SCAN = 5000  # the latest turns and feedback considered


def found_by(c: Candidate) -> str:
    dense, lexical = c.dense_rank is not None, c.lexical_rank is not None
    return "both" if dense and lexical else "dense" if dense else "lexical" if lexical else "—"


def candidate_rows(candidates: list[Candidate]) -> list[dict[str, Any]]:
    return [{"rank": i, "title": c.title, "locator": c.locator, "doc_id": c.doc_id, "chunk_id": c.chunk_id,
             "score": c.score, "dense": c.dense, "dense_rank": c.dense_rank, "lexical": c.lexical,
             "lexical_rank": c.lexical_rank, "found_by": found_by(c)} for i, c in enumerate(candidates, start=1)]


# ---- knowledge gaps ----
def topic_of(intents: list[str] | None, topic: str | None = None) -> str:
    """The answer's subject (land, electricity…) when logged; older rows fall back to the router's intent."""
    return topic or next((i for i in TOPIC_INTENTS if i in (intents or [])), "other")


@dataclass
class GapGroup:
    topic: str
    count: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    questions: Counter[str] = field(default_factory=Counter)  # question -> how often it came up

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "count": self.count, "reasons": dict(self.reasons),
                "questions": [{"question": q, "count": n} for q, n in self.questions.most_common()]}


def gap_reason(turn: dict[str, Any], low: float) -> str | None:
    intents = turn.get("intents") or []
    if NOT_GAPS & set(intents) or turn["status"] == "out_of_scope":
        return None
    if turn["status"] == "no_answer":
        return "no_answer"
    confidence = turn.get("confidence")
    if confidence is not None and confidence < low and "handoff" not in intents:
        return "low_confidence"
    return None


def knowledge_gaps(store: Store, low: float) -> list[GapGroup]:
    """Unanswered and low-confidence questions and thumbs-down answers, grouped by topic, biggest first."""
    turns = store.conversations(limit=GAP_SCAN)
    turn_of = {(t["session_id"], t["question"]): t for t in reversed(turns)}
    groups: dict[str, GapGroup] = {}

    def add(topic: str, reason: str, question: str) -> None:
        group = groups.setdefault(topic, GapGroup(topic))
        group.count += 1
        group.reasons[reason] += 1
        group.questions[" ".join(question.split())] += 1

    for turn in turns:
        reason = gap_reason(turn, low)
        if reason:
            add(topic_of(turn.get("intents"), turn.get("topic")), reason, turn["question"])
    for fb in store.feedback(limit=GAP_SCAN):
        if fb["rating"] == -1:
            turn = turn_of.get((fb["session_id"], fb["question"]), {})
            add(topic_of(turn.get("intents"), turn.get("topic")), "negative_feedback", fb["question"])
    return sorted(groups.values(), key=lambda g: (-g.count, g.topic))


# ---- leads CSV ----
def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe."""
    text = "" if value is None else value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def leads_csv(leads: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LEAD_COLUMNS)
    for lead in leads:
        writer.writerow([csv_cell(lead.get(k)) for k in LEAD_COLUMNS])
    return "\ufeff" + out.getvalue()  # the BOM makes Excel read the Chinese text as UTF-8
