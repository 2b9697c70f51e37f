"""What a turn of conversation returns, to every surface (CLI, API, web page, widget, staff console)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["answered", "no_answer", "out_of_scope"]


@dataclass(frozen=True)
class SourceRef:
    """One citation: [n] in the answer text points at sources[n-1]."""

    title: str
    locator: str  # 第五条, p.3 / F-003 / rule id
    text: str  # the excerpt shown to the user
    doc_id: str = ""
    page: int = 0
    kind: str = "policy"
    language: str = "zh"
    sample: bool = False
    highlight: str = ""  # the answering sentence inside ``text``
    effective: str = ""  # the date the document takes effect (YYYY-MM-DD), from its metadata


@dataclass(frozen=True)
class Candidate:
    """A retrieval candidate with its scores, for the staff console and the benchmarks."""

    chunk_id: str
    doc_id: str
    title: str
    locator: str
    score: float
    dense: float | None = None
    lexical: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass
class Answer:
    answer: str
    status: Status
    language: str
    sources: list[SourceRef] = field(default_factory=list)
    handoff: bool = False
    intents: list[str] = field(default_factory=list)
    confidence: float = 0.0
    candidates: list[Candidate] = field(default_factory=list)  # ranked retrieval candidates
    table: list[dict[str, Any]] = field(default_factory=list)  # factory / park rows shown as a table
    working: list[str] = field(default_factory=list)  # calculator steps
    notices: list[str] = field(default_factory=list)  # e.g. sample-data notice, LLM fallback notice
    mode: str = "extractive"
    topic: str = ""  # land, electricity, factories…: what the answer is about, for the staff console

    def __post_init__(self) -> None:
        # A confidence is a share in [0, 1]; the service's coverage plus retrieval.agreement_bonus (both
        # retrievers agreeing) could reach 1.1. Clamped here, where every answer's confidence is set.
        self.confidence = min(1.0, max(0.0, float(self.confidence)))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def public_dict(self, question_id: str | None = None) -> dict[str, Any]:
        """The CLI / API shape: id, answer, status, handoff, language, sources[{title, locator, text}]."""
        out: dict[str, Any] = {"id": question_id} if question_id is not None else {}
        out |= {"answer": self.answer, "status": self.status, "handoff": self.handoff, "language": self.language,
                "sources": [{"title": s.title, "locator": s.locator, "text": s.text} for s in self.sources]}
        return out
