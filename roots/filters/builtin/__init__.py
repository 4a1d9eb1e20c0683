"""The built-in filters, one module each, in filter order (``MODULES``): the eight ROOTS filters in ROOTS
order (in every language config), then FineWeb's line filters, the Gopher quality and repetition filters and
C4's line filter, the model-based quality score (only where a language YAML lists them)."""

MODULES: tuple[str, ...] = (
    "number_words",
    "character_repetition",
    "word_repetition",
    "special_characters",
    "stopwords",
    "flagged_words",
    "lang_id",
    "perplexity",
    "line_punctuation",
    "short_lines",
    "duplicate_line_chars",
    "newline_ratio",
    "mean_word_length",
    "symbol_words",
    "bullet_lines",
    "ellipsis_lines",
    "alphabetic_words",
    "stopword_count",
    "duplicate_lines",
    "top_ngram_chars",
    "duplicate_ngram_chars",
    "c4_lines",
    "quality_score",
)
