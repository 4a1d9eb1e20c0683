"""Pseudo-crawl: from a list of seed domains to documents, through Common Crawl's columnar index.

``select`` looks the seeds up in the index, ``fetch`` downloads just the selected WARC records with
HTTP (or S3) range requests into local WARC shards, ``pages`` extracts their text with the WARC
reader, ``menu`` finds each domain's menu lines and ``clean`` removes them; the ``crawl`` source
then feeds the cleaned pages (one source per domain) to the rest of the pipeline.
"""
