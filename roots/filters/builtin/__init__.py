"""The eight ROOTS filters, one module each, in ROOTS order (``MODULES``)."""

MODULES: tuple[str, ...] = (
    "number_words",
    "character_repetition",
    "word_repetition",
    "special_characters",
    "stopwords",
    "flagged_words",
    "lang_id",
    "perplexity",
)
