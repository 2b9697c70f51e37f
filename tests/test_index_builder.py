"""IndexBuilder end to end: real Chroma and SQLite cache in tmp_path, the fast hashing embedder.

One full build of the sample corpus is made per module (``base``); tests that change things work on a
copy of it (corpus + data folder), so each pays only for the incremental builds it makes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from assistant.documents import Chunk
from assistant.index import quoted_sentences
from assistant.index.embeddings import HashEmbeddings
from assistant.index.lexical import Tokenizer
from assistant.index.search import SearchIndex
from assistant.index.store import COMPLETE, IndexPaths, chroma_client, collection_name
from assistant.ingest.builder import BuildReport, IndexBuilder, index_text
from assistant.ingest.loaders import discover, doc_id_for
from assistant.lexicon import load_lexicon
from assistant.settings import Settings
from tests.conftest import CORPUS, ROOT
from tests.pdf_factory import image_only_pdf, text_pdf

TAX = "policies/gy-tax-policy-guide.md"
OLD_TAX = "第八条　烟草制造业、住宿和餐饮业、批发和零售业、房地产业、租赁和商务服务业、娱乐业等行业不适用研发费用加计扣除政策。"
NEW_TAX = "第八条　蓝鲸星云企业适用特别辅导流程，由项目管家一对一对接。"
SUPERSEDED = "policies/gz-td-tariff-2023-superseded.md"


@dataclass
class Workspace:
    corpus: Path
    settings: Settings

    @property
    def paths(self) -> IndexPaths:
        return IndexPaths(self.settings.index_dir)

    def build(self, embeddings: HashEmbeddings | None = None, rebuild: bool = False) -> BuildReport:
        return IndexBuilder(self.settings, embeddings=embeddings or HashEmbeddings(64)).build(self.corpus, rebuild)

    def open(self) -> SearchIndex:
        return SearchIndex.open(self.settings, HashEmbeddings(64))

    def build_ids(self) -> set[str]:
        return {d.name for d in self.paths.builds.iterdir()}


def _workspace(root: Path, **index: object) -> Workspace:
    settings = Settings(corpus_dir=root / "corpus", data_dir=root / "data", embeddings={"backend": "fake"},
                        index=index)
    return Workspace(root / "corpus", settings)


class _Collections:
    """A build's Chroma collections (one per passage language) read as one."""

    def __init__(self, collections: list) -> None:
        self.collections = collections

    def count(self) -> int:
        return sum(c.count() for c in self.collections)

    def get(self, **kwargs) -> dict[str, list]:
        parts = [c.get(**kwargs) for c in self.collections]
        return {key: [x for p in parts for x in (p.get(key) or [])] for key in ("ids", "metadatas")}


def _collection(ws: Workspace, build_id: str) -> _Collections:
    client = chroma_client(ws.settings.index, ws.paths.build_dir(build_id))
    names = sorted(c.name for c in client.list_collections() if c.name.startswith(f"zst-{build_id}-"))
    assert names and set(names) <= {collection_name(build_id, lang) for lang in ("en", "zh")}
    return _Collections([client.get_collection(n) for n in names])


@pytest.fixture(scope="module", autouse=True)
def _one_jieba_dictionary() -> Iterator[None]:
    """Every Tokenizer loads jieba's dictionary (~1 s); share one loaded dictionary across this module's
    builds and searches. Same words, same domain terms: only the loading is skipped."""
    loaded = Tokenizer(load_lexicon(CORPUS).tokenizer_terms)._get()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Tokenizer, "_get", lambda self: loaded)
        yield


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport, HashEmbeddings]:
    root = tmp_path_factory.mktemp("base")
    shutil.copytree(CORPUS, root / "corpus")
    embeddings = HashEmbeddings(64)
    report = _workspace(root).build(embeddings)
    return root, report, embeddings


@pytest.fixture
def ws(base: tuple[Path, BuildReport, HashEmbeddings], tmp_path: Path) -> Workspace:
    """A private copy of the base corpus and its built index."""
    shutil.copytree(base[0], tmp_path / "ws")
    return _workspace(tmp_path / "ws")


def _edit_tax(corpus: Path) -> None:
    path = corpus / TAX
    text = path.read_text(encoding="utf-8")
    assert OLD_TAX in text
    path.write_text(text.replace(OLD_TAX, NEW_TAX), encoding="utf-8")


# ---------- full build ----------

def test_full_build_indexes_every_file_and_serves_it(base: tuple[Path, BuildReport, HashEmbeddings]) -> None:
    root, report, embeddings = base
    ws = _workspace(root)
    expected = {doc_id_for(p, ws.corpus) for p in discover(ws.corpus)}
    assert {f.doc_id for f in report.files if f.status == "indexed"} == expected
    assert not report.skipped and report.changed and report.chunks > 200
    assert ws.paths.current_file.read_text(encoding="utf-8") == report.build_id
    folder = ws.paths.build_dir(report.build_id)
    for name in ("manifest.json", "chunks.jsonl", "bm25.npz", "structured.json", "sentences.npy", COMPLETE):
        assert (folder / name).exists(), name

    index = ws.open()
    assert index.build_id == report.build_id and len(index.chunks) == report.chunks
    # nothing was cached before the first build: every distinct text (a passage, a sentence an answer may quote)
    # went through the model once
    texts = {index_text(c) for c in index.chunks} | set(quoted_sentences(index.chunks))
    assert report.embedded == sum(embeddings.calls) == len(texts)
    assert {c.doc_id for c in index.chunks} == expected
    assert index.lexical.weights.shape[0] == len(index.chunks) == _collection(ws, report.build_id).count()
    assert len(index.files()) == len(expected) and {"listings/factories.csv"} <= set(index.structured)

    hits = index.lexical_search("两免三减半", 5)
    assert hits and "两免三减半" in index.chunks[hits[0].position].text

    target = next(c for c in index.chunks if c.doc_id == "policies/gz-td-tariff-2026-421.pdf" and c.article == "第五条")
    dense = index.dense(index_text(target), 3)
    assert index.chunks[dense[0].position].chunk_id == target.chunk_id and dense[0].score > 0.99


def test_small_collections_are_searched_exactly_in_memory(base: tuple[Path, BuildReport, HashEmbeddings]) -> None:
    """Up to index.exact_search_max passages a language, dense search is one matrix product over vectors read
    from Chroma when the build is opened; its ranking is the one Chroma's HNSW index approximates."""
    root, _, embeddings = base
    exact, chroma = _workspace(root).open(), _workspace(root, exact_search_max=0).open()
    assert set(exact._exact) == set(exact.languages) and not chroma._exact
    for chunk in exact.chunks[::25]:
        vector = embeddings.embed_query(index_text(chunk))
        for language in exact.languages:
            mine, theirs = (ix.dense("", 10, vector=vector, language=language) for ix in (exact, chroma))
            assert [h.position for h in mine][:3] == [h.position for h in theirs][:3]
            assert all(abs(a.score - b.score) < 1e-4 for a, b in zip(mine, theirs, strict=True))
        assert exact.chunks[exact.dense("", 1, vector=vector)[0].position].chunk_id == chunk.chunk_id


def test_rerun_without_changes_is_a_no_op(ws: Workspace) -> None:
    current = ws.paths.current_id()
    embeddings = HashEmbeddings(64)
    report = ws.build(embeddings)
    assert not report.changed and report.build_id == current
    assert report.embedded == 0 and embeddings.calls == []
    assert report.reused_files == len(report.files) and report.chunks > 200
    assert "up to date" in report.summary()
    assert ws.build_ids() == {current}


# ---------- incremental ----------

def test_changed_file_reembeds_only_its_changed_chunks(ws: Workspace) -> None:
    old_id = ws.paths.current_id()
    old = ws.open()
    old_texts = {index_text(c) for c in old.chunks}
    tax_chunks = sum(1 for c in old.chunks if c.doc_id == TAX)
    _edit_tax(ws.corpus)

    embeddings = HashEmbeddings(64)
    report = ws.build(embeddings)
    new = ws.open()
    changed = [c for c in new.chunks if index_text(c) not in old_texts]
    new_sentences = set(quoted_sentences(new.chunks)) - set(quoted_sentences(old.chunks))
    assert report.changed and report.build_id != old_id and new.build_id == report.build_id
    assert changed and {c.doc_id for c in changed} == {TAX} and new_sentences == {NEW_TAX}
    assert report.embedded == sum(embeddings.calls) == len(changed) + len(new_sentences) and len(changed) < tax_chunks
    assert report.reused_files == len(report.files) - 1

    hits = new.lexical_search("蓝鲸星云", 3)
    assert hits and NEW_TAX in new.chunks[hits[0].position].text
    assert not any(OLD_TAX in c.text for c in new.chunks)
    collection = _collection(ws, new.build_id)
    assert collection.get(where_document={"$contains": "烟草制造业"})["ids"] == []
    assert len(collection.get(where_document={"$contains": "蓝鲸星云"})["ids"]) == 1
    # the previous build is left as it was (still complete, still holding the old text)
    assert any(OLD_TAX in c.text for c in SearchIndex(ws.settings, old_id, HashEmbeddings(64)).chunks)


def test_deleted_file_leaves_chunks_bm25_and_chroma(ws: Workspace) -> None:
    gone = "policies/park-p12-guizhou-surface-treatment-park.md"
    before = ws.open()
    assert any(c.doc_id == gone for c in before.chunks)
    (ws.corpus / gone).unlink()

    report = ws.build()
    index = ws.open()
    assert report.changed and report.embedded == 0
    assert gone not in {f.doc_id for f in report.files}
    assert not any(c.doc_id == gone for c in index.chunks)
    assert len(index.chunks) == len(before.chunks) - sum(1 for c in before.chunks if c.doc_id == gone)
    assert index.lexical.weights.shape[0] == len(index.chunks)
    assert all(index.chunks[h.position].doc_id != gone for h in index.lexical_search("贵州表面处理产业园简介", 20))
    collection = _collection(ws, index.build_id)
    assert collection.get(where={"doc_id": gone})["ids"] == []
    assert collection.count() == len(index.chunks)


def test_rebuild_starts_over(ws: Workspace) -> None:
    old_id = ws.paths.current_id()
    old_count = len(ws.open().chunks)
    report = ws.build(rebuild=True)
    assert report.changed and report.build_id != old_id
    assert report.reused_files == 0 and report.chunks == old_count
    assert report.embedded == 0  # the vectors still come from the content-hash cache
    assert ws.open().build_id == report.build_id


# ---------- bad inputs ----------

def test_bad_files_are_reported_and_the_rest_is_ingested(ws: Workspace) -> None:
    good = text_pdf(ws.corpus / "policies" / "good.pdf", [["hello world " * 5]]).read_bytes()
    (ws.corpus / "policies" / "broken.pdf").write_bytes(good[: len(good) // 3])
    (ws.corpus / "policies" / "good.pdf").unlink()
    text_pdf(ws.corpus / "policies" / "locked.pdf", [["secret terms " * 5]], password="pw")
    image_only_pdf(ws.corpus / "policies" / "scan.pdf")
    (ws.corpus / "policies" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    lines = (CORPUS / "listings" / "factories.csv").read_text(encoding="utf-8").splitlines()
    header, row = lines[0], lines[1].split(",")
    row[header.split(",").index("area_m2")] = "很大"
    (ws.corpus / "listings" / "factories-extra.csv").write_text(f"{header}\n{','.join(row)}\n", encoding="utf-8")

    report = ws.build()
    skipped = {f.doc_id: f for f in report.skipped}
    assert set(skipped) == {"policies/broken.pdf", "policies/locked.pdf", "policies/scan.pdf",
                            "policies/photo.png", "listings/factories-extra.csv"}
    assert skipped["policies/broken.pdf"].status == "unreadable"
    assert "corrupt or unreadable PDF" in skipped["policies/broken.pdf"].reason
    locked = skipped["policies/locked.pdf"]
    assert locked.status == "unreadable" and "encrypted" in locked.reason
    assert skipped["policies/scan.pdf"].status == "needs_ocr" and "OCR" in skipped["policies/scan.pdf"].reason
    assert skipped["policies/photo.png"].status == "unsupported" and ".png" in skipped["policies/photo.png"].reason
    csv = skipped["listings/factories-extra.csv"]
    assert csv.status == "unreadable" and "invalid factories listing" in csv.reason and "area_m2" in csv.reason
    assert "skipped policies/scan.pdf: [needs_ocr]" in report.summary()

    index = ws.open()
    indexed = {f.doc_id for f in report.files if f.status == "indexed"}
    assert indexed == {doc_id_for(p, CORPUS) for p in discover(CORPUS)}
    assert {c.doc_id for c in index.chunks} == indexed
    assert report.reused_files == len(indexed)


# ---------- atomicity ----------

class FailingEmbeddings(HashEmbeddings):
    """Embeds one batch, then fails the way a model crash or a Ctrl-C would."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(64)
        self.error = error

    @property
    def name(self) -> str:  # a new model name: nothing is cached, so every chunk must be embedded
        return "failing-hash"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.calls:
            raise self.error
        return super().embed_documents(texts)


@pytest.mark.parametrize("error", [RuntimeError("model crashed"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
def test_failed_build_leaves_the_served_build_whole(ws: Workspace, error: BaseException) -> None:
    old_id = ws.paths.current_id()
    old_count = len(ws.open().chunks)
    _edit_tax(ws.corpus)
    embeddings = FailingEmbeddings(error)
    with pytest.raises(type(error)):
        ws.build(embeddings)
    assert len(embeddings.calls) == 1  # it did get past the first batch
    assert ws.paths.current_file.read_text(encoding="utf-8") == old_id
    assert ws.build_ids() == {old_id}  # the half-made build folder is gone
    index = ws.open()
    assert index.build_id == old_id and len(index.chunks) == old_count
    hits = index.lexical_search("烟草制造业 加计扣除", 3)
    assert hits and OLD_TAX in index.chunks[hits[0].position].text
    assert not any("蓝鲸星云" in c.text for c in index.chunks)
    assert index.dense("研发费用加计扣除", 3)


def test_interrupt_after_the_switch_keeps_the_new_build(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while old builds are being collected: CURRENT already names the new build, which must stay."""
    old_id = ws.paths.current_id()
    _edit_tax(ws.corpus)

    def interrupted(self: IndexPaths, keep: int) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(IndexPaths, "stale_builds", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ws.build()
    new_id = ws.paths.current_id()
    assert new_id is not None and new_id != old_id and ws.build_ids() == {old_id, new_id}
    assert any(NEW_TAX in c.text for c in ws.open().chunks)


def test_malformed_date_is_a_warning_not_a_failed_build(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    ws.corpus.mkdir()
    (ws.corpus / "a.md").write_text("---\ntitle: 日期写错的办法\nissuer: 示例局\ntopic: land\neffective: 2026/01/01\n"
                                     "expires: 2027-12-31T00:00:00\nlanguage: zh\n---\n# 日期写错的办法\n\n第一条　正文。\n",
                                     encoding="utf-8")
    (ws.corpus / "b.md").write_text("---\ntitle: 好办法\neffective: 2026-01-01\n---\n# 好办法\n\n第一条　正文。\n",
                                     encoding="utf-8")
    report = ws.build()
    assert [f.status for f in report.files] == ["indexed", "indexed"]
    assert "effective: bad date '2026/01/01' (use YYYY-MM-DD)" in report.files[0].warnings
    assert "warning a.md: effective: bad date" in report.summary()
    meta = _collection(ws, str(report.build_id)).get(include=["metadatas"])["metadatas"]
    dates = {m["doc_id"]: (m["effective_int"], m["expires_int"]) for m in meta}
    assert dates == {"a.md": (0, 20271231), "b.md": (20260101, 99991231)}


def test_index_refuses_another_embedder(base: tuple[Path, BuildReport, HashEmbeddings]) -> None:
    from assistant.index.search import EmbedderMismatch

    with pytest.raises(EmbedderMismatch, match="hash-64"):
        SearchIndex.open(_workspace(base[0]).settings, HashEmbeddings(32))


_SLOW_BUILD = """
import sys, time
from pathlib import Path
from assistant.index import quoted_sentences
from assistant.index.embeddings import HashEmbeddings
from assistant.ingest.builder import IndexBuilder
from assistant.settings import Settings

class Slow(HashEmbeddings):
    def embed_documents(self, texts):
        print("Embedding", len(texts), flush=True)
        time.sleep(30)
        return super().embed_documents(texts)

corpus, data = Path(sys.argv[1]), Path(sys.argv[2])
settings = Settings(corpus_dir=corpus, data_dir=data, embeddings={"backend": "fake"})
IndexBuilder(settings, embeddings=Slow(64)).build()
print("DONE", flush=True)
"""


@pytest.mark.slow
def test_sigkill_mid_build_keeps_the_old_build_and_is_cleaned_up_later(ws: Workspace) -> None:
    old_id = ws.paths.current_id()
    old_count = len(ws.open().chunks)
    _edit_tax(ws.corpus)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_BUILD, str(ws.corpus), str(ws.settings.data_dir)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("Embedding"), line + (proc.stderr.read() if proc.stderr else "")
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    orphans = ws.build_ids() - {old_id}
    assert len(orphans) == 1 and not (ws.paths.build_dir(orphans.pop()) / COMPLETE).exists()
    index = ws.open()
    assert index.build_id == old_id and len(index.chunks) == old_count
    assert not any("蓝鲸星云" in c.text for c in index.chunks)
    assert index.lexical_search("烟草制造业", 3)

    report = ws.build()
    assert report.changed and ws.paths.current_id() == report.build_id
    assert ws.build_ids() == {old_id, report.build_id}  # the killed build's folder was collected
    assert any("蓝鲸星云" in c.text for c in ws.open().chunks)


# ---------- stale builds ----------

def test_stale_builds_are_collected_keeping_the_newest(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, keep_builds=2)
    ws.corpus.mkdir()
    ids = []
    for n in range(3):
        (ws.corpus / "note.md").write_text(f"---\ntitle: 第{n}版\n---\n# 第{n}版\n\n第一条　版本{n}的正文。\n",
                                           encoding="utf-8")
        report = ws.build()
        assert report.changed
        ids.append(report.build_id)
        assert ws.build_ids() == set(ids[-2:]), f"after build {n}"
    assert ids == sorted(ids)  # build ids sort by creation time, which the collector relies on

    crashed = ws.paths.build_dir("00000000-000000-000000-1")  # an incomplete folder left by a crash
    crashed.mkdir()
    ws.settings = ws.settings.model_copy(update={"index": ws.settings.index.model_copy(update={"keep_builds": 1})})
    (ws.corpus / "note.md").write_text("---\ntitle: 终版\n---\n# 终版\n\n第一条　终版正文。\n", encoding="utf-8")
    last = ws.build()
    assert ws.build_ids() == {last.build_id}
    assert "终版正文" in ws.open().chunks[0].text


# ---------- validity dates ----------

def test_superseded_document_is_filtered_by_date(base: tuple[Path, BuildReport, HashEmbeddings]) -> None:
    ws = _workspace(base[0])
    index = ws.open()
    old: list[Chunk] = [c for c in index.chunks if c.doc_id == SUPERSEDED]
    assert old and all(c.effective == "2023-06-01" and c.expires == "2026-07-31" for c in old)
    meta = _collection(ws, index.build_id).get(where={"doc_id": SUPERSEDED}, include=["metadatas"])["metadatas"]
    assert meta and all(m["effective_int"] == 20230601 and m["expires_int"] == 20260731 for m in meta)

    query = "贵州电网输配电价标准 10千伏 电量电价 需量电价 容量电价"

    def docs(day: date) -> set[str]:
        stamp = int(day.strftime("%Y%m%d"))  # a Chroma filter on the dates the builder writes as numbers
        where = {"$and": [{"effective_int": {"$lte": stamp}}, {"expires_int": {"$gte": stamp}}]}
        return {index.chunks[h.position].doc_id for h in index.dense(query, 30, where=where)}

    today = docs(date(2026, 11, 25))
    assert SUPERSEDED not in today and "policies/gz-td-tariff-2026-421.pdf" in today
    assert SUPERSEDED in docs(date(2025, 1, 1))
    assert SUPERSEDED in {index.chunks[h.position].doc_id for h in index.dense(query, 30)}  # unfiltered
