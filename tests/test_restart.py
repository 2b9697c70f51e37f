"""`python app.py` for real, killed with SIGKILL straight after confirming a lead, feedback and an answer, then
started again on the same data folder: the staff console still shows all three."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import CORPUS, ROOT
from tests.web_serving import free_port

pytestmark = pytest.mark.slow
TOKEN = "restart-test-token-8f2a"
FILES = ("policies/gy-tax-policy-guide.md", "listings/factories.csv", "listings/parks.csv")



def _start(data: Path, corpus: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ZST_STAFF__TOKEN": TOKEN, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--data-dir", str(data), "--corpus", str(corpus),
                                 "--embedder", "fake", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise TimeoutError(log.read_text())


def test_everything_confirmed_survives_a_sigkill_and_restart(tmp_path: Path) -> None:
    corpus, data, log = tmp_path / "corpus", tmp_path / "data", tmp_path / "app.log"
    for name in FILES:
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / name, corpus / name)
    port = free_port()
    proc = _start(data, corpus, port, log)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            lead = c.post("/api/leads", json={"name": "赵敏", "company": "黔中精密制造", "phone": "13900001111",
                                              "interest": "factories", "message": "需要3000㎡厂房"})
            vote = c.post("/api/feedback", json={"question": "厂房租金能减免吗？", "answer": "…", "rating": -1,
                                                 "comment": "没说清楚"})
            chat = c.post("/api/chat", json={"message": "研发费用加计扣除比例是多少？", "session_id": "restart"})
        assert (lead.status_code, vote.status_code, chat.status_code) == (201, 201, 200)
    finally:
        proc.send_signal(signal.SIGKILL)  # no shutdown hooks, no flush: only what was committed survives
        proc.wait(timeout=30)

    port = free_port()
    proc = _start(data, corpus, port, log)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            assert c.post("/staff/login", data={"token": TOKEN}).status_code in (200, 303)
            leads_csv = c.get("/staff/leads.csv").text
            gaps = c.get("/staff/api/gaps").json()
            turns = c.get("/staff/api/log", params={"session": "restart"}).json()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "赵敏" in leads_csv and "13900001111" in leads_csv
    assert any("厂房租金能减免吗？" in str(group) for group in gaps)
    assert [t["question"] for t in turns] == ["研发费用加计扣除比例是多少？"]
    assert "Indexing" in log.read_text()  # the first start built the index
