"""Personal data in the store, on real SQLite: consent recorded with a lead, retention periods (expired leads,
conversations and feedback deleted on opening, on writes at most once per period, and by ``python -m assistant
purge``), and erasing one visitor's data by lead number, session id, phone or e-mail."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import update

from assistant.settings import Settings
from assistant.web.consent import CONSENT_VERSION, consent_text
from assistant.web.schemas import LeadRequest
from assistant.web.store import ConversationTurn, Feedback, Lead, Retention, Store
from tests.conftest import ROOT


def _settings(tmp_path: Path, **privacy: float) -> Settings:
    return Settings(data_dir=tmp_path / "data", embeddings={"backend": "fake"}, privacy=privacy)


def _age(store: Store, model: type, row_id: int, days: float) -> None:
    """Move a row's creation time ``days`` into the past, as if written then."""
    with store.engine.begin() as conn:
        conn.execute(update(model).where(model.id == row_id).values(created=datetime.now(UTC) - timedelta(days=days)))


def _turn(store: Store, session_id: str, question: str = "地价？") -> int:
    return store.log_turn(session_id=session_id, question=question, answer="288元/㎡", status="answered",
                          language="zh", sources=[])


def test_consent_version_and_time_are_stored_with_the_lead(tmp_path: Path) -> None:
    store = Store.from_settings(_settings(tmp_path))
    try:
        before = datetime.now(UTC)
        with_consent = store.add_lead(name="李伟", phone="13912345678", consent_version=CONSENT_VERSION)
        without = store.add_lead(name="王芳", email="w@example.com")
        rows = {r["id"]: r for r in store.leads()}
        stamp = rows[with_consent]["consented_at"]
        assert rows[with_consent]["consent_version"] == CONSENT_VERSION
        assert (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)) >= before - timedelta(seconds=1)
        assert rows[without]["consent_version"] is None and rows[without]["consented_at"] is None
    finally:
        store.close()


def test_a_stale_consent_version_is_refused_by_name() -> None:
    assert LeadRequest(name="李", phone="13912345678", consent_version=CONSENT_VERSION).consent_version
    with pytest.raises(ValidationError) as err:
        LeadRequest(name="李", phone="13912345678", consent_version="1999-01")
    assert [e["loc"] for e in err.value.errors()] == [("consent_version",)]


def test_consent_text_says_what_how_long_and_why(tmp_path: Path) -> None:
    settings = _settings(tmp_path, lead_retention_days=400, conversation_retention_days=90)
    zh, en = consent_text("zh", settings), consent_text("en", settings)
    assert "姓名" in zh and "400 天" in zh and "90 天" in zh and "联系" in zh
    assert "name" in en and "400 days" in en and "90 days" in en and "contact you" in en


def test_expired_rows_go_when_the_store_opens_and_fresh_ones_stay(tmp_path: Path) -> None:
    settings = _settings(tmp_path, lead_retention_days=30, conversation_retention_days=7)
    store = Store.from_settings(settings)
    old_lead, new_lead = store.add_lead(name="旧", phone="13900000001"), store.add_lead(name="新", phone="13900000002")
    old_turn, new_turn = _turn(store, "s-old"), _turn(store, "s-new")
    old_vote = store.add_feedback(question="q", answer="a", rating=1, session_id="s-old")
    _age(store, Lead, old_lead, 31)
    _age(store, ConversationTurn, old_turn, 8)
    _age(store, Feedback, old_vote, 8)
    _age(store, Lead, new_lead, 29)  # within its 30 days
    store.close()

    reopened = Store.from_settings(settings)
    try:
        assert [r["id"] for r in reopened.leads()] == [new_lead]
        assert [r["id"] for r in reopened.conversations()] == [new_turn]
        assert reopened.feedback() == []
    finally:
        reopened.close()


def test_a_running_store_purges_on_writes_at_most_once_per_period(tmp_path: Path) -> None:
    store = Store.from_settings(_settings(tmp_path, conversation_retention_days=1, purge_every_minutes=60))
    try:
        first = _turn(store, "a")
        _age(store, ConversationTurn, first, 2)
        _turn(store, "b")  # within the hour since opening: no purge yet
        assert len(store.conversations()) == 2
        store._next_purge = 0.0  # the hour has passed
        _turn(store, "c")
        assert sorted(t["session_id"] for t in store.conversations()) == ["b", "c"]
    finally:
        store.close()


def test_without_retention_nothing_is_deleted(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'plain.sqlite3'}")
    try:
        lead = store.add_lead(name="旧", phone="13900000001")
        _age(store, Lead, lead, 10_000)
        assert store.purge_expired().to_dict() == {"leads": 0, "conversations": 0, "feedback": 0}
        assert len(store.leads()) == 1
    finally:
        store.close()


def test_purge_command_deletes_and_reports(tmp_path: Path) -> None:
    settings = _settings(tmp_path, lead_retention_days=10)
    store = Store.from_settings(settings)
    lead = store.add_lead(name="旧", phone="13900000001")
    store.add_lead(name="新", phone="13900000002")
    _age(store, Lead, lead, 11)
    store.close()
    env = {"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "ZST_PRIVACY__LEAD_RETENTION_DAYS": "10"}
    done = subprocess.run([sys.executable, "-m", "assistant", "purge", "--data-dir", str(settings.data_dir)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"leads": 1, "conversations": 0, "feedback": 0}
    again = Store.from_url(f"sqlite:///{settings.data_dir / 'assistant.sqlite3'}")
    try:
        assert [r["name"] for r in again.leads()] == ["新"]
    finally:
        again.close()


@pytest.fixture
def visitors(tmp_path: Path) -> Store:
    """Two visitors: 甲 left two leads (one per conversation), 乙 one; each talked and voted."""
    store = Store.from_url(f"sqlite:///{tmp_path / 'visitors.sqlite3'}", Retention(365, 180))
    store.add_lead(name="甲", phone="139 1234-5678", session_id="s-a1")
    store.add_lead(name="甲", email="Jia@Example.com", session_id="s-a2")
    store.add_lead(name="乙", phone="13800000000", session_id="s-b")
    for session in ("s-a1", "s-a1", "s-a2", "s-b", "s-c"):
        _turn(store, session)
    for session in ("s-a1", "s-b"):
        store.add_feedback(question="q", answer="a", rating=-1, session_id=session)
    yield store
    store.close()


def _left(store: Store) -> tuple[list[str], list[str], list[str]]:
    return ([r["name"] for r in store.leads()], sorted(t["session_id"] for t in store.conversations()),
            sorted(f["session_id"] for f in store.feedback()))


def test_erase_by_lead_number_takes_that_conversation(visitors: Store) -> None:
    lead = next(r["id"] for r in visitors.leads() if r["session_id"] == "s-a1")
    found = visitors.find_visitor(lead_id=lead)
    assert (len(found["leads"]), found["sessions"], found["conversations"], found["feedback"]) == (1, ["s-a1"], 2, 1)
    assert visitors.erase_visitor(lead_id=lead).to_dict() == {"leads": 1, "conversations": 2, "feedback": 1}
    assert _left(visitors) == (["乙", "甲"], ["s-a2", "s-b", "s-c"], ["s-b"])


@pytest.mark.parametrize("contact", ["13912345678", "+86 139-1234-5678", "jia@example.COM"])
def test_erase_by_contact_matches_however_it_was_typed(visitors: Store, contact: str) -> None:
    erased = visitors.erase_visitor(contact=contact)
    assert erased.leads == 1 and erased.conversations >= 1
    assert "乙" in _left(visitors)[0] and "s-b" in _left(visitors)[1]


def test_erase_by_session_takes_its_leads_too(visitors: Store) -> None:
    assert visitors.erase_visitor(session_id="s-b").to_dict() == {"leads": 1, "conversations": 1, "feedback": 1}
    assert visitors.erase_visitor(session_id="s-c").to_dict() == {"leads": 0, "conversations": 1, "feedback": 0}
    assert _left(visitors) == (["甲", "甲"], ["s-a1", "s-a1", "s-a2"], ["s-a1"])


def test_erasing_nobody_deletes_nothing(visitors: Store) -> None:
    before = _left(visitors)
    assert visitors.erase_visitor(contact="nobody@example.com").to_dict() == {
        "leads": 0, "conversations": 0, "feedback": 0}
    assert visitors.erase_visitor(lead_id=999_999).leads == 0 and _left(visitors) == before


def test_an_old_leads_table_gets_the_consent_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the table as the first release created it
        db.execute("CREATE TABLE leads (id INTEGER PRIMARY KEY, name VARCHAR(100), company VARCHAR(200), "
                   "phone VARCHAR(40), email VARCHAR(254), interest VARCHAR(100), message TEXT, "
                   "session_id VARCHAR(64), created DATETIME)")
        db.execute("INSERT INTO leads (name, company, phone, email, interest, message, created) "
                   "VALUES ('旧客商', '', '13900000000', '', '', '', '2026-01-01 00:00:00')")
    store = Store.from_url(f"sqlite:///{path}")
    try:
        store.add_lead(name="新客商", phone="13900000001", consent_version=CONSENT_VERSION)
        rows = {r["name"]: r for r in store.leads()}
        assert rows["旧客商"]["consent_version"] is None and rows["新客商"]["consent_version"] == CONSENT_VERSION
        assert rows["新客商"]["consented_at"] is not None
    finally:
        store.close()
