"""Export the final documents: Megatron indexed datasets, parquet/jsonl, tokenizer, blend weights."""
