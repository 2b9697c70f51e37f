"""The lexicon file: checked with file and line, never indexed as a document, carried by each build, and an
edit takes effect at the next ingest without re-reading the documents."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.index import IndexPaths, SearchIndex
from assistant.index.embeddings import HashEmbeddings
from assistant.ingest import IndexBuilder, check_corpus
from assistant.lexicon import Lexicon, LexiconError, load_lexicon, parse_lexicon
from assistant.settings import Settings
from tests.conftest import CORPUS, ROOT

DOC = """---
title: 青云区工业用地指引
issuer: 青云区自然资源局
doc_number: ""
topic: land
district: 青云区
effective: 2026-01-01
expires: ""
language: zh
sample: true
---
第一条 青云区工业用地出让起始价为每平方米300元。
第二条 峰谷分时电价由供电部门另行公布。
"""


def test_the_sample_lexicon_is_valid_and_names_what_code_used_to() -> None:
    lexicon = load_lexicon(CORPUS)
    assert "两免三减半" in lexicon.terms and lexicon.synonyms["峰谷"] == ("高峰", "低谷", "分时")
    assert lexicon.pattern("handoff").search("我要转人工")
    assert lexicon.pattern("off_topic").search("明天天气怎么样")
    assert lexicon.suggestions["land"].get("en")


def test_errors_name_the_line_and_the_key(tmp_path: Path) -> None:
    text = "terms: [标准厂房]\nsynonyms:\n  峰谷: 高峰\nhandoff:\n  - 人工\n  - '(unclosed'\nmisspelt: []\n"
    with pytest.raises(LexiconError) as caught:
        parse_lexicon(text, tmp_path / "lexicon.yaml")
    problems = {(line, key.split(".")[0]) for line, key, _msg in caught.value.problems}
    # a bare string is not a list of synonyms (line 3), a bad regular expression (line 4: its list), an unknown
    # section (line 7)
    assert (3, "synonyms") in problems and (7, "misspelt") in problems
    assert any(key.startswith("handoff") and "regular expression" in msg for _l, key, msg in caught.value.problems)
    assert "lexicon.yaml:3" in str(caught.value)


def test_an_empty_or_missing_lexicon_is_empty(tmp_path: Path) -> None:
    assert load_lexicon(tmp_path) == Lexicon()
    (tmp_path / "lexicon.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert load_lexicon(tmp_path) == Lexicon()


def test_check_reports_a_bad_lexicon_with_its_line(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "policies").mkdir(parents=True)
    (root / "policies" / "land.md").write_text(DOC, encoding="utf-8")
    (root / "lexicon.yaml").write_text("synonyms:\n  峰谷: [高峰]\noff_topic: 天气\n", encoding="utf-8")
    report = check_corpus(root)
    assert not report.ok
    assert [(p.path, p.row) for p in report.problems] == [("lexicon.yaml", 3)]
    assert report.files == 1  # the lexicon is no document
    out = subprocess.run([sys.executable, "ingest.py", str(root), "--check"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 1 and "lexicon.yaml:3 [off_topic]" in out.stdout


def _settings(root: Path, data: Path) -> Settings:
    return Settings(corpus_dir=root, data_dir=data, embeddings={"backend": "fake"})


def test_an_edited_lexicon_reaches_the_next_build_without_rereading_documents(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "policies").mkdir(parents=True)
    (root / "policies" / "land.md").write_text(DOC, encoding="utf-8")
    settings = _settings(root, tmp_path / "data")
    embeddings = HashEmbeddings(64)
    first = IndexBuilder(settings, embeddings=embeddings).build()
    assert [f.doc_id for f in first.files] == ["policies/land.md"]  # no lexicon yet: an empty one
    index = SearchIndex.open(settings, embeddings)
    assert index.lexicon == Lexicon()
    assert not index.lexical_search("拿地", 3)  # the documents say 用地; nothing maps 拿地 to it yet

    (root / "lexicon.yaml").write_text("synonyms:\n  拿地: [用地, 出让]\n", encoding="utf-8")
    second = IndexBuilder(settings, embeddings=embeddings).build()
    assert second.changed and second.reused_files == 1 and second.embedded == 0
    assert [f.doc_id for f in second.files] == ["policies/land.md"]  # still no document of its own
    index = SearchIndex.open(settings, embeddings)
    assert index.lexicon.synonyms == {"拿地": ("用地", "出让")}
    assert index.lexical_search("拿地", 3)

    third = IndexBuilder(settings, embeddings=embeddings).build()
    assert not third.changed  # nothing changed: the served build stays


def test_an_invalid_lexicon_leaves_the_served_build(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS / "policies", root / "policies", ignore=shutil.ignore_patterns("*.pdf", "*.meta.yaml"))
    settings = _settings(root, tmp_path / "data")
    embeddings = HashEmbeddings(64)
    served = IndexBuilder(settings, embeddings=embeddings).build().build_id
    (root / "lexicon.yaml").write_text("terms: 标准厂房\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="lexicon.yaml:1"):
        IndexBuilder(settings, embeddings=embeddings).build()
    assert IndexPaths(settings.index_dir).current_id() == served
