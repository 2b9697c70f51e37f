"""The README's deployment for several hosts, on loopback: two app processes as if on two hosts (each its own
data folder and port), over one PostgreSQL server (conversations, staff logins, limits) and one Chroma server
(vectors). The index folder (builds, CURRENT and STAGED), the staff console's staging folder and the corpus stand
for the storage every host mounts: host A ingests, host B's data folder links to A's index and staging folders.
Checked: a follow-up asked on the other host is understood; a staff login made on one host is honoured, and a
logout ended, on the other; a change staged through one host is published through the other."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import CORPUS, ROOT
from tests.pg_server import REQUIRE_ENV, postgres_server, server_bin_dir
from tests.test_chroma_server import _chroma_binary, _wait_for_heartbeat
from tests.test_workers import FIRST, FOLLOW_UP, START_S, TOKEN, UPLOAD, _port, stop
from tests.web_serving import wait_for_reindex

pytestmark = pytest.mark.slow


@contextmanager
def chroma_server(folder: Path) -> Iterator[int]:
    port = _port()
    with open(folder / "chroma.log", "wb") as log:
        proc = subprocess.Popen([_chroma_binary(), "run", "--path", str(folder / "chroma"), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for_heartbeat(port, proc)
            yield port
        finally:
            stop(proc)


@contextmanager
def host(name: str, data: Path, corpus: Path, env: dict[str, str], ingest: bool) -> Iterator[str]:
    """``python app.py`` (one worker) as host ``name``; ``ingest``: build the index first (--corpus)."""
    port, log = _port(), data.parent / f"{name}.log"
    data.parent.mkdir(parents=True, exist_ok=True)
    args = ["--data-dir", str(data), "--embedder", "fake", "--port", str(port)]
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "app.py", *args, *(["--corpus", str(corpus)] if ingest else [])],
                                cwd=ROOT, env=os.environ | env | {"ZST_CORPUS_DIR": str(corpus)}, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_S
        while "筑商通 ready in" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"host {name} did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def post(base: str, path: str, cookies: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
    """One request on a connection of its own."""
    with httpx.Client(base_url=base, timeout=60, cookies=cookies) as client:
        return client.post(path, **kwargs)


@dataclass
class Hosts:
    a: str
    b: str
    root: Path  # a/ and b/: each host's data folder; shared/: what every host mounts


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    if server_bin_dir() is None:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail("PostgreSQL server not installed")
        pytest.skip("PostgreSQL server not installed (make test installs Debian's postgresql)")
    root = tmp_path_factory.mktemp("hosts")
    corpus = root / "shared" / "corpus"
    shutil.copytree(CORPUS, corpus)
    with ExitStack() as stack:
        database = stack.enter_context(postgres_server())
        chroma = stack.enter_context(chroma_server(root))
        env = {"ZST_WEB__DATABASE_URL": database, "ZST_INDEX__CHROMA_MODE": "server",
               "ZST_INDEX__CHROMA_HOST": "127.0.0.1", "ZST_INDEX__CHROMA_PORT": str(chroma),
               "ZST_STAFF__TOKEN": TOKEN, "ZST_RETRIEVAL__TODAY": "2026-11-25",
               "ZST_WEB__RATE_LIMIT__CHAT_BURST": "500"}
        (root / "a" / "data" / "staging").mkdir(parents=True)
        a = stack.enter_context(host("a", root / "a" / "data", corpus, env, ingest=True))
        (root / "b" / "data").mkdir(parents=True)
        for shared in ("index", "staging"):  # on the mount every host shares
            (root / "b" / "data" / shared).symlink_to(root / "a" / "data" / shared, target_is_directory=True)
        b = stack.enter_context(host("b", root / "b" / "data", corpus, env, ingest=False))
        yield Hosts(a, b, root)


def test_two_hosts_share_conversations_and_staff_logins(hosts: Hosts) -> None:
    a, b = hosts.a, hosts.b
    served = {post(base, "/api/chat", json={"message": "你好"}).headers["x-served-by"] for base in (a, b)}
    assert len(served) == 2  # two processes, neither a worker of the other

    for first, then in ((a, b), (b, a)):
        session = uuid.uuid4().hex
        opening = post(first, "/api/chat", json={"message": FIRST, "session_id": session})
        follow = post(then, "/api/chat", json={"message": FOLLOW_UP, "session_id": session})
        assert opening.status_code == follow.status_code == 200, follow.text
        assert "288" in opening.json()["answer"], opening.json()["answer"]
        assert "开阳" in follow.json()["answer"] and "144" in follow.json()["answer"], follow.json()["answer"]

    login = post(a, "/staff/login", data={"token": TOKEN})
    assert login.status_code == 303
    cookie = {"zst_staff": login.cookies["zst_staff"]}
    with httpx.Client(base_url=b, timeout=60, cookies=cookie) as there:
        documents = there.get("/staff/api/documents")
        assert documents.status_code == 200 and documents.json()["files"]
    assert post(b, "/staff/logout", cookies=cookie).status_code == 303
    with httpx.Client(base_url=a, timeout=60, cookies=cookie) as here:
        assert here.get("/staff/api/documents").status_code == 401
    assert not (hosts.root / "b" / "data" / "assistant.sqlite3").exists()  # nothing kept on the host itself


def test_a_change_staged_through_one_host_is_published_through_the_other(hosts: Hosts) -> None:
    login = post(hosts.a, "/staff/login", data={"token": TOKEN})
    cookie = {"zst_staff": login.cookies["zst_staff"]}
    with httpx.Client(base_url=hosts.a, timeout=60, cookies=cookie) as a, \
            httpx.Client(base_url=hosts.b, timeout=60, cookies=cookie) as b:
        before = a.get("/healthz").json()["build_id"]
        runs = a.get("/staff/api/reindex").json()["runs"]
        upload = a.post("/staff/api/upload", files={"file": ("two-hosts.md", UPLOAD.encode(), "text/markdown")})
        assert upload.status_code == 202, upload.text
        job = wait_for_reindex(b, runs + 1)  # host B reports the job host A runs
        assert job["state"] == "done" and job["staged"], job
        staged = b.get("/staff/api/staged").json()
        assert staged["ready"] and staged["pending"]["added"] == ["uploads/two-hosts.md"], staged

        published = b.post("/staff/api/publish")
        assert published.status_code == 200, published.text
        new = published.json()["build_id"]
        assert new not in (before, None)
        assert (hosts.root / "shared" / "corpus" / "uploads" / "two-hosts.md").read_text(encoding="utf-8") == UPLOAD
        for there in (a, b):  # nothing is left to publish, seen from either host
            assert there.get("/staff/api/staged").json()["pending"] == {"added": [], "removed": [], "lexicon": False}
        answer = post(hosts.a, "/api/chat", json={"message": "蓝莓种植园每亩补贴多少？"}).json()
        assert "双进程测试说明" in answer["answer"], answer  # the new document's title: host A serves it too
        assert {there.get("/healthz").json()["build_id"] for there in (a, b)} == {new}
