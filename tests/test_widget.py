"""The widget's HTTP side, over real HTTP: script, embed page and its CSP, CORS by allow-list, demo page.

The app runs without the investor page and with a stub chat service: nothing here asks a question."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from pydantic import ValidationError

from assistant.answering.service import ChatService
from assistant.settings import Settings, parse_origins
from assistant.web.api import create_app
from assistant.web.consent import CONSENT_VERSION
from assistant.web.origins import frame_ancestors
from assistant.web.store import Store, database_url
from tests.web_serving import serve_app

PARTNER = "https://invest.example.gov.cn"
LOCAL = "http://127.0.0.1:8765"
STRANGER = "https://evil.example.com"
SECRETS = ("sk-widget-test-9f3a", "staff-pass-77c1")
LIMIT = 300


def _settings(tmp_path: Path, origins: list[str]) -> Settings:
    return Settings(data_dir=tmp_path / "data", embeddings={"backend": "fake"},
                    web={"allowed_origins": origins, "max_message_chars": LIMIT},
                    llm={"api_key": SECRETS[0]}, staff={"password": SECRETS[1]})


@pytest.fixture(scope="module")
def origins_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Settings]]:
    # Written as a user would: upper case, trailing slash, default port; the settings normalise them.
    settings = _settings(tmp_path_factory.mktemp("widget"), ["HTTPS://Invest.Example.gov.cn:443/", LOCAL + "/"])
    store = Store.from_settings(settings)
    app = create_app(settings, cast(ChatService, SimpleNamespace()), store=store, ui=False)
    with serve_app(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client, settings
    store.close()


@pytest.fixture(scope="module")
def client(origins_client: tuple[httpx.Client, Settings]) -> httpx.Client:
    return origins_client[0]


def _csp(response: httpx.Response) -> dict[str, list[str]]:
    out = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_settings_normalise_the_allow_list(origins_client: tuple[httpx.Client, Settings]) -> None:
    assert origins_client[1].web.allowed_origins == [PARTNER, LOCAL]


@pytest.mark.parametrize("bad", ["*", "https://a.example/path", "https://a.example; script-src *",
                                 "javascript:alert(1)", "a.example", "https://*.example.com",
                                 "https://user@a.example", "https://a.example?x=1"])
def test_settings_refuse_what_is_not_an_origin(bad: str) -> None:
    with pytest.raises(ValidationError):
        Settings(web={"allowed_origins": [bad]})


def test_origins_from_a_comma_separated_string() -> None:
    assert parse_origins(" https://a.example , http://LOCALHOST:80, https://a.example/") == [
        "https://a.example", "http://localhost"]


def test_widget_js_is_javascript_without_secrets(client: httpx.Client) -> None:
    r = client.get("/widget.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "document.currentScript" in r.text and "/embed?" in r.text and "/widget-config" in r.text
    assert "innerHTML" not in r.text


@pytest.mark.parametrize("path", ["/widget.js", "/embed", "/widget/embed.js", "/widget/embed.css",
                                  "/widget-config", "/demo/promo.html", "/demo/promo.js"])
def test_nothing_served_for_the_widget_holds_a_secret(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    low = r.text.lower()
    assert not any(s in r.text for s in SECRETS)
    assert "api_key" not in low and "password" not in low and "bearer" not in low


def test_embed_csp_lists_exactly_the_allowed_origins(client: httpx.Client) -> None:
    r = client.get("/embed")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    policy = _csp(r)
    assert policy["frame-ancestors"] == ["'self'", PARTNER, LOCAL]
    assert policy["script-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
    # No inline script (the CSP would block it anyway): every script is a file of our own.
    scripts = re.findall(r"<script([^>]*)>", r.text)
    assert scripts and all('src="/widget/' in attrs for attrs in scripts)
    assert f'maxlength="{LIMIT}"' in r.text and "示例数据，以主管部门最新发布为准" in r.text


def test_embed_script_writes_document_text_as_text_only(client: httpx.Client) -> None:
    js = client.get("/widget/embed.js").text
    # Markup comes only from the server's rendering of the answer (its escaped, link-checked ``html``), once.
    assert js.count("innerHTML") == 1 and "template.innerHTML = html;" in js and "answerNodes(reply.html)" in js
    assert "insertAdjacentHTML" not in js and "document.write" not in js
    assert "textContent" in js and "sessionStorage" in js and "/api/chat" in js


def test_default_settings_let_only_the_app_itself_frame_the_panel(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.web.allowed_origins == []
    assert frame_ancestors([]).endswith("frame-ancestors 'self'")
    store = Store.from_settings(settings)
    try:
        app = create_app(settings, cast(ChatService, SimpleNamespace()), store=store, ui=False)
        with serve_app(app) as base, httpx.Client(base_url=base, timeout=30) as c:
            assert _csp(c.get("/embed"))["frame-ancestors"] == ["'self'"]
            foreign = c.get("/widget-config", headers={"Origin": PARTNER})
            assert "access-control-allow-origin" not in foreign.headers and foreign.json()["allowed"] is False
            assert c.get("/widget-config", headers={"Origin": base}).json()["allowed"] is True
    finally:
        store.close()


def _preflight(client: httpx.Client, origin: str) -> httpx.Response:
    return client.options("/api/chat", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})


@pytest.mark.parametrize("origin", [PARTNER, LOCAL])
def test_cors_preflight_from_an_allowed_origin(client: httpx.Client, origin: str) -> None:
    r = _preflight(client, origin)
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == origin
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in r.headers  # no cookies across sites


@pytest.mark.parametrize("origin", [STRANGER, "http://127.0.0.1:8766", "https://invest.example.gov.cn.evil.com"])
def test_cors_preflight_from_another_origin_gets_no_allow_origin(client: httpx.Client, origin: str) -> None:
    r = _preflight(client, origin)
    assert r.status_code >= 400 and "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize(("origin", "allowed"), [(PARTNER, True), (STRANGER, False), (None, True)])
def test_widget_config_answers_by_origin(client: httpx.Client, origin: str | None, allowed: bool) -> None:
    headers: dict[str, Any] = {"Origin": origin} if origin else {}
    r = client.get("/widget-config", headers=headers)
    assert r.status_code == 200 and r.json()["allowed"] is allowed
    assert r.json()["max_message_chars"] == LIMIT and r.headers["cache-control"] == "no-store"
    assert r.headers.get("access-control-allow-origin") == (origin if origin and allowed else None)


def test_demo_promo_page_embeds_the_widget(client: httpx.Client) -> None:
    r = client.get("/demo/promo.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "贵阳贵安" in r.text and "示例数据，以主管部门最新发布为准" in r.text
    tag = re.search(r'<script src="/widget\.js"([^>]*)>', r.text)
    assert tag and all(f"data-{a}=" in tag.group(1) for a in ("title", "greeting", "color", "position", "lang"))
    assert "https://HOST/widget.js" in r.text  # the snippet staff copy (promo.js fills in the real host)
    assert client.get("/demo/promo.css").headers["content-type"].startswith("text/css")


@pytest.mark.parametrize("path", ["/widget/widget.py", "/widget/..%2Fwidget.py", "/demo/promo.py",
                                  "/widget/embed.html"])
def test_only_the_listed_assets_are_served(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_readme_snippet_uses_only_attributes_the_widget_reads() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    widget_js = (Path(__file__).resolve().parent.parent / "assistant/web/static/widget.js").read_text(encoding="utf-8")
    tag = re.search(r"<script src=\"https://HOST/widget\.js\"(.*?)></script>", readme, re.S)
    assert tag, "the README's widget snippet"
    attributes = re.findall(r'data-([a-z-]+)="([^"]*)"', tag.group(1))
    assert {name for name, _ in attributes} >= {"title", "greeting", "color", "position", "lang"}
    for name, value in attributes:
        camel = re.sub(r"-([a-z])", lambda m: m.group(1).upper(), name)
        assert f"data.{camel}" in widget_js, f"README uses data-{name}, which widget.js does not read"
        if name in ("position", "lang"):  # values from a fixed set: the README's must be one of them
            assert f'"{value}"' in widget_js, f'widget.js does not know data-{name}="{value}"'


def test_embed_carries_the_consent_line_of_the_lead_form(client: httpx.Client) -> None:
    html = client.get("/embed").text
    assert "__CONSENT" not in html and 'id="zst-lead-form"' in html and "/widget/embed-lead.js" in html
    consent = re.search(r'<p id="zst-consent"[^>]*data-zh="([^"]+)" data-en="([^"]+)"\s+data-version="([^"]+)"', html)
    assert consent and "365 天" in consent.group(1) and "180 天" in consent.group(1)
    assert "365 days" in consent.group(2) and consent.group(3) == CONSENT_VERSION
    js = client.get("/widget/embed-lead.js")
    assert js.status_code == 200 and "/api/leads" in js.text and "innerHTML" not in js.text
    assert 'target="_blank"' not in html  # "contact me" stays inside the panel


def test_widget_lead_is_stored_with_its_session_and_consent(origins_client: tuple[httpx.Client, Settings]) -> None:
    client, settings = origins_client
    lead = {"name": "组件客商", "company": "黔中科技", "phone": "13977778888", "session_id": "widget-lead-1",
            "consent_version": CONSENT_VERSION}
    r = client.post("/api/leads", json=lead, headers={"Origin": PARTNER})
    assert r.status_code == 201 and r.headers["access-control-allow-origin"] == PARTNER
    stale = client.post("/api/leads", json={**lead, "consent_version": "2020-01"})
    assert stale.status_code == 422 and stale.json()["detail"][0]["loc"] == ["body", "consent_version"]
    assert "reload" in stale.json()["detail"][0]["msg"]
    reader = Store.from_url(database_url(settings))  # what the app committed, read through another engine
    try:
        [row] = [x for x in reader.leads() if x["session_id"] == "widget-lead-1"]
    finally:
        reader.close()
    assert (row["name"], row["consent_version"], row["consented_at"] is not None) == ("组件客商", CONSENT_VERSION, True)
