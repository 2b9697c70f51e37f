"""Staged builds, their cancel flag and the staging area, without the web: a staged build never moves CURRENT,
a cancelled one leaves no folder behind, publish moves the pending changes into the corpus in the same step as
the switch (and is finished after a crash), discard leaves the corpus as it was."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from assistant.index.store import IndexPaths, read_chunks, read_json
from assistant.ingest import BuildCancelled, IndexBuilder, StagingArea, StaleStage, UnsafePath, checked_doc_id
from assistant.settings import Settings

SIDE_DOC = "policies/gy-land-supply-price-guide.pdf"
NEW_DOC = "uploads/drone-incubator.md"
NEW_TEXT = "# 无人机孵化基地指南\n\n无人机孵化基地对新入驻企业给予一次性孵化补贴每家37万元。\n"


@pytest.fixture
def ws(tmp_path: Path, corpus_copy: Path) -> tuple[Settings, IndexPaths, str]:
    settings = Settings(corpus_dir=corpus_copy, data_dir=tmp_path / "data", embeddings={"backend": "fake"})
    report = IndexBuilder(settings).build()
    return settings, IndexPaths(settings.index_dir), report.build_id or ""


def _builds(paths: IndexPaths) -> set[str]:
    return {d.name for d in paths.builds.iterdir()}


def test_staged_build_leaves_current_alone_and_is_kept(ws: tuple[Settings, IndexPaths, str]) -> None:
    settings, paths, first = ws
    staging = StagingArea(settings)
    staging.add_file(NEW_DOC, NEW_TEXT.encode())
    report = IndexBuilder(settings).build(changes=staging.changes(), stage=True)
    assert paths.current_id() == first and paths.staged_id() == report.build_id != first
    assert not (settings.corpus_dir / NEW_DOC).exists()
    assert any("37万元" in c.text for c in read_chunks(paths.build_dir(report.build_id)))
    # Another published build (the operator's `python ingest.py`) collects old builds but keeps the staged one.
    (settings.corpus_dir / "policies" / "extra.md").write_text("# 补充\n\n补充说明。\n", encoding="utf-8")
    IndexBuilder(settings).build()
    IndexBuilder(settings).build(rebuild=True)
    assert paths.staged_id() == report.build_id and report.build_id in _builds(paths)


@pytest.mark.parametrize("stage_name", ["reading", "embedding"])
def test_cancel_stops_the_build_and_removes_its_folder(ws: tuple[Settings, IndexPaths, str], stage_name: str) -> None:
    settings, paths, first = ws
    before = _builds(paths)
    staging = StagingArea(settings)
    long = "# 长文档\n\n" + "\n".join(f"第{i}项：孵化基地第{i}号楼的面积为{i * 37}平方米。" for i in range(400))
    staging.add_file(NEW_DOC, long.encode())  # many new chunks, so several embedding batches
    cancel = threading.Event()
    seen: list[tuple[str, int]] = []

    def progress(stage: str, done: int, total: int) -> None:
        seen.append((stage, done))
        if stage == stage_name:
            cancel.set()  # as the console's Cancel does, from another thread

    with pytest.raises(BuildCancelled):
        IndexBuilder(settings, on_progress=progress, cancel=cancel).build(changes=staging.changes(), stage=True)
    assert [s for s, _ in seen].count(stage_name) == 1  # stopped at the next check, not at the end
    assert _builds(paths) == before and paths.current_id() == first and paths.staged_id() is None


def test_publish_moves_changes_into_the_corpus_with_the_switch(ws: tuple[Settings, IndexPaths, str]) -> None:
    settings, paths, first = ws
    corpus = settings.corpus_dir
    sidecar = corpus / SIDE_DOC.replace(".pdf", ".meta.yaml")
    assert sidecar.exists()
    staging = StagingArea(settings)
    staging.add_file(NEW_DOC, NEW_TEXT.encode())
    staging.remove(SIDE_DOC)
    new_lexicon = (corpus / "lexicon.yaml").read_text(encoding="utf-8") + "\ninjection_phrases: [robot overlord]\n"
    staging.set_lexicon(new_lexicon)
    with pytest.raises(StaleStage):
        staging.ready()  # nothing built from these changes yet
    report = IndexBuilder(settings).build(changes=staging.changes(), stage=True)
    staging.record_build(report.build_id or "")
    manifest = read_json(paths.build_dir(report.build_id) / "manifest.json")
    assert SIDE_DOC not in {f["doc_id"] for f in manifest["files"]} and NEW_DOC in {f["doc_id"] for f in manifest["files"]}
    assert (corpus / SIDE_DOC).exists() and "robot" not in (corpus / "lexicon.yaml").read_text(encoding="utf-8")

    assert staging.publish() == report.build_id == paths.current_id()
    assert not (corpus / SIDE_DOC).exists() and not sidecar.exists()
    assert (corpus / NEW_DOC).read_text(encoding="utf-8") == NEW_TEXT
    assert (corpus / "lexicon.yaml").read_text(encoding="utf-8") == new_lexicon
    assert paths.staged_id() is None and not settings.staging_dir.exists()
    # The corpus and the served build agree: building the corpus now changes nothing.
    assert not IndexBuilder(settings).build().changed


def test_an_interrupted_publish_is_finished_at_the_next_start(ws: tuple[Settings, IndexPaths, str]) -> None:
    settings, paths, first = ws
    staging = StagingArea(settings)
    staging.add_file(NEW_DOC, NEW_TEXT.encode())
    report = IndexBuilder(settings).build(changes=staging.changes(), stage=True)
    staging.record_build(report.build_id or "")
    state = staging.state()
    state.publishing = True  # as publish writes it before the first file moves; then the process died
    staging._save(state)
    assert paths.current_id() == first
    assert StagingArea(settings).recover()
    assert paths.current_id() == report.build_id and (settings.corpus_dir / NEW_DOC).exists()
    assert not StagingArea(settings).recover()  # nothing left to finish


def test_discard_leaves_the_corpus_and_the_served_build(ws: tuple[Settings, IndexPaths, str]) -> None:
    settings, paths, first = ws
    listing = sorted(p.relative_to(settings.corpus_dir) for p in settings.corpus_dir.rglob("*"))
    staging = StagingArea(settings)
    staging.add_file(NEW_DOC, NEW_TEXT.encode())
    staging.remove(SIDE_DOC)
    report = IndexBuilder(settings).build(changes=staging.changes(), stage=True)
    staging.discard()
    assert paths.current_id() == first and paths.staged_id() is None and report.build_id not in _builds(paths)
    assert sorted(p.relative_to(settings.corpus_dir) for p in settings.corpus_dir.rglob("*")) == listing
    assert not settings.staging_dir.exists()


def test_a_staging_folder_on_shared_storage_is_emptied_not_removed(ws: tuple[Settings, IndexPaths, str],
                                                                  tmp_path: Path) -> None:
    """A host whose staging folder links to the shared mount (README, More hosts): publish and discard empty it and
    keep the link, so nothing stays pending and the next change has somewhere to go."""
    settings, paths, _ = ws
    mount = tmp_path / "mount" / "staging"
    mount.mkdir(parents=True)
    settings.staging_dir.symlink_to(mount, target_is_directory=True)
    for finish in ("publish", "discard"):
        staging = StagingArea(settings)
        staging.add_file(NEW_DOC, f"# {finish}\n\n{finish} 说明。\n".encode())
        report = IndexBuilder(settings).build(changes=staging.changes(), stage=True)
        staging.record_build(report.build_id or "")
        getattr(staging, finish)()
        assert settings.staging_dir.is_symlink() and not any(mount.iterdir()), finish
        assert StagingArea(settings).changes() is None and paths.staged_id() is None
    assert (settings.corpus_dir / NEW_DOC).read_text(encoding="utf-8").startswith("# publish")


def test_a_staged_build_over_an_older_published_one_is_not_published(ws: tuple[Settings, IndexPaths, str]) -> None:
    settings, paths, _ = ws
    staging = StagingArea(settings)
    staging.add_file(NEW_DOC, NEW_TEXT.encode())
    staging.record_build(IndexBuilder(settings).build(changes=staging.changes(), stage=True).build_id or "")
    shutil.copy(settings.corpus_dir / "policies" / "gy-tax-policy-guide.md", settings.corpus_dir / "policies" / "copy.md")
    IndexBuilder(settings).build()  # the operator re-indexed from the command line meanwhile
    with pytest.raises(StaleStage, match="published index changed"):
        staging.publish()
    assert not (settings.corpus_dir / NEW_DOC).exists()


@pytest.mark.parametrize("doc_id", ["../outside.md", "/etc/passwd", "policies/../../x.md", "policies\\x.md", "",
                                    "./policies/x.md", "policies//x.md", "C:/x.md", "a\x00b.md", "policies/"])
def test_unsafe_doc_ids_are_refused(ws: tuple[Settings, IndexPaths, str], doc_id: str) -> None:
    settings, _, _ = ws
    with pytest.raises(UnsafePath):
        checked_doc_id(doc_id)
    with pytest.raises(UnsafePath):
        StagingArea(settings).remove(doc_id)


def test_a_folder_linking_out_of_the_corpus_is_refused(ws: tuple[Settings, IndexPaths, str], tmp_path: Path) -> None:
    settings, _, _ = ws
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.md").write_text("x", encoding="utf-8")
    (settings.corpus_dir / "linked").symlink_to(outside)
    with pytest.raises(UnsafePath, match="outside"):
        StagingArea(settings).remove("linked/keep.md")
    with pytest.raises(UnsafePath):
        StagingArea(settings).add_file("linked/new.md", b"x")
    assert (outside / "keep.md").exists() and not (outside / "new.md").exists()
