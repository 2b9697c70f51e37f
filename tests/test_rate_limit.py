"""Per-client rate limits: the token bucket on its own (a controllable clock), then over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answering.service import ChatService
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.rate_limit import Limit, RateLimiter
from assistant.web.store import Store
from tests.conftest import CORPUS
from tests.web_serving import serve_app

ORIGIN = "https://www.example.gov.cn"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_served_then_the_rate_applies_and_refills() -> None:
    clock = Clock()
    limiter = RateLimiter({"chat": Limit.per_minute(6, 3)}, clock=clock)
    assert [limiter.acquire("chat", "a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("chat", "a") == pytest.approx(10.0)  # 6 a minute: one every 10 s
    clock.now += 10
    assert limiter.acquire("chat", "a") == 0.0 and limiter.acquire("chat", "a") > 0
    assert limiter.acquire("chat", "b") == 0.0  # another client has its own bucket
    assert limiter.acquire("other", "a") == 0.0  # an unlimited group


def test_forgets_the_oldest_clients_beyond_its_size() -> None:
    limiter = RateLimiter({"chat": Limit.per_hour(1, 1)}, max_clients=2, clock=Clock())
    for client in ("a", "b", "c"):
        assert limiter.acquire("chat", client) == 0.0
    assert limiter.acquire("chat", "c") > 0 and limiter.acquire("chat", "a") == 0.0  # "a" was dropped


@settings(max_examples=200, deadline=None)
@given(burst=st.integers(1, 20), per_minute=st.floats(1, 600),
       gaps=st.lists(st.floats(0, 30), min_size=1, max_size=200))
def test_never_allows_more_than_the_burst_plus_the_refill(burst: int, per_minute: float,
                                                         gaps: list[float]) -> None:
    clock = Clock()
    limiter = RateLimiter({"chat": Limit.per_minute(per_minute, burst)}, clock=clock)
    start, allowed = clock.now, 0
    for gap in gaps:
        clock.now += gap
        wait = limiter.acquire("chat", "x")
        assert wait >= 0
        allowed += wait == 0
    assert allowed <= burst + (clock.now - start) * per_minute / 60 + 1e-6


# ---- over HTTP ----
@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings_ = Settings(corpus_dir=CORPUS, data_dir=tmp_path_factory.mktemp("limits") / "data",
                         embeddings={"backend": "fake"}, retrieval={"today": date(2026, 11, 25)},
                         web={"allowed_origins": [ORIGIN], "rate_limit": {
                             "chat_per_minute": 6, "chat_burst": 3, "leads_per_hour": 2, "leads_burst": 2}})
    IndexBuilder(settings_).build()
    store = Store.from_settings(settings_)
    # Loopback is a trusted proxy (uvicorn's default, as in app.py): X-Forwarded-For plays distinct visitors.
    with serve_app(create_app(settings_, ChatService.from_settings(settings_), store=store, ui=False)) as url:
        yield url
    store.close()


def _client(base: str, address: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=60, headers={"X-Forwarded-For": address, "Origin": ORIGIN})


def test_a_client_over_its_chat_limit_gets_429_with_retry_after(base: str) -> None:
    with _client(base, "203.0.113.7") as c:
        codes = [c.post("/api/chat", json={"message": "电价多少？"}).status_code for _ in range(3)]
        r = c.post("/api/chat", json={"message": "电价多少？"})
        sse = c.post("/api/chat", json={"message": "电价多少？", "stream": True})
    assert codes == [200, 200, 200]
    assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 10
    assert r.json()["detail"][0]["type"] == "rate_limited" and "秒后再试" in r.json()["detail"][0]["msg"]
    assert r.headers["access-control-allow-origin"] == ORIGIN  # the widget can read why
    assert sse.status_code == 429  # streaming takes from the same bucket


def test_other_clients_and_other_routes_are_not_affected(base: str) -> None:
    with _client(base, "203.0.113.8") as busy, _client(base, "198.51.100.4") as calm:
        for _ in range(4):
            busy.post("/api/chat", json={"message": "地价多少？"})
        assert busy.post("/api/chat", json={"message": "地价多少？"}).status_code == 429
        assert calm.post("/api/chat", json={"message": "地价多少？"}).status_code == 200
        assert busy.post("/api/feedback", json={"question": "q", "answer": "a", "rating": 1}).status_code == 201
        assert busy.get("/healthz").status_code == 200


def test_leads_have_their_own_tighter_limit(base: str) -> None:
    with _client(base, "192.0.2.55") as c:
        lead = {"name": "张三", "phone": "13812345678"}
        codes = [c.post("/api/leads", json=lead).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_a_forwarded_header_from_an_untrusted_peer_cannot_pick_a_fresh_address(tmp_path: Path) -> None:
    settings_ = Settings(corpus_dir=CORPUS, data_dir=tmp_path / "data", embeddings={"backend": "fake"},
                         web={"rate_limit": {"leads_burst": 1}})
    IndexBuilder(settings_).build()
    store = Store.from_settings(settings_)
    app = create_app(settings_, ChatService.from_settings(settings_), store=store, ui=False)
    with serve_app(app, forwarded_allow_ips="192.0.2.1") as url:  # loopback is not the proxy here
        codes = []
        for n in range(2):
            with _client(url, f"10.0.0.{n}") as c:
                codes.append(c.post("/api/leads", json={"name": "李四", "email": "li@example.com"}).status_code)
    store.close()
    assert codes == [201, 429]
