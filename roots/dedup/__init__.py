"""Exact, MinHash-LSH near-duplicate and repeated-line deduplication."""
