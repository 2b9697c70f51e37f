"""What the web surfaces keep: leads, answer feedback and the conversation log (SQLAlchemy 2.x).

SQLite in the data folder by default (WAL and a busy timeout, so concurrent requests queue instead of
failing), any other database by URL (``ZST_WEB__DATABASE_URL``). Every write commits before it returns:
a lead the page confirmed is on disk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
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
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from assistant.settings import Settings

SQLITE_FILE = "assistant.sqlite3"
BUSY_TIMEOUT_S = 30


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
                  ("conversations", "topic", "VARCHAR(32)"))


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
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the one writer
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL keeps committed data safe across a crash of the app
    cursor.close()


def _with_driver(url: str) -> str:
    """A plain postgres URL names the psycopg (3) driver we ship, not SQLAlchemy's default psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    url = _with_driver(url)
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _row(obj: Base) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs}


@dataclass
class Store:
    engine: Engine

    @classmethod
    def from_url(cls, url: str) -> Store:
        store = cls(make_engine(url))
        Base.metadata.create_all(store.engine)
        _add_missing_columns(store.engine)
        return store

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls.from_url(database_url(settings))

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
        return new_id

    # ---- writes ----
    def add_lead(self, *, name: str, company: str = "", phone: str = "", email: str = "", interest: str = "",
                 message: str = "", session_id: str | None = None) -> int:
        return self._add(Lead(name=name, company=company, phone=phone, email=email, interest=interest,
                              message=message, session_id=session_id))

    def add_feedback(self, *, question: str, answer: str, rating: int, comment: str = "",
                     session_id: str | None = None) -> int:
        if rating not in (-1, 1):
            raise ValueError("rating must be 1 or -1")
        return self._add(Feedback(question=question, answer=answer, rating=rating, comment=comment,
                                  session_id=session_id))

    def log_turn(self, *, session_id: str, question: str, answer: str, status: str, language: str,
                 sources: list[dict[str, Any]], confidence: float | None = None,
                 intents: list[str] | None = None, topic: str | None = None) -> int:
        return self._add(ConversationTurn(session_id=session_id, question=question, answer=answer,
                                          status=status, language=language, sources=sources,
                                          confidence=confidence, intents=intents, topic=topic or None))

    # ---- reads (staff console, tests) ----
    def _list(self, model: type[Base], limit: int, session_id: str | None = None) -> list[dict[str, Any]]:
        query = select(model).order_by(model.id.desc()).limit(limit)  # type: ignore[attr-defined]
        if session_id is not None:
            query = query.where(model.session_id == session_id)  # type: ignore[attr-defined]
        with Session(self.engine) as session:
            return [_row(obj) for obj in session.scalars(query)]

    def leads(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._list(Lead, limit)

    def feedback(self, limit: int = 100, session_id: str | None = None) -> list[dict[str, Any]]:
        return self._list(Feedback, limit, session_id)

    def conversations(self, limit: int = 100, session_id: str | None = None) -> list[dict[str, Any]]:
        return self._list(ConversationTurn, limit, session_id)
