"""The matcher's surfaces: ``POST /api/match`` through real HTTP (uvicorn on loopback, an index of the sample
corpus's rules, listings and one policy, fake embedder) and ``python -m assistant match`` on a profile file."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from assistant.cli import main
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web.api import create_app
from assistant.web.consent import CONSENT_VERSION
from assistant.web.store import Store
from tests.conftest import CORPUS
from tests.web_serving import serve_app

PROFILE = {"industry": "汽车零部件", "district": "Guanshanhu", "fixed_asset_investment_yuan": 300000000,
           "land_mu": 100, "jobs": 250, "annual_kwh": 30000000, "voltage_kv": 10, "factory_m2": 5000,
           "talents": {"phd": 1, "master": 3}, "registered_locally": True}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    corpus = tmp_path_factory.mktemp("corpus")
    for name in ("rules", "listings"):
        shutil.copytree(CORPUS / name, corpus / name)
    shutil.copy(CORPUS / "lexicon.yaml", corpus / "lexicon.yaml")
    (corpus / "policies").mkdir()
    shutil.copy(CORPUS / "policies" / "gsh-investment-support-measures.md", corpus / "policies")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path_factory.mktemp("data"), embeddings={"backend": "fake"},
                        retrieval={"today": date(2026, 11, 25)}, staff={"enabled": False},
                        web={"rate_limit": {"enabled": False}}, match={"today": date(2026, 11, 30)})
    IndexBuilder(settings).build()
    with serve_app(create_app(settings, ui=False)) as url:
        yield url, settings


@pytest.fixture(scope="module")
def base(served: tuple[str, Settings]) -> str:
    return served[0]


def test_match_over_http(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        reply = client.post("/api/match", json={"profile": PROFILE, "lang": "en"})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["lang"] == "en" and body["district"] == "观山湖区" and "汽车" in body["industries"]
        ids = {r["id"]: r for r in body["rules"]}
        assert ids["guizhou-industrial-land-rebate"]["status"] == "eligible"
        assert ids["guanshanhu-contribution-return"]["status"] == "possible"  # its contribution is not given
        assert ids["guanshanhu-contribution-return"]["amount"]["ask"].startswith("Give the annual local")
        assert body["totals"]["first_year_yuan"] > 0 and body["costs"] and body["parks"][0]["district"] == "观山湖区"
        assert "《观山湖区招商引资企业扶持办法》" in ids["guanshanhu-contribution-return"]["citation"]["text"]
        schema = client.get("/openapi.json").json()
        assert "/api/match" in schema["paths"] and "MatchResult" in schema["components"]["schemas"]
        assert "Profile" in schema["components"]["schemas"]


@pytest.mark.parametrize(("body", "field"), [
    ({"profile": {"jobs": -1}}, "jobs"), ({"profile": {"land_mu": "80亩"}}, "land_mu"),
    ({"profile": {"colour": "red"}}, "colour"), ({"profile": {"talents": {"phd": 1.5}}}, "phd"),
    ({"profile": {}, "lang": "fr"}, "lang"), ({"profile": {"revenue_yuan": 1e300}}, "revenue_yuan"),
    ({"profile": {"firm_size": "huge"}}, "firm_size"), ({}, "profile"),
])
def test_bad_profiles_are_422(base: str, body: dict, field: str) -> None:
    reply = httpx.post(f"{base}/api/match", json=body, timeout=60)
    assert reply.status_code == 422, reply.text
    assert field in {str(part) for e in reply.json()["detail"] for part in e["loc"]}


def test_broken_json_is_400(base: str) -> None:
    reply = httpx.post(f"{base}/api/match", content=b'{"profile": ', headers={"Content-Type": "application/json"},
                       timeout=60)
    assert reply.status_code == 400


def test_cli_prints_the_match(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZST_MATCH__TODAY", "2026-11-30")
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"profile": PROFILE}, ensure_ascii=False), encoding="utf-8")
    assert main(["match", str(path), "--corpus", str(CORPUS)]) == 0
    zh = capsys.readouterr().out
    assert "政策匹配（行业：汽车；区县：观山湖区）" in zh and "工业用地地价款返还 — 符合" in zh
    assert "== 第一年支持合计：" in zh and "全年电费 = " in zh and "《贵阳市工业用地供应与地价政策指引》" in zh
    assert main(["match", str(path), "--corpus", str(CORPUS), "--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert "Industrial land price rebate (Guizhou) — eligible" in en and "== Costs ==" in en
    assert main(["match", str(path), "--corpus", str(CORPUS), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["first_year_yuan"] > 0


def test_cli_refuses_a_bad_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"jobs": "many", "land_mu": -5}', encoding="utf-8")
    assert main(["match", str(path), "--corpus", str(CORPUS)]) == 2
    err = capsys.readouterr().err
    assert "jobs: Input should be a valid integer" in err and "land_mu: Input should be greater than or equal to 0" in err
    path.write_text("{not json", encoding="utf-8")
    assert main(["match", str(path)]) == 2 and "cannot read" in capsys.readouterr().err


def test_match_answer_and_brief_over_http(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        reply = client.post("/api/match/answer", json={"profile": PROFILE, "lang": "zh"})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert "第一年估算支持合计" in body["answer"] and "[1]" in body["answer"] and not body["notices"]
        assert 'class="zst-cite"' in body["html"] and "zst-sources" in body["html"] and "<script" not in body["html"]
        brief = client.post("/api/match/brief", json={"profile": PROFILE, "lang": "en"})
        assert brief.status_code == 200 and brief.headers["content-type"].startswith("text/html")
        assert brief.headers["content-disposition"] == 'attachment; filename="investment-brief.html"'
        assert "default-src 'none'" in brief.headers["content-security-policy"]
        html = brief.text
        assert "@media print" in html and "@page" in html and "Investment brief" in html and "<script" not in html
        assert "Industrial land price rebate" in html and "Sources" in html and "Working" in html
        # The sources in English: documents by their English titles, places as "Article n", no Chinese.
        sources = html.split("<h2>Sources</h2>")[1].split("</ol>")[0]
        assert "Article " in sources and not re.search(r"[\u3400-\u9fff]", sources), sources
        paths = client.get("/openapi.json").json()["paths"]
        assert "/api/match/answer" in paths and "/api/match/brief" in paths
        for path in ("/api/match/answer", "/api/match/brief"):
            bad = client.post(path, json={"profile": {"jobs": -1}})
            assert bad.status_code == 422 and "jobs" in bad.text


def test_a_lead_keeps_the_brief_of_the_form_or_the_chat(served: tuple[str, Settings]) -> None:
    base, settings = served
    contact = {"name": "张三", "phone": "13800000000", "consent_version": CONSENT_VERSION}
    with httpx.Client(base_url=base, timeout=120) as client:
        with_form = client.post("/api/leads", json={**contact, "profile": PROFILE, "profile_lang": "en"})
        assert with_form.status_code == 201, with_form.text
        chat = client.post("/api/chat", json={"message": "我们做锂电池正极材料，计划投资5亿元，用地80亩，年用电3000万度，"
                                                         "招工300人，能享受哪些政策？", "session_id": "lead-chat"})
        assert chat.status_code == 200 and "第一年估算支持合计" in chat.json()["answer"]
        from_chat = client.post("/api/leads", json={**contact, "session_id": "lead-chat"})
        plain = client.post("/api/leads", json={**contact, "session_id": "no-such-chat"})
        bad = client.post("/api/leads", json={**contact, "profile": {"land_mu": -3}})
        assert bad.status_code == 422 and "land_mu" in bad.text
    store = Store.from_settings(settings, purge=False)
    try:
        form_brief = store.lead_brief(with_form.json()["id"]) or ""
        chat_brief = store.lead_brief(from_chat.json()["id"]) or ""
        assert "Investment brief" in form_brief and "Industrial land price rebate" in form_brief
        assert "投资简报" in chat_brief and "锂电池正极材料" in chat_brief and "30,000,000 kWh" in chat_brief
        assert store.lead_brief(plain.json()["id"]) is None
        flags = {x["id"]: x["has_brief"] for x in store.leads()}
        assert flags[with_form.json()["id"]] and not flags[plain.json()["id"]]
        assert all("brief_html" not in x for x in store.leads())  # lists never load the brief itself
    finally:
        store.close()
