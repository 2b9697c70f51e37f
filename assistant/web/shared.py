"""State every web worker must see alike, kept in the store's database (SQLite on one host, PostgreSQL for
several): conversations by session, staff login sessions, rate-limit buckets, login tries and answers in
progress per client, a shared secret, and leases for jobs that must run in one place.

Each operation is one short transaction; read-modify-writes that race between processes are single
``INSERT … ON CONFLICT`` statements (SQLite ≥ 3.35 and PostgreSQL read them alike), so no
row lock outlives a statement; none has ``RETURNING`` (a write's outcome is the rows it changed, see ``_run``).
Times are wall-clock seconds (``time.time``): processes share no monotonic clock."""

from __future__ import annotations

import functools
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Float, Integer, MetaData, String, Text, delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class SharedBase(DeclarativeBase):
    pass


class DialogueRow(SharedBase):
    __tablename__ = "dialogue_state"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    expires: Mapped[float] = mapped_column(Float, index=True)
    data: Mapped[str] = mapped_column(Text)  # JSON of the whole Conversation


class StaffSessionRow(SharedBase):
    __tablename__ = "staff_sessions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # a hash of the session id, not the id
    expires: Mapped[float] = mapped_column(Float, index=True)


class SecretRow(SharedBase):
    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class BucketRow(SharedBase):
    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float, index=True)
    # Not read: a take's outcome is whether its statement changed the row. Kept, as tables are never altered.
    allowed: Mapped[int] = mapped_column(Integer, default=1)


class AttemptRow(SharedBase):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[float] = mapped_column(Float, index=True)


class PlaceRow(SharedBase):
    """Places of one key taken now (a client's answers in progress, across workers)."""

    __tablename__ = "answer_places"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    taken: Mapped[int] = mapped_column(Integer, default=0)
    # When the count last started from nothing: the ticket of every place taken since, so a place given back
    # after its count lapsed and started again is not taken off the new count.
    since: Mapped[float] = mapped_column(Float)
    expires: Mapped[float] = mapped_column(Float, index=True)  # the count lapses then (a holder died)


class LeaseRow(SharedBase):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(120), default="")
    expires: Mapped[float] = mapped_column(Float, default=0.0)
    cancel: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the job's last reported state


CREATE_TRIES = 5
_ALREADY = re.compile(r"already exists|duplicate key", re.I)  # SQLite / PostgreSQL: made meanwhile by another


def create_tables(engine: Engine, metadata: MetaData) -> None:
    """``metadata``'s tables, made where missing. Workers starting together over one PostgreSQL database race
    (on one SQLite file they take turns: ``Store.from_url``): another may create a table between this one's
    check and its CREATE, which then fails; the next try finds it made."""
    for attempt in range(CREATE_TRIES):
        try:
            metadata.create_all(engine)
            return
        except DBAPIError as exc:
            if attempt == CREATE_TRIES - 1 or not _ALREADY.search(str(exc)):
                raise
            time.sleep(0.05 * (attempt + 1))


def create_shared_tables(engine: Engine) -> None:
    create_tables(engine, SharedBase.metadata)


@dataclass(frozen=True)
class Lease:
    owner: str
    expires: float
    cancel: bool
    data: dict[str, Any]

    def held(self, now: float) -> bool:
        return bool(self.owner) and self.expires > now


# The statements of every request (conversations, counters) run on the pool's own DBAPI connection: through
# SQLAlchemy's Connection each cost three times the statement's CPU (a claim and release 128 against 45 us on
# SQLite), and a worker runs four of them an answer. Written with :name parameters, which sqlite3 reads as
# they are and ``_driver_sql`` rewrites for psycopg. No write returns rows: on SQLite a statement with
# RETURNING keeps the file's write lock until its rows are read, after the thread has waited for the GIL again
# (see ``_run``). A write that may not happen says so in its WHERE, and its caller reads the rows it changed.
_LOAD_DIALOGUE = "SELECT version, data FROM dialogue_state WHERE session_id = :s AND expires > :now"
_SAVE_DIALOGUE = (
    "INSERT INTO dialogue_state (session_id, version, expires, data) VALUES (:s, 1, :e, :d) "
    "ON CONFLICT (session_id) DO UPDATE SET version = dialogue_state.version + 1, "
    "expires = excluded.expires, data = excluded.data")
_REFILLED = ("CASE WHEN rate_buckets.tokens + (:now - rate_buckets.at) * :rate > :burst THEN :burst "
             "ELSE rate_buckets.tokens + (:now - rate_buckets.at) * :rate END")
# A token taken, or nothing changed when there is none: a refused take leaves the bucket as it was, which holds
# what it would have set (``tokens`` refilled to ``:now`` is the same figure from either starting point).
_TAKE = (
    "INSERT INTO rate_buckets (key, tokens, at, allowed) VALUES (:key, :burst - 1, :now, 1) "
    f"ON CONFLICT (key) DO UPDATE SET tokens = {_REFILLED} - 1, at = :now WHERE {_REFILLED} >= 1")
_BUCKET = "SELECT tokens, at FROM rate_buckets WHERE key = :key"
_AFRESH = "(answer_places.expires <= :now OR answer_places.taken <= 0)"
_CLAIM = (
    "INSERT INTO answer_places (key, taken, since, expires) VALUES (:key, 1, :now, :expires) "
    f"ON CONFLICT (key) DO UPDATE SET taken = CASE WHEN {_AFRESH} THEN 1 ELSE answer_places.taken + 1 END, "
    f"since = CASE WHEN {_AFRESH} THEN :now ELSE answer_places.since END, expires = :expires "
    f"WHERE {_AFRESH} OR answer_places.taken < :most")
# A place's ticket is the time it was taken: given back only to a count begun at or before it, never to one
# begun afresh since (its holder died and the count lapsed).
_RELEASE = "UPDATE answer_places SET taken = taken - 1 WHERE key = :key AND since <= :since AND taken > 0"
_CLAIMED = "SELECT taken FROM answer_places WHERE key = :key AND expires > :now"
_NAMED = re.compile(r"(?<![:\w]):(\w+)")


@functools.lru_cache(maxsize=64)
def _driver_sql(sql: str, paramstyle: str) -> str:
    """``sql`` in the driver's parameter style: sqlite3 takes :name; psycopg %(name)s."""
    return sql if paramstyle == "named" else _NAMED.sub(r"%(\1)s", sql)


class SharedState:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._paramstyle = "named" if self._sqlite else "pyformat"

    def _one(self, sql: str, write: bool = True, **params: Any) -> Any:
        """The first row ``sql`` returns (None if none) in a transaction of its own, committed when ``write``."""
        return self._execute(sql, params, write)[0]

    def _changed(self, sql: str, **params: Any) -> int:
        """Rows the write ``sql`` changed, in a transaction of its own."""
        return self._execute(sql, params, True)[1]

    def _execute(self, sql: str, params: dict[str, Any], write: bool) -> tuple[Any, int]:
        conn = self.engine.raw_connection()  # back to the pool, rolled back, on close
        try:
            return self._run(conn, sql, params, write)
        except BaseException:
            try:
                conn.rollback()
            except Exception:
                conn.invalidate()  # broken: the pool opens another
            raise
        finally:
            conn.close()

    def _run(self, conn: Any, sql: str, params: dict[str, Any], write: bool) -> tuple[Any, int]:
        # A write on SQLite in autocommit mode: the statement is its own transaction, begun and committed inside
        # the one library call that runs it, during which this thread has let go of the GIL. With a BEGIN and a
        # COMMIT of its own, the thread held the file's write lock while it waited for the GIL in between (up
        # to a switch interval, and longer when the OS had not scheduled it): two workers' writes then waited
        # 50 ms on average for one another.
        autocommit = write and self._sqlite
        if autocommit:
            dbapi, level = conn.dbapi_connection, conn.dbapi_connection.isolation_level
            dbapi.isolation_level = None
        cursor = conn.cursor()
        try:
            cursor.execute(_driver_sql(sql, self._paramstyle), params)
            rows = cursor.fetchall() if cursor.description else []  # every row: the statement is done
            changed = cursor.rowcount
        finally:
            cursor.close()
            if autocommit:
                dbapi.isolation_level = level
        if write and not autocommit:
            conn.commit()
        return (rows[0] if rows else None), changed

    # ---- conversations ----
    def load_dialogue(self, session_id: str, now: float) -> tuple[int, dict[str, Any]] | None:
        row = self._one(_LOAD_DIALOGUE, write=False, s=session_id, now=now)
        return None if row is None else (int(row[0]), json.loads(row[1]))

    def save_dialogue(self, session_id: str, data: dict[str, Any], expires: float) -> int:
        """Saved; 0, no version: reading it back would hold SQLite's write lock (see ``_run``), so the next turn
        of this session in this worker decodes the stored state again (0.1 ms) instead of trusting its copy."""
        self._one(_SAVE_DIALOGUE, s=session_id, e=expires, d=json.dumps(data, ensure_ascii=False))
        return 0

    def forget_dialogues(self, session_ids: set[str]) -> int:
        if not session_ids:
            return 0
        with self.engine.begin() as conn:
            return conn.execute(delete(DialogueRow).where(DialogueRow.session_id.in_(session_ids))).rowcount

    def purge(self, now: float) -> None:
        """Drop what has expired: conversations, staff sessions, buckets idle a day, old login tries."""
        with self.engine.begin() as conn:
            conn.execute(delete(DialogueRow).where(DialogueRow.expires <= now))
            conn.execute(delete(StaffSessionRow).where(StaffSessionRow.expires <= now))
            conn.execute(delete(BucketRow).where(BucketRow.at <= now - 86400))
            conn.execute(delete(AttemptRow).where(AttemptRow.at <= now - 86400))
            conn.execute(delete(PlaceRow).where(PlaceRow.expires <= now - 86400))

    # ---- a secret every worker shares (the staff cookie's signing key) ----
    def secret(self, name: str) -> bytes:
        self._one("INSERT INTO app_secrets (name, value) VALUES (:n, :v) ON CONFLICT (name) DO NOTHING",
                  n=name, v=secrets.token_hex(32))
        with Session(self.engine) as session:
            row = session.get(SecretRow, name)
            assert row is not None  # inserted just above, or before by another worker
            return bytes.fromhex(row.value)

    # ---- staff sessions ----
    def add_session(self, key: str, expires: float, now: float) -> None:  # expired ones go in ``purge``
        with Session(self.engine) as session, session.begin():
            session.merge(StaffSessionRow(key=key, expires=expires))

    def session_expiry(self, key: str) -> float | None:
        with Session(self.engine) as session:
            row = session.get(StaffSessionRow, key)
            return None if row is None else row.expires

    def remove_session(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(StaffSessionRow).where(StaffSessionRow.key == key))

    # ---- counters ----
    def take(self, key: str, per_second: float, burst: int, now: float) -> float:
        """A token bucket in one statement: 0.0 when a token was taken, else seconds until one is free (read
        after the refusal: another worker's take meanwhile only makes the wait longer)."""
        if self._changed(_TAKE, key=key, rate=per_second, burst=float(burst), now=now):
            return 0.0
        row = self._one(_BUCKET, write=False, key=key)
        if row is None:  # purged meanwhile: a whole token's time
            return 1.0 / per_second
        tokens = min(float(burst), float(row[0]) + (now - float(row[1])) * per_second)
        return max(1.0 - tokens, 1e-6) / per_second

    def attempt(self, key: str, most: int, window_s: float, now: float) -> int | None:
        """Count a try against ``key``: its ticket, or None (not counted) when ``most`` tries of the last
        ``window_s`` are already counted. Inserted first, then counted: of racing tries, none is missed."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(AttemptRow).where(AttemptRow.key == key, AttemptRow.at <= now - window_s))
            row = AttemptRow(key=key, at=now)
            session.add(row)
            session.flush()
            ticket = row.id
        with Session(self.engine) as session:
            counted = session.scalar(select(func.count()).select_from(AttemptRow).where(
                AttemptRow.key == key, AttemptRow.at > now - window_s)) or 0
        if counted > most:
            self.give_back(ticket)
            return None
        return ticket

    def attempts(self, key: str, window_s: float, now: float) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(AttemptRow).where(
                AttemptRow.key == key, AttemptRow.at > now - window_s)) or 0

    def claim(self, key: str, most: int, ttl_s: float, now: float) -> float | None:
        """Take one of ``most`` places of ``key`` in one statement (the row's lock orders racing takers): ``now``
        as the ticket, or None when all are taken. The count lapses ``ttl_s`` after its last take."""
        return now if self._changed(_CLAIM, key=key, most=most, now=now, expires=now + ttl_s) else None

    def release(self, key: str, ticket: float) -> None:
        self._one(_RELEASE, key=key, since=ticket)

    def claimed(self, key: str, now: float) -> int:
        row = self._one(_CLAIMED, write=False, key=key, now=now)
        return 0 if row is None else max(0, int(row[0]))

    def give_back(self, ticket: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(AttemptRow).where(AttemptRow.id == ticket))

    # ---- leases: one holder at a time, taken over once it has expired ----
    def acquire(self, name: str, owner: str, ttl_s: float, now: float, data: dict[str, Any]) -> bool:
        return self._changed("INSERT INTO leases (name, owner, expires, cancel, data) VALUES (:n, :o, :e, 0, :d) "
                             "ON CONFLICT (name) DO UPDATE SET owner = :o, expires = :e, cancel = 0, data = :d "
                             "WHERE leases.expires <= :now OR leases.owner = :o",
                             n=name, o=owner, e=now + ttl_s, d=json.dumps(data), now=now) > 0

    def renew(self, name: str, owner: str, ttl_s: float, now: float, data: dict[str, Any],
              release: bool = False) -> bool:
        """Extend (or with ``release`` end) the lease with the holder's latest state; False if not its holder."""
        return self._changed("UPDATE leases SET expires = :e, data = :d WHERE name = :n AND owner = :o",
                             n=name, o=owner, e=0.0 if release else now + ttl_s, d=json.dumps(data)) > 0

    def lease(self, name: str) -> Lease | None:
        with Session(self.engine) as session:
            row = session.get(LeaseRow, name)
            if row is None:
                return None
            return Lease(row.owner, row.expires, bool(row.cancel), json.loads(row.data or "{}"))

    def request_cancel(self, name: str, now: float) -> bool:
        return self._changed("UPDATE leases SET cancel = 1 WHERE name = :n AND expires > :now", n=name, now=now) > 0
