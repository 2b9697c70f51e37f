"""A built index, read side: embeddings, stored builds, BM25, hybrid retrieval."""
