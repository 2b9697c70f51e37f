"""Shared fixtures: every test gets its own data folder; nothing reads the developer's environment."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.calculators.rules import RuleSet
from assistant.index.embeddings import HashEmbeddings
from assistant.ingest.loaders.ocr import PageOcr
from assistant.lexicon import load_lexicon
from assistant.listings import Places
from assistant.listings.records import Factory, load_factories, load_parks
from assistant.settings import Settings
from assistant.validation import FACTORY_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FACTS = ROOT.parent / "shared" / "domain" / "facts.md"
SCANNED_SAMPLE = CORPUS / "policies" / "gy-factory-power-connection-notice.pdf"
OCR_CACHE_ENV = "ZST_INDEX__OCR__CACHE_DIR"


@pytest.fixture(scope="session", autouse=True)
def _shared_ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The sample corpus holds a scanned PDF (several seconds of real OCR). Many tests build the corpus in
    fresh data folders; they share one OCR page cache for the session, so the page is read once. Tests of
    the cache itself set their own ``index.ocr.cache_dir``."""
    os.environ[OCR_CACHE_ENV] = str(tmp_path_factory.mktemp("ocr-cache"))
    yield
    os.environ.pop(OCR_CACHE_ENV, None)


def shared_ocr() -> PageOcr:
    """A page reader on the session's shared OCR cache, for tests that load the corpus without the builder."""
    return PageOcr(Path(os.environ[OCR_CACHE_ENV]) / "ocr.sqlite3")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("ZST_") and key != OCR_CACHE_ENV:
            monkeypatch.delenv(key)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(corpus_dir=CORPUS, data_dir=tmp_path / "data", embeddings={"backend": "fake"})


@pytest.fixture
def fake_embeddings() -> HashEmbeddings:
    return HashEmbeddings(64)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the sample corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


# ---- calculation tests: the real corpus rules, and a one-row factory listing ----
@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return RuleSet.load(CORPUS / "rules", CORPUS / "listings")


@pytest.fixture
def factories(tmp_path: Path) -> list[Factory]:
    path = tmp_path / "factories.csv"
    row = ["F-001", "贵阳经济技术开发区", "经开区", "3号厂房", "1F", "4800", "9", "5", "1250", "14", "", "for_rent",
           "装备制造", "0851-0000-0001", "", "true", "2026-11-01"]
    path.write_text(",".join(FACTORY_COLUMNS) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    return load_factories(path)


@functools.cache
def sample_places() -> Places:
    """The sample corpus's place catalogue as a served index builds it: its parks, factory rows and lexicon (the
    documents' district metadata names no district the listings lack)."""
    listings = CORPUS / "listings"
    return Places.build(load_parks(listings / "parks.csv"), load_factories(listings / "factories.csv"), (),
                        load_lexicon(CORPUS))
