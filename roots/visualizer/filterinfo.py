"""What each ROOTS filter measures, in words a native speaker who is not a programmer can follow.

One ``FilterSpec`` per filter, in ROOTS order: which statistic column it reads, which bounds it has
(a document is removed when its value is *below* ``min`` or *above* ``max``), and the texts the
dashboard shows next to its slider.
"""

from __future__ import annotations

from dataclasses import dataclass

from roots.filters.language_config import FILTER_ORDER


@dataclass(frozen=True)
class FilterSpec:
    name: str  # key under ``filters:`` in the language YAML
    column: str  # statistic column in RUN/filter/*/part-*.parquet
    label: str  # short title
    measures: str  # what the number is, in plain words
    unit: str  # axis label of the histogram
    bounds: tuple[str, ...]  # ("min",), ("max",) or ("min", "max")
    integer: bool = False
    step: float = 0.001

    def bound_help(self, bound: str) -> str:
        """Which documents a bound removes, for the slider's help text."""
        if bound == "min":
            return f"Documents whose {self.unit.lower()} is below this value are removed."
        return f"Documents whose {self.unit.lower()} is above this value are removed."

    def bound_label(self, bound: str) -> str:
        if self.bounds == ("min", "max"):
            return "Fewest allowed" if bound == "min" else "Most allowed"
        return "Remove documents below" if bound == "min" else "Remove documents above"


FILTER_SPECS: tuple[FilterSpec, ...] = (
    FilterSpec(
        name="number_words",
        column="number_words",
        label="Number of words",
        measures="How many words the document has. Very short documents are usually menus, titles or "
        "fragments; extremely long ones are often dumps of lists.",
        unit="Number of words",
        bounds=("min", "max"),
        integer=True,
        step=1,
    ),
    FilterSpec(
        name="character_repetition",
        column="character_repetition_ratio",
        label="Repeated characters",
        measures="The share of the text made of its most repeated short character sequences. High values "
        "mean the same few letters or symbols are repeated again and again (e.g. 'aaaa', '!!!!', "
        "spam blocks).",
        unit="Character repetition ratio (0 to 1)",
        bounds=("max",),
    ),
    FilterSpec(
        name="word_repetition",
        column="word_repetition_ratio",
        label="Repeated word sequences",
        measures="The share of word sequences (a few words in a row) that appear more than once in the "
        "document. High values mean copied sentences, boilerplate or keyword spam.",
        unit="Word repetition ratio (0 to 1)",
        bounds=("max",),
    ),
    FilterSpec(
        name="special_characters",
        column="special_characters_ratio",
        label="Special characters",
        measures="The share of characters that are punctuation, digits, symbols, emoji or spaces. Ordinary "
        "prose is around 0.2 because spaces count; tables, code and lists of numbers score higher.",
        unit="Special character ratio (0 to 1)",
        bounds=("max",),
    ),
    FilterSpec(
        name="stopwords",
        column="stopwords_ratio",
        label="Common small words (stop words)",
        measures="The share of words that are very common function words of the language (in English: "
        "'the', 'and', 'of'). Real sentences contain many; word lists, titles and text in another "
        "language contain few.",
        unit="Stop-word ratio (0 to 1)",
        bounds=("min",),
    ),
    FilterSpec(
        name="flagged_words",
        column="flagged_words_ratio",
        label="Flagged (pornographic) words",
        measures="The share of words found on the language's flagged-word list (words used almost only in "
        "pornographic contexts). Without a list this filter removes nothing.",
        unit="Flagged-word ratio (0 to 1)",
        bounds=("max",),
    ),
    FilterSpec(
        name="lang_id",
        column="lang_id_score",
        label="Language identification confidence",
        measures="How sure the language identifier is that the document is written in this language "
        "(1 = certain). Low values mean mixed languages, another language, or text that is not prose.",
        unit="Language-ID score (0 to 1)",
        bounds=("min",),
        step=0.01,
    ),
    FilterSpec(
        name="perplexity",
        column="perplexity",
        label="Perplexity (how unusual the text looks)",
        measures="How surprised a language model trained on Wikipedia in this language is by the text. Low "
        "values look like fluent, encyclopedic prose; very high values are gibberish, lists or "
        "machine-generated text. Needs a KenLM model; without one this filter removes nothing.",
        unit="Perplexity",
        bounds=("max",),
        step=1,
    ),
)

SPECS_BY_NAME: dict[str, FilterSpec] = {spec.name: spec for spec in FILTER_SPECS}
STAT_COLUMNS: tuple[str, ...] = tuple(spec.column for spec in FILTER_SPECS)

assert tuple(SPECS_BY_NAME) == FILTER_ORDER, "filter specs must follow the ROOTS filter order"
