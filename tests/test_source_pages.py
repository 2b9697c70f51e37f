"""What a citation opens, over real HTTP: a listing row as a page of that row, a Markdown or Word document rendered
at the cited article with the sentence marked (its YAML header and any markup it carries inert), a PDF at its page,
a rule by its name with its document article linked; anything the index does not serve is a 404, never a 5xx.

The app serves an index of a copy of the sample corpus (fake embedder) holding one more document, written to
carry markup and script links."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from urllib.parse import quote

import httpx
import pytest

from assistant.answering.service import ChatService
from assistant.chat_types import SourceRef
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings
from assistant.web import turns
from assistant.web.api import create_app
from assistant.web.render import card_head, source_card
from assistant.web.sources import SourceFiles
from assistant.web.store import Store
from tests.conftest import CORPUS
from tests.web_serving import serve_app

pytestmark = pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")

EVIL = "policies/zz-markup-test.md"
EVIL_TEXT = """---
title: 带标记的测试文件
issuer: 测试单位
doc_number: 测试〔2026〕1号
topic: land
district: ""
effective: 2026-01-01
expires: ""
language: zh
sample: false
---
# 带标记的测试文件

第一条　<script>alert('doc')</script>工业用地租金每月8元。<img src=x onerror=alert(1)>

第二条　[点我](javascript:alert(1)) ![图](data:image/png;base64,AAAA) [官网](https://example.org)。

第三条　厂房交付前完成消防验收，**验收合格**后方可入驻。
"""
DATA_CENTRE = "policies/gaxq-data-centre-power.md"
DOCX = "attachments/gy-standard-factory-application-checklist.docx"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, SourceFiles]]:
    root = tmp_path_factory.mktemp("sources")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / EVIL).write_text(EVIL_TEXT, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=root / "data", embeddings={"backend": "fake"},
                        retrieval={"today": date(2026, 11, 25)}, web={"rate_limit": {"enabled": False}})
    IndexBuilder(settings).build()
    service = ChatService.from_settings(settings)
    store = Store.from_settings(settings)
    with serve_app(create_app(settings, service, store=store, ui=False)) as base, \
            httpx.Client(base_url=base, timeout=60) as client:
        yield client, turns.source_files(service)
    store.close()


def _main(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none': no script
    return response.text.split("<main>", 1)[1]


def test_links_of_each_kind_point_at_the_cited_place(app: tuple[httpx.Client, SourceFiles]) -> None:
    _client, files = app
    row = SourceRef("标准厂房房源清单", "F-009", "…", doc_id="listings/factories.csv", kind="listing")
    assert files.url_for(row) == "/sources/listings/factories.csv?row=F-009"
    assert files.url_for(row, "en") == "/sources/listings/factories.csv?row=F-009&lang=en"
    article = SourceRef("说明", "第五条", "…", doc_id=DATA_CENTRE, highlight="第五条　享受优惠电价的数据中心")
    assert files.url_for(article) == (f"/sources/{DATA_CENTRE}?art={quote('第五条')}&hl="
                                      f"{quote('第五条 享受优惠电价的数据中心').replace('%20', '+')}#cited")
    pdf = SourceRef("办法", "第四条, p.2", "…", doc_id="policies/gy-standard-factory-leasing.pdf", page=2)
    assert files.url_for(pdf) == "/sources/policies/gy-standard-factory-leasing.pdf#page=2"
    # A rule of rules/*.yaml opens the article of the document it was taken from, not the YAML.
    rule = SourceRef("贵阳贵安工业及居民电价规则表", "tariffs.data_centre", "…", doc_id="rules/tariffs.yaml", kind="rule")
    assert files.url_for(rule) == f"/sources/{DATA_CENTRE}?art={quote('第四条')}#cited"
    assert files.rule("rules/tariffs.yaml", "tariffs.data_centre").name == "贵安新区数据中心优惠电价"  # type: ignore[union-attr]
    # A calculator's rule names its document by title and article(s): a PDF opens at that article's page.
    calc = SourceRef("贵州电网两部制输配电价有关事项的通知（摘编）", "第五条、第四条", "…", kind="rule")
    assert re.fullmatch(r"/sources/policies/gz-td-tariff-2026-421\.pdf#page=[1-9]", files.url_for(calc) or "")
    park = SourceRef("贵安新区（贵安综合保税区）园区信息", "P-04", "…", kind="rule")
    assert files.url_for(park) == "/sources/listings/parks.csv?row=P-04"
    assert files.url_for(SourceRef("服务热线", "项目管家", "…", kind="contact")) is None
    assert files.url_for(SourceRef("无此文件", "第一条", "…", doc_id="policies/none.md")) is None


def test_listing_row_page_shows_that_row(app: tuple[httpx.Client, SourceFiles]) -> None:
    client, _files = app
    zh = _main(client.get("/sources/listings/factories.csv", params={"row": "F-009"}))
    assert "<h1>贵州表面处理产业园 电镀专用厂房G1 1F" in zh and "<th>面积㎡</th><td>2000</td>" in zh
    assert "<th>状态</th><td>可出租</td>" in zh and "F-014" not in zh
    en = _main(client.get("/sources/listings/parks.csv", params={"row": "P-04", "lang": "en"}))
    assert "<h1>Gui&#x27;an New Area" in en and "<th>Land price ¥/m²</th><td>252</td>" in en
    workbook = _main(client.get("/sources/listings/factories-new-units.xlsx", params={"row": "F-016"}))
    assert "<th>编号</th><td>F-016</td>" in workbook
    whole = _main(client.get("/sources/listings/parks.csv"))
    assert whole.count("<tr id=") == 12 and 'href="/sources/listings/parks.csv?row=P-01"' in whole
    assert client.get("/sources/listings/parks.csv", params={"row": "P-99"}).status_code == 404


def test_english_row_page_names_its_listing_in_english(app: tuple[httpx.Client, SourceFiles]) -> None:
    """The listing's English title (its metadata's, else the generic name of what it lists), never its Chinese
    one, in the page's title, header and heading line; Chinese pages keep the Chinese title."""
    client, _files = app
    for path, row, listing in [("parks.csv", "P-04", "Park list"), ("factories.csv", "F-009", "Standard factory list"),
                               ("factories-new-units.xlsx", "F-016", "Standard factory list")]:
        page = client.get(f"/sources/listings/{path}", params={"row": row, "lang": "en"}).text
        title = re.search(r"<title>(.*)</title>", page)
        assert title is not None and title.group(1).endswith(f" · {listing} · Invest Guiyang Assistant"), title
        assert f'<p class="meta">{listing} · {row}</p>' in page
        head = page.split("<table", 1)[0]
        assert not CJK.search(head), head
    whole = client.get("/sources/listings/parks.csv", params={"lang": "en"}).text
    assert "<h1>Park list" in whole and "<title>Park list · Invest Guiyang Assistant</title>" in whole
    zh = client.get("/sources/listings/parks.csv", params={"row": "P-04"}).text
    assert '<p class="meta">园区信息清单 · P-04</p>' in zh and "· 筑商通</title>" in zh


def test_english_source_cards_name_documents_in_english(app: tuple[httpx.Client, SourceFiles]) -> None:
    """A card's title in English: the document's title_en (front matter, sidecar), a listing's kind, an English
    title as it is, else the Chinese title in pinyin named as a Chinese document (the Chinese kept in the hover
    text); places in English (Article 1); the link is the one it always was."""
    _client, files = app
    cases = [
        (SourceRef("标准厂房房源清单", "F-009", "…", doc_id="listings/factories.csv", kind="listing"),
         "Standard factory list"),
        (SourceRef("园区信息清单", "P-04", "…", doc_id="listings/parks.csv", kind="listing"), "Park list"),
        (SourceRef("贵安新区数据中心用电价格与电力保障说明", "第五条", "…", doc_id=DATA_CENTRE),
         "Gui&#x27;an New Area Data Centre Electricity Prices and Power Supply Assurance: Explanatory Note"),
        (SourceRef("贵阳贵安标准厂房招商与租金减免实施办法", "第四条", "…", doc_id="policies/gy-standard-factory-leasing.pdf",
                   page=2), "Guiyang–Gui&#x27;an Implementing Measures for Standard Factory Investment Promotion"),
        (SourceRef("标准厂房入驻申请材料清单", "第六条", "…", doc_id=DOCX),
         "Checklist of Application Materials for Moving into a Standard Factory"),
        (SourceRef("Guiyang–Gui'an Investor FAQ", "Land", "…", doc_id="guide/investor-faq-en.md", language="en"),
         "Guiyang–Gui&#x27;an Investor FAQ"),
        (SourceRef("带标记的测试文件", "第一条", "…", doc_id=EVIL), "Chinese document: Dai Biaoji"),
        # a rule file, by the title_en of its meta block
        (SourceRef("贵阳贵安工业及居民电价规则表", "tariffs.two_part_tariff", "…", doc_id="rules/tariffs.yaml", kind="rule"),
         "Guiyang and Gui&#x27;an Industrial and Residential Power Tariff Rules"),
        # a calculator's rule cites its document by title, with no doc_id
        (SourceRef("贵州电网两部制输配电价有关事项的通知（摘编）", "第五条", "…", kind="rule"),
         "Notice on Matters Concerning Guizhou Power Grid Two-part Transmission and Distribution Tariffs"),
    ]
    for source, english in cases:
        head = card_head(1, source, files, "en")
        doc = re.search(r'<span class="zst-doc"[^>]*>(.*?)</span>', head)
        assert doc is not None and doc.group(1).startswith(english), head
        assert "《" not in head and not CJK.search(re.sub(r' title="[^"]*"', "", head)), head
        url = files.url_for(source, "en")
        assert url is None or f'href="{url.replace("&", "&amp;")}"' in head, (url, head)
        assert f'<span class="zst-doc">《{source.title}》</span>' in card_head(1, source, files, "zh").replace(
            "&#x27;", "'")
    rule = SourceRef("贵阳贵安工业及居民电价规则表", "tariffs.data_centre", "…", doc_id="rules/tariffs.yaml", kind="rule")
    english = card_head(1, rule, files, "en")
    assert ("Source: Gui&#x27;an New Area Data Centre Electricity Prices and Power Supply Assurance: Explanatory Note"
            ", Article 4") in english
    # The rule's English name from its file, the Chinese in the hover text (a rule without one falls back to pinyin:
    # test_english_places).
    assert ('<span class="zst-doc" title="贵安新区数据中心优惠电价">Gui&#x27;an New Area data-centre preferential power '
            'price</span>') in english, english
    incentive = SourceRef("贵阳市人才引进与服务保障若干措施（汇编）", "incentives.talent-settlement-subsidy", "…",
                          doc_id="rules/incentives.yaml", kind="rule")
    assert ">Settlement subsidy for degree holders</span>" in card_head(1, incentive, files, "en")
    assert "依据《贵安新区数据中心用电价格与电力保障说明》第四条" in card_head(1, rule, files, "zh")
    # The rule's excerpt is its statement: the source its index text names is the head's, said once.
    text = files.rule("rules/tariffs.yaml", "tariffs.data_centre").text  # type: ignore[union-attr]
    card = source_card(1, replace(rule, text=text, highlight=text), files, "zh")
    assert text.count("（来源：") == 1 and "来源" not in card.split("zst-excerpt")[1] and "0.35" in card, card


def test_markdown_opens_at_the_article_with_the_sentence_marked(app: tuple[httpx.Client, SourceFiles]) -> None:
    client, _files = app
    page = _main(client.get(f"/sources/{DATA_CENTRE}", params={"art": "第五条", "hl": "第五条 享受优惠电价的数据中心"}))
    assert "title:" not in page and "issuer:" not in page and "---" not in page  # the YAML header is no text
    assert '<p class="meta">贵安新区管委会 · 2026-06-01</p>' in page
    assert '<p id="第五条"><mark id="cited">第五条　享受优惠电价的数据中心</mark>，应当' in page
    assert page.count('id="cited"') == 1 and '<p id="第十条">' in page and '<h2 id="二、数据中心电价">' in page
    # No sentence (or one the document does not hold): the article itself is the cited place.
    only = _main(client.get(f"/sources/{DATA_CENTRE}", params={"art": "第七条", "hl": "文件里没有这一句话啊"}))
    assert '<p id="第七条"><span id="cited" class="zst-article">第七条' in only and "<mark" not in only


def test_document_markup_and_a_crafted_link_stay_inert(app: tuple[httpx.Client, SourceFiles]) -> None:
    client, _files = app
    crafted = "<script>alert(1)</script>工业用地租金"
    page = _main(client.get(f"/sources/{EVIL}", params={"art": "<img src=x onerror=alert(2)>", "hl": crafted}))
    tags = re.findall(r"<[^>]*>", page)
    assert not [t for t in tags if re.search(r"<(script|img)\b|\son\w+=|javascript:|data:", t, re.I)], tags
    assert "&lt;script&gt;alert('doc')&lt;/script&gt;" in page and "&lt;img src=x onerror" in page
    assert '<a href="https://example.org"' in page and "<strong>验收合格</strong>" in page
    marked = _main(client.get(f"/sources/{EVIL}", params={"hl": "工业用地租金每月8元"}))
    assert '<mark id="cited">工业用地租金每月8元</mark>' in marked


def test_word_document_opens_at_the_article(app: tuple[httpx.Client, SourceFiles]) -> None:
    client, _files = app
    page = _main(client.get(f"/sources/{DOCX}", params={"art": "第六条", "hl": "园区收到齐全材料后"}))
    assert page.startswith("<h1>标准厂房入驻申请材料清单</h1>") and '<h2 id="第三章办理流程">' in page
    assert '<p id="第六条">第六条　<mark id="cited">园区收到齐全材料后</mark>' in page
    original = client.get(f"/sources/{DOCX}", params={"raw": "1"})
    assert original.status_code == 200 and original.content == (CORPUS / DOCX).read_bytes()


def test_an_english_reader_opens_a_chinese_document_with_english_words_around_it(
        app: tuple[httpx.Client, SourceFiles]) -> None:
    """The link of an English card carries the reader's language: the page's own words and title in English, the
    document itself as written, still at the cited article."""
    client, files = app
    url = files.url_for(SourceRef("贵安新区数据中心用电价格与电力保障说明", "第五条", "…", doc_id=DATA_CENTRE), "en")
    assert url is not None and "lang=en" in url and url.endswith("#cited"), url
    page = client.get(url.split("#")[0]).text
    assert "<title>Gui&#x27;an New Area Data Centre Electricity Prices" in page and "Original file" in page
    assert '<p id="第五条"' in page and "原始文件" not in page and "筑商通" not in page
    docx = client.get(files.url_for(SourceRef("标准厂房入驻申请材料清单", "第六条", "…", doc_id=DOCX), "en") or "").text
    assert "<b>Checklist of Application Materials for Moving into a Standard Factory</b>" in docx


def test_rule_page_names_the_rule_and_links_its_article(app: tuple[httpx.Client, SourceFiles]) -> None:
    client, _files = app
    page = _main(client.get("/sources/rules/tariffs.yaml", params={"rule": "tariffs.data_centre"}))
    section = re.search(r'<section class="rule cited" id="tariffs.data_centre">(.*?)</section>', page)
    assert section is not None and "<h2>贵安新区数据中心优惠电价</h2>" in section.group(1)
    assert f'<a href="/sources/{DATA_CENTRE}?art={quote("第四条")}#cited">《贵安新区数据中心用电价格与电力保障说明》第四条、第七条</a>' \
        in section.group(1)
    assert "tariffs.data_centre" not in re.sub(r'id="[^"]*"', "", page)  # the key is an anchor, never shown
    # In English: the rules' English names (else Latin letters), their documents' English titles and articles.
    english = _main(client.get("/sources/rules/incentives.yaml", params={"rule": "incentives.talent-settlement-subsidy",
                                                                          "lang": "en"}))
    section = re.search(r'<section class="rule cited" id="incentives.talent-settlement-subsidy">(.*?)</section>',
                        english)
    assert section is not None and "<h2>Settlement subsidy for degree holders" in section.group(1), english
    assert "Source: <a" in section.group(1) and "Guiyang Measures for Attracting Talent" in section.group(1)
    assert not CJK.search(re.sub(r"<p>[^<]*</p>", "", english)), english  # the rules' own statements stay Chinese
    assert client.get("/sources/rules/tariffs.yaml", params={"rule": "tariffs.nope"}).status_code == 404


@pytest.mark.parametrize("path", ["/sources/policies/none.md", "/sources/../pyproject.toml", "/sources/",
                                  "/sources/rules/../../app.py", "/sources/policies/gy-standard-factory-leasing.meta.yaml"])
def test_unknown_paths_are_404(app: tuple[httpx.Client, SourceFiles], path: str) -> None:
    client, _files = app
    assert client.get(path).status_code == 404


def test_bad_parameters_are_4xx_and_long_ones_are_cut(app: tuple[httpx.Client, SourceFiles]) -> None:
    client, _files = app
    assert client.get(f"/sources/{DATA_CENTRE}", params={"raw": "maybe"}).status_code == 422
    long = client.get(f"/sources/{DATA_CENTRE}", params={"hl": "长" * 1500, "art": "条" * 1500, "lang": "xx"})
    assert long.status_code == 200 and 'lang="zh-CN"' in long.text
