"""Sources: read HF datasets, WARC files, PDFs and jsonl into documents (the extract stage)."""
