"""Retrieval and the places a question names: parks whose profiles state their prices in the same words are all
kept, a lone note does not hide the passage it appears in, and the named place's passages are read first.
An invented county's parks, written for these tests."""

from __future__ import annotations

from pathlib import Path

from assistant.index import Filters, HybridRetriever, SearchIndex
from assistant.index.embeddings import HashEmbeddings
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings

PARKS = {"east": "东湖园区", "west": "西山园区", "north": "北岭园区", "south": "南坪园区", "river": "河口园区",
         "hill": "青峰园区", "lake": "镜湖园区", "port": "港口园区"}
PRICE = "第三条　工业用地参考价为288元/㎡，折合19.2万元/亩。"


def _profile(name: str, price: str) -> str:
    return (f"---\ntitle: {name}简介\ntopic: parks\ndistrict: {name}\nlanguage: zh\n---\n\n"
            f"第一条　{name}是省级园区，主导产业为装备制造。\n\n第二条　{name}重点引进零部件项目。\n\n{price}\n")


def _retriever(tmp_path: Path) -> HybridRetriever:
    corpus = tmp_path / "corpus" / "policies"
    corpus.mkdir(parents=True)
    for key, name in PARKS.items():
        # Two parks state the same price in the same words; the others their own.
        price = PRICE if key in ("east", "west") else PRICE.replace("288", str(100 + len(key) * 7))
        (corpus / f"park-{key}.md").write_text(_profile(name, price), encoding="utf-8")
    (corpus / "notes.md").write_text("---\ntitle: 园区信息清单\ntopic: parks\nlanguage: zh\n---\n\n折合19.2万元/亩。\n",
                                     encoding="utf-8")
    settings = Settings(corpus_dir=corpus.parent, data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    IndexBuilder(settings, embeddings=HashEmbeddings(64)).build()
    return HybridRetriever(SearchIndex.open(settings, HashEmbeddings(64)), settings.retrieval)


def test_the_same_words_under_two_places_are_two_passages_and_a_fragment_hides_neither(tmp_path: Path) -> None:
    retriever = _retriever(tmp_path)
    hits = retriever.search("工业用地参考价288元", 20)
    prices = [retriever.chunk(h) for h in hits if "288元" in retriever.chunk(h).text]
    assert {c.district for c in prices} == {"东湖园区", "西山园区"}


def test_the_named_place_s_passages_are_read_first(tmp_path: Path) -> None:
    retriever = _retriever(tmp_path)

    def first(place: str, filters: Filters) -> int:
        hits = retriever.search("工业用地参考价多少", 24, filters)
        return next(i for i, h in enumerate(hits) if retriever.chunk(h).district == place)

    last = max(PARKS.values(), key=lambda place: first(place, Filters()))  # its price reads like every other's
    assert first(last, Filters()) > 3
    assert first(last, Filters(prefer_districts=(last,))) <= 3
