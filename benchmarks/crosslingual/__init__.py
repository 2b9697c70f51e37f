"""Cross-lingual retrieval benchmark on public Wikipedia reading-comprehension sets: XQuAD (zh + en) and CMRC 2018.

    python -m benchmarks.crosslingual [--limit N] [--directions zh-zh,en-en,en-zh,zh-en] [--skip-cmrc]
                                      [--skip-answers] [--embedder e5|fake] [--json FILE] [--data-dir DIR]

XQuAD: the 240 paragraphs in Chinese and in English in ONE index (480 documents), every question asked in both
languages; direction a→b asks the question in language a and looks for the gold paragraph in language b.
CMRC 2018 dev: 848 Chinese paragraphs, 3,219 Chinese questions, in an index of their own.

Each paragraph is one Markdown file with front matter (title, language, topic, sample) in a corpus folder under
the git-ignored benchmark data folder, indexed by the project's own IndexBuilder (its chunking, its lexical
index, the shipped lexicon.yaml), so a chunk always maps back to its paragraph. The index and the embedding
cache are kept there: a re-run re-embeds only what changed (the builder's content hashes and fingerprint).

Systems, all on the same index and the same embedder object:
- ours: the HybridRetriever search ChatService makes for a question (the service's retriever and filters);
- dense / lexical: SearchIndex.dense / SearchIndex.lexical_search over our chunks;
- langchain: langchain_chroma.Chroma over the same paragraphs (split 500/50), similarity_search.
Ranks are over paragraphs: ranked chunks are reduced to their paragraphs, first occurrence kept, in order.
answer∋gold: the target language's gold answer span inside ChatService.ask's answer text (citation markers
removed), for ours only; "cites gold": the answer cites the gold paragraph. top1∋gold: the span inside the whole
top-ranked paragraph, a reference for what a one-paragraph answer could hold (not an answer of that system).

The service runs with the domain gate off (answering.domain_gate) and the LLM mode off: Wikipedia is not our
remit; this measures retrieval and sentence choice. The data is read from ../shared/benchmarks/ and never copied
into the project, nor used to write rules or word lists.
"""

from benchmarks.crosslingual.cli import DIRECTIONS, main, parse_args, parse_directions
from benchmarks.crosslingual.data import (
    ISSUERS,
    QA,
    SEED,
    Paragraph,
    load_squad,
    paragraph_markdown,
    sample,
    write_corpus,
)
from benchmarks.crosslingual.runner import DatasetRun, run_dataset
from benchmarks.crosslingual.scoring import (
    RANK_K,
    AskResult,
    Ranked,
    Score,
    contains_answer,
    paragraph_ranking,
    score_direction,
)
from benchmarks.crosslingual.systems import CHUNK_K, SYSTEMS, QueryMemo, candidates_agree

__all__ = ["AskResult", "CHUNK_K", "DIRECTIONS", "DatasetRun", "ISSUERS", "Paragraph", "QA", "QueryMemo", "RANK_K",
           "Ranked", "SEED", "SYSTEMS", "Score", "candidates_agree", "contains_answer", "load_squad", "main",
           "paragraph_markdown", "paragraph_ranking", "parse_args", "parse_directions", "run_dataset", "sample",
           "score_direction", "write_corpus"]
