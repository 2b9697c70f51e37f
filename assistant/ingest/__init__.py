"""Corpus folder to index build: loaders, chunking, validation report, the builder and its CLI."""
