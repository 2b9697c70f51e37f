"""What the web surfaces keep: leads, answer feedback and the conversation log (SQLAlchemy 2.x).

SQLite in the data folder by default (WAL and a busy timeout, so concurrent requests queue instead of
failing), any other database by URL (``ZST_WEB__DATABASE_URL``). Every write commits before it returns:
a lead the page confirmed is on disk."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Engine,
    Float,
    SmallInteger,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from assistant.settings import Settings
from assistant.web.shared import SharedState, create_shared_tables, create_tables
from assistant.web.sqlite_setup import one_at_a_time

log = logging.getLogger(__name__)
SQLITE_FILE = "assistant.sqlite3"
BUSY_TIMEOUT_S = 30
DEFAULT_POOL = 16  # web.database_pool
_PHONE_NOISE = re.compile(r"[\s\-()]")  # as schemas.valid_phone ignores them


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Lead(Base):
    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    company: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    interest: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    session_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    # The version of the consent text the form showed, and when it was sent; NULL for leads sent without one.
    consent_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    consented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The investment brief (a policy match, one HTML page) the investor had when leaving the lead. Deferred: lists
    # of leads do not load it; it goes with the lead (retention, erasure).
    brief_html: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint("rating IN (-1, 1)", name="rating_is_plus_or_minus_one"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    session_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


class ConversationTurn(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    # For the staff console's knowledge gaps; NULL in rows logged before these columns existed.
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    intents: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    topic: Mapped[str | None] = mapped_column(String(32), nullable=True)


# Columns added after the first release: (table, column, SQL type). create_all never alters a table.
_ADDED_COLUMNS = (("conversations", "confidence", "FLOAT"), ("conversations", "intents", "JSON"),
                  ("conversations", "topic", "VARCHAR(32)"), ("leads", "consent_version", "VARCHAR(40)"),
                  ("leads", "consented_at", "TIMESTAMP WITH TIME ZONE"), ("leads", "brief_html", "TEXT"))


def _add_missing_columns(engine: Engine) -> None:
    existing = inspect(engine)
    for table, column, sql_type in _ADDED_COLUMNS:
        if column not in {c["name"] for c in existing.get_columns(table)}:
            with engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))


def database_url(settings: Settings) -> str:
    return settings.web.database_url or f"sqlite:///{(settings.data_dir / SQLITE_FILE).resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Readers never block the one writer. On a new file this writes, with no busy wait: see ``sqlite_setup``.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL keeps committed data safe across a crash of the app
    cursor.close()


def _with_driver(url: str) -> str:
    """A plain postgres URL names the psycopg (3) driver we ship, not SQLAlchemy's default psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, pool_size: int = DEFAULT_POOL) -> Engine:
    """An engine keeping ``pool_size`` connections open, and opening up to twice as many more at a peak. Every
    thread waiting for SQLite's write lock holds a connection meanwhile: with SQLAlchemy's 5 kept, a burst of
    requests on a shared-state worker opened and closed one every seventh answer, and the opening (its
    pragmas) cost a fifth of an answer's CPU."""
    url = _with_driver(url)
    pooled: dict[str, Any] = {"pool_size": pool_size, "max_overflow": 2 * pool_size}
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        else:
            pooled = {}  # an in-memory database is one connection's
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, **pooled)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **pooled)


def _row(obj: Base) -> dict[str, Any]:
    unloaded = inspect(obj).unloaded  # deferred columns (a lead's brief) stay out of lists
    return {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs if c.key not in unloaded}


@dataclass(frozen=True)
class Retention:
    """How long personal data is kept (settings.privacy), and how often expired rows are looked for."""

    lead_days: int
    conversation_days: int
    every_s: float = 3600.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        p = settings.privacy
        return cls(p.lead_retention_days, p.conversation_retention_days, p.purge_every_minutes * 60)


@dataclass(frozen=True)
class Erased:
    """What one erasure (or purge) deleted: rows per table."""

    leads: int = 0
    conversations: int = 0
    feedback: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"leads": self.leads, "conversations": self.conversations, "feedback": self.feedback}


def _phone_key(value: str) -> str:
    return _PHONE_NOISE.sub("", value).removeprefix("+86")


@dataclass
class Store:
    engine: Engine
    retention: Retention | None = None  # None: rows are kept until deleted (tests of old rows, benchmarks)
    _next_purge: float = field(default=0.0, repr=False)
    _purge_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_url(cls, url: str, retention: Retention | None = None, pool_size: int = DEFAULT_POOL) -> Store:
        store = cls(make_engine(url, pool_size), retention)
        with one_at_a_time(store.engine):  # workers starting together on one new SQLite file: in turn
            create_tables(store.engine, Base.metadata)  # the first connection: the file switched to WAL
            create_shared_tables(store.engine)
            _add_missing_columns(store.engine)
        return store

    @classmethod
    def from_settings(cls, settings: Settings, purge: bool = True) -> Store:
        """The configured store; ``purge``: delete what expired while the app was down, first thing."""
        store = cls.from_url(database_url(settings), Retention.from_settings(settings), settings.web.database_pool)
        if purge:
            store.purge_if_due()
        return store

    @property
    def shared(self) -> SharedState:
        """What the web workers share through this database (conversations, logins, counters, leases)."""
        return SharedState(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def _add(self, row: Base) -> int:
        with Session(self.engine) as session, session.begin():  # commits on leaving the block
            session.add(row)
            session.flush()
            new_id: int = row.id  # type: ignore[attr-defined]
        self.purge_if_due()
        return new_id

    # ---- retention and erasure ----
    def purge_if_due(self) -> Erased | None:
        """Delete expired rows when the last purge is older than ``retention.every_s`` (cheap otherwise: a
        clock read), so a running app keeps to its retention periods without a scheduler."""
        if self.retention is None or time.monotonic() < self._next_purge:
            return None
        with self._purge_lock:
            if time.monotonic() < self._next_purge:
                return None
            self._next_purge = time.monotonic() + self.retention.every_s
        try:
            return self.purge_expired()
        except Exception:  # a purge that fails must not cost the visitor the lead or answer just stored
            log.exception("could not delete expired personal data")
            return None

    def purge_expired(self, now: datetime | None = None) -> Erased:
        """Delete leads older than the lead retention, conversation turns and feedback older than theirs."""
        if self.retention is None:
            return Erased()
        now = now or _now()
        lead_cut = now - timedelta(days=self.retention.lead_days)
        talk_cut = now - timedelta(days=self.retention.conversation_days)
        with Session(self.engine) as session, session.begin():
            counts = [session.execute(delete(model).where(model.created < cut)).rowcount  # type: ignore[attr-defined]
                      for model, cut in ((Lead, lead_cut), (ConversationTurn, talk_cut), (Feedback, talk_cut))]
        self.shared.purge(time.time())  # conversation state, staff sessions, counters past their time
        erased = Erased(*counts)
        if any(counts):
            log.info("deleted expired personal data: %s", erased.to_dict())
        return erased

    def _visitor(self, session: Session, lead_id: int | None, session_id: str | None,
                 contact: str | None) -> tuple[list[Lead], set[str]]:
        """The leads of one visitor and the conversation ids tied to them: found by lead number, session id,
        or phone / e-mail (phones compared without spaces and dashes, e-mails without case)."""
        terms = []
        if lead_id is not None:
            terms.append(Lead.id == lead_id)
        if session_id:
            terms.append(Lead.session_id == session_id)
        if contact:
            phone = Lead.phone
            for noise in (" ", "-", "(", ")", "+86"):
                phone = func.replace(phone, noise, "")  # type: ignore[assignment]
            key = _phone_key(contact)
            terms += [func.lower(Lead.email) == contact.lower()] + ([phone == key] if key else [])
        leads = list(session.scalars(select(Lead).where(or_(*terms)))) if terms else []
        sessions = {x.session_id for x in leads if x.session_id} | ({session_id} if session_id else set())
        if sessions:  # every lead sent from those conversations is the same visitor's
            leads += [x for x in session.scalars(select(Lead).where(Lead.session_id.in_(sessions)))
                      if x.id not in {y.id for y in leads}]
        return leads, sessions

    def find_visitor(self, *, lead_id: int | None = None, session_id: str | None = None,
                     contact: str | None = None) -> dict[str, Any]:
        """What ``erase_visitor`` with the same arguments would delete: the leads, session ids and row counts."""
        with Session(self.engine) as session:
            leads, sessions = self._visitor(session, lead_id, session_id, contact)
            turns = session.scalar(select(func.count()).select_from(ConversationTurn).where(
                ConversationTurn.session_id.in_(sessions))) if sessions else 0
            votes = session.scalar(select(func.count()).select_from(Feedback).where(
                Feedback.session_id.in_(sessions))) if sessions else 0
            return {"leads": [_row(x) for x in sorted(leads, key=lambda x: x.id)], "sessions": sorted(sessions),
                    "conversations": turns or 0, "feedback": votes or 0}

    def erase_visitor(self, *, lead_id: int | None = None, session_id: str | None = None,
                      contact: str | None = None) -> Erased:
        """Delete one visitor's leads, logged conversations and feedback (a request to erase their data)."""
        with Session(self.engine) as session, session.begin():
            leads, sessions = self._visitor(session, lead_id, session_id, contact)
            gone = len(leads)
            for lead in leads:
                session.delete(lead)
            turns = votes = 0
            if sessions:
                turns = session.execute(delete(ConversationTurn).where(
                    ConversationTurn.session_id.in_(sessions))).rowcount  # type: ignore[attr-defined]
                votes = session.execute(delete(Feedback).where(
                    Feedback.session_id.in_(sessions))).rowcount  # type: ignore[attr-defined]
        self.shared.forget_dialogues(sessions)  # the follow-up context kept for those sessions too
        return Erased(gone, turns, votes)

    # ---- writes ----
    def add_lead(self, *, name: str, company: str = "", phone: str = "", email: str = "", interest: str = "",
                 message: str = "", session_id: str | None = None, consent_version: str | None = None,
                 brief_html: str | None = None) -> int:
        """A lead; with ``consent_version`` (the consent text the form showed) the time of consent is now;
        ``brief_html``: the investment brief it comes with."""
        return self._add(Lead(name=name, company=company, phone=phone, email=email, interest=interest,
                              message=message, session_id=session_id, consent_version=consent_version or None,
                              consented_at=_now() if consent_version else None, brief_html=brief_html or None))

    def add_feedback(self, *, question: str, answer: str, rating: int, comment: str = "",
                     session_id: str | None = None) -> int:
        if rating not in (-1, 1):
            raise ValueError("rating must be 1 or -1")
        return self._add(Feedback(question=question, answer=answer, rating=rating, comment=comment,
                                  session_id=session_id))

    def log_turn(self, *, session_id: str, question: str, answer: str, status: str, language: str,
                 sources: list[dict[str, Any]], confidence: float | None = None,
                 intents: list[str] | None = None, topic: str | None = None) -> int:
        # A Core insert, not an ORM session: this runs after every answer, and the ORM's unit of work costs
        # three times the statement (0.35 against 0.1 ms of CPU). Autocommit: the insert is its own transaction, so
        # SQLite's write lock is not held while the thread waits for the GIL before a COMMIT (``SharedState._run``).
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            new_id = conn.execute(insert(ConversationTurn), {
                "session_id": session_id, "question": question, "answer": answer, "status": status,
                "language": language, "sources": sources, "confidence": confidence, "intents": intents,
                "topic": topic or None}).inserted_primary_key[0]
        self.purge_if_due()
        return int(new_id)

    # ---- reads (staff console, tests) ----
    def _list(self, model: type[Base], limit: int, session_id: str | None = None) -> list[dict[str, Any]]:
        query = select(model).order_by(model.id.desc()).limit(limit)  # type: ignore[attr-defined]
        if session_id is not None:
            query = query.where(model.session_id == session_id)  # type: ignore[attr-defined]
        with Session(self.engine) as session:
            return [_row(obj) for obj in session.scalars(query)]

    def leads(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest leads; ``has_brief`` says whether one came with an investment brief."""
        rows = self._list(Lead, limit)
        with Session(self.engine) as session:
            briefs = set(session.scalars(select(Lead.id).where(Lead.id.in_([r["id"] for r in rows]),
                                                               Lead.brief_html.is_not(None))))
        return [r | {"has_brief": r["id"] in briefs} for r in rows]

    def lead_brief(self, lead_id: int) -> str | None:
        with Session(self.engine) as session:
            return session.scalar(select(Lead.brief_html).where(Lead.id == lead_id))

    def feedback(self, limit: int = 100, session_id: str | None = None) -> list[dict[str, Any]]:
        return self._list(Feedback, limit, session_id)

    def conversations(self, limit: int = 100, session_id: str | None = None) -> list[dict[str, Any]]:
        return self._list(ConversationTurn, limit, session_id)
