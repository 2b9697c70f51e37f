"""The conversations table grows the columns the staff console's knowledge gaps need, also in old databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assistant.web.store import Store


def test_old_conversation_table_gets_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the table as the first release created it
        db.execute("CREATE TABLE conversations (id INTEGER PRIMARY KEY, session_id VARCHAR(64), question TEXT, "
                   "answer TEXT, status VARCHAR(20), language VARCHAR(8), sources JSON, created DATETIME)")
        db.execute("INSERT INTO conversations (session_id, question, answer, status, language, sources, created) "
                   "VALUES ('s', 'old?', 'a', 'no_answer', 'zh', '[]', '2026-01-01 00:00:00')")
    store = Store.from_url(f"sqlite:///{path}")
    try:
        store.log_turn(session_id="s", question="new?", answer="b", status="answered", language="zh", sources=[],
                       confidence=0.2, intents=["policy"])
        turns = store.conversations(session_id="s")
        assert [(t["question"], t["confidence"], t["intents"]) for t in turns] == [
            ("new?", 0.2, ["policy"]), ("old?", None, None)]
    finally:
        store.close()
