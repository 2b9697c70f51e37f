"""What web workers share through the database, with two objects standing for two workers over one real
database: SQLite in tmp_path (every test), and the same checks on a throwaway PostgreSQL server (slow)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from assistant import jsonstate
from assistant.answering.dialogue import Conversation, ConversationStore, Turn
from assistant.calculators import CalcRequest
from assistant.jsonstate import StateError, decode, encode
from assistant.web.answer_runner import AnswerRunner, TooManyAnswers
from assistant.web.rate_limit import DatabaseCounters, Limit, RateLimiter
from assistant.web.shared import SharedState
from assistant.web.staff_auth import StaffAuth, TokenHash, TooManyAttempts
from assistant.web.store import Store
from tests.conftest import ROOT
from tests.pg_server import REQUIRE_ENV, postgres_server, server_bin_dir


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store.from_url(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
        yield s
        s.close()
        return
    if server_bin_dir() is None:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail("PostgreSQL server not installed")
        pytest.skip("PostgreSQL server not installed (make test installs Debian's postgresql)")
    with postgres_server() as url:
        s = Store.from_url(url)
        yield s
        s.close()


# ---- the generic JSON state ----
class Profile(BaseModel):  # stands for a field another module may add to Conversation later
    industry: str
    area_mu: float | None = None


@dataclasses.dataclass
class Extra:
    when: date
    tags: frozenset[str]
    counts: dict[int, tuple[str, ...]]


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test module's classes may be rebuilt too (the project's own are by default)."""
    monkeypatch.setattr(jsonstate, "PACKAGES", (*jsonstate.PACKAGES, __name__))


def test_state_round_trips_dataclasses_models_tuples_and_sets(here: None) -> None:
    value = [Extra(date(2026, 11, 25), frozenset({"a", "b"}), {3: ("x", "y")}), Profile(industry="电池材料")]
    assert decode(encode(value)) == value
    calc = CalcRequest("power_bill", {"kwh": 1000.0, "voltage": "10kV"}, ("区县",))
    assert decode(encode(calc)) == calc


def test_state_refuses_what_it_cannot_rebuild() -> None:
    with pytest.raises(StateError):
        encode(lambda: None)
    with pytest.raises(StateError):  # stored data names a class outside this project
        decode({"__dc": "subprocess:Popen", "f": {}})


# ---- conversations: two stores, one database ----
def _turn(question: str, places: tuple[str, ...] = ()) -> Turn:
    return Turn(question, question, ("park",), places, ("F-1",), CalcRequest("land", {"mu": 50.0}))


def test_a_conversation_saved_by_one_worker_is_read_by_the_other(store: Store) -> None:
    one, two = ConversationStore(backend=store.shared), ConversationStore(backend=store.shared)
    conv = one.get("s1")
    conv.turns.append(_turn("经开区工业用地价格是多少？", ("经开区",)))
    one.put("s1", conv)
    seen = two.get("s1")
    assert seen.turns == conv.turns and seen.last is not None and seen.last.calc == conv.turns[0].calc
    seen.turns.append(_turn("那开阳呢？", ("开阳",)))
    two.put("s1", seen)
    again = one.get("s1")  # the first worker's cached copy is older than the stored one: read afresh
    assert [t.question for t in again.turns] == ["经开区工业用地价格是多少？", "那开阳呢？"]
    assert one.get("other").turns == [] and one.get(None).turns == []


def test_fields_added_to_a_conversation_are_kept(store: Store, here: None) -> None:
    @dataclasses.dataclass
    class Richer(Conversation):
        profile: Profile | None = None

    Richer.__module__, Richer.__qualname__ = __name__, "Richer"  # stored by name, as a module-level class is
    globals()["Richer"] = Richer
    try:
        one, two = ConversationStore(backend=store.shared), ConversationStore(backend=store.shared)
        one.put("p", Richer(turns=[_turn("电费")], profile=Profile(industry="数据中心", area_mu=80)))
        decoded = decode(encode(Richer(profile=Profile(industry="x"))))
        assert isinstance(decoded, Richer)
        loaded = store.shared.load_dialogue("p", time.time())
        assert loaded is not None and loaded[1]["f"]["profile"]["v"]["industry"] == "数据中心"
        assert two.get("p").turns[0].question == "电费"
    finally:
        del globals()["Richer"]


def test_stored_conversations_expire_and_are_erased(store: Store) -> None:
    short = ConversationStore(ttl_seconds=0.5, backend=store.shared)
    conv = short.get("e")
    conv.turns.append(_turn("地价"))
    short.put("e", conv)
    assert ConversationStore(backend=store.shared).get("e").turns
    time.sleep(0.6)
    assert ConversationStore(backend=store.shared).get("e").turns == []
    assert short.get("e").turns == []  # the cached copy is not served past the stored expiry
    keep = ConversationStore(backend=store.shared)
    conv = keep.get("gone")
    conv.turns.append(_turn("地价"))
    keep.put("gone", conv)
    store.log_turn(session_id="gone", question="地价", answer="…", status="answered", language="zh", sources=[])
    store.erase_visitor(session_id="gone")
    assert ConversationStore(backend=store.shared).get("gone").turns == []


# ---- limits: two limiters, one database ----
def test_a_bucket_is_shared_by_every_limiter(store: Store) -> None:
    limits = {"leads": Limit.per_hour(10, 5)}
    first = RateLimiter(limits, counters=DatabaseCounters(store.shared), clock=time.time)
    second = RateLimiter(limits, counters=DatabaseCounters(store.shared), clock=time.time)
    with ThreadPoolExecutor(8) as pool:
        waits = list(pool.map(lambda i: (first, second)[i % 2].acquire("leads", "203.0.113.1"), range(12)))
    assert sum(w == 0.0 for w in waits) == 5 and all(w > 300 for w in waits if w)
    assert first.acquire("leads", "203.0.113.2") == 0.0  # another client, its own bucket


def test_a_bucket_refills_at_its_rate(store: Store) -> None:
    shared = store.shared
    now = 1_000_000.0
    assert [shared.take("k", 0.5, 2, now) for _ in range(3)][:2] == [0.0, 0.0]
    assert shared.take("k", 0.5, 2, now + 2.0) == 0.0  # one token back after 2 s at 0.5 a second
    assert shared.take("k", 0.5, 2, now + 2.0) == pytest.approx(2.0)
    assert shared.take("k", 0.5, 2, now + 3.0) == pytest.approx(1.0)  # a refused take leaves the bucket filling
    assert shared.take("k", 0.5, 2, now + 4.0) == 0.0


# ---- answers in progress: two runners, one database ----
def test_answers_in_progress_are_counted_once_across_runners(store: Store) -> None:
    """Two workers' runners over one database: a client's third answer is refused whichever worker gets it,
    racing takers included, and a place given back on one frees it on the other."""
    one, two = (AnswerRunner(workers=4, timeout_s=30, per_client=2, counters=DatabaseCounters(store.shared))
                for _ in range(2))
    gate = threading.Event()
    try:
        def ask(i: int) -> str:
            try:
                return (one, two)[i % 2].call("198.51.100.20", lambda: "answered" if gate.wait(20) else "late")
            except TooManyAnswers:
                return "refused"

        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(ask, i) for i in range(8)]
            deadline = time.monotonic() + 20
            while sum(f.done() for f in futures) < 6:  # the refused ones return at once
                assert time.monotonic() < deadline
                time.sleep(0.02)
            assert one.in_progress("198.51.100.20") == two.in_progress("198.51.100.20") == 2
            assert two.call("198.51.100.21", lambda: "other client") == "other client"
            gate.set()
            results = sorted(f.result() for f in futures)
        assert results == ["answered"] * 2 + ["refused"] * 6
        assert one.in_progress("198.51.100.20") == 0
        assert two.call("198.51.100.20", lambda: "again") == "again"
    finally:
        gate.set()
        one.close()
        two.close()


def test_places_a_dead_worker_held_lapse(store: Store) -> None:
    shared, now = store.shared, 1_000_000.0
    first, second = shared.claim("answers:a", 2, 10, now), shared.claim("answers:a", 2, 10, now + 1)
    assert (first, second) == (now, now + 1)  # a place's ticket: when it was taken
    assert shared.claim("answers:a", 2, 10, now + 2) is None  # both taken (by a worker that then died)
    assert shared.claimed("answers:a", now + 2) == 2
    fresh = shared.claim("answers:a", 2, 10, now + 12)  # ten seconds after the last take: counted afresh
    assert fresh is not None and fresh != first and shared.claimed("answers:a", now + 12) == 1
    shared.release("answers:a", first)  # the places of the lapsed count are not taken off the new one
    shared.release("answers:a", second)
    assert shared.claimed("answers:a", now + 12) == 1
    shared.release("answers:a", fresh)
    assert shared.claimed("answers:a", now + 12) == 0


# ---- staff logins: two StaffAuth, one database ----
def _auth(shared: SharedState) -> StaffAuth:
    return StaffAuth(TokenHash.of("right-token"), 60, key=shared.secret("staff_cookie_key"), sessions=shared,
                     counters=DatabaseCounters(shared))


def test_a_login_made_on_one_worker_holds_on_the_other(store: Store) -> None:
    one, two = _auth(store.shared), _auth(store.shared)
    assert one.key == two.key
    cookie = one.login("198.51.100.7", "right-token")
    forged = cookie[:-1] + ("1" if cookie[-1] == "0" else "0") if cookie else ""  # one hex digit changed
    assert cookie and two.valid(cookie) and not two.valid(forged)
    two.logout(cookie)
    assert not one.valid(cookie)
    later = one.login("198.51.100.7", "right-token")
    two.now = lambda: time.time() + 61  # past its 60 s
    assert later and one.valid(later) and not two.valid(later)


def test_login_tries_are_counted_across_workers(store: Store) -> None:
    one, two = _auth(store.shared), _auth(store.shared)
    for n in range(5):
        assert (one, two)[n % 2].login("198.51.100.8", "wrong") is None
    for auth in (one, two):
        assert auth.blocked("198.51.100.8")
        with pytest.raises(TooManyAttempts):
            auth.login("198.51.100.8", "right-token")
    assert one.login("198.51.100.9", "right-token")  # another address is not blocked


# ---- leases ----
def test_a_lease_has_one_holder_until_released_or_expired(store: Store) -> None:
    shared, now = store.shared, time.time()
    assert shared.acquire("job", "a", 60, now, {"state": "running"})
    assert not shared.acquire("job", "b", 60, now, {})
    assert shared.renew("job", "a", 60, now, {"state": "running", "done": 3})
    assert not shared.renew("job", "b", 60, now, {})
    assert shared.request_cancel("job", now) and shared.lease("job").cancel  # type: ignore[union-attr]
    assert shared.renew("job", "a", 60, now, {"state": "done"}, release=True)
    lease = shared.lease("job")
    assert lease is not None and not lease.held(now) and lease.data == {"state": "done"}
    assert shared.acquire("job", "b", 1, now, {"state": "running"}) and not shared.lease("job").cancel  # type: ignore[union-attr]
    assert shared.acquire("job", "c", 60, now + 2, {})  # b's lease ran out


def test_a_table_made_meanwhile_by_another_worker_is_no_start_failure(tmp_path: Path) -> None:
    from sqlalchemy import Column, Integer, MetaData, Table, create_engine, event, inspect

    from assistant.web.shared import create_tables

    url = f"sqlite:///{tmp_path / 'race.db'}"
    mine, other = create_engine(url), create_engine(url)
    metadata = MetaData()
    table = Table("turns", metadata, Column("id", Integer, primary_key=True))
    made = []

    @event.listens_for(table, "before_create")
    def another_worker_first(target, connection, **kw):  # after this worker's check, before its CREATE
        if not made:
            made.append(True)
            Table("turns", MetaData(), Column("id", Integer, primary_key=True)).create(other)

    create_tables(mine, metadata)
    assert made and "turns" in inspect(mine).get_table_names()


# A worker that, in the middle of setting up a new database file, holds SQLite's write lock: the first connection
# of its engine begins a write before the store's own pragmas run (pool "connect" listeners on the class run
# before the engine's own), prints "held" and keeps it HOLD_S.
_SLOW_START = """
import sys, time
from sqlalchemy import event
from sqlalchemy.pool import Pool
from assistant.web.store import Store

def hold(dbapi, _record):
    level, dbapi.isolation_level = dbapi.isolation_level, None
    dbapi.execute("BEGIN IMMEDIATE")
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    dbapi.execute("COMMIT")
    dbapi.isolation_level = level

event.listen(Pool, "connect", hold, once=True)
Store.from_url(sys.argv[1]).close()
"""


def test_workers_setting_up_one_new_database_file_take_turns(tmp_path: Path) -> None:
    """Two workers start on a database file neither has made: one is still setting it up (it holds the write
    lock) when the other opens it. The second waits for the first instead of failing at once with "database is
    locked": switching a new file to WAL reads it and then writes, and SQLite's busy timeout does not cover
    that upgrade."""
    url, hold_s = f"sqlite:///{tmp_path / 'new.sqlite3'}", 1.5
    first = subprocess.Popen([sys.executable, "-c", _SLOW_START, url, str(hold_s)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "held", first.communicate()[1]
        began = time.monotonic()
        second = Store.from_url(url)
        waited = time.monotonic() - began
        try:
            second.shared.save_dialogue("s", {"turns": []}, time.time() + 60)
            with second.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        finally:
            second.close()
    finally:
        _out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert waited > 0.5  # in turn, after the first had set the file up
