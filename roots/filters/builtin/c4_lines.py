"""C4's line filter (Raffel et al., 2020, §2.2): keep only lines that end a sentence, have enough words and
name no boilerplate phrase; the text is edited, and what was removed is recorded per document.

Re-implemented from the paper's description, multilingual: sentence ends are those of every script
(``roots.filters.lines``), words are counted with the language's segmenter, and the phrases are a
per-language list in the YAML (C4's English ones by default). A document whose removed share of
characters is above ``max`` is removed as a whole (``max: 1``: never).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from pydantic import Field

from roots.filters.derive import upper
from roots.filters.filter import Batch, DeriveRule, Filter, FilterConfig, Modified, Statistic
from roots.filters.lines import ends_sentence


class C4LinesConfig(FilterConfig):
    max: float = Field(1.0, ge=0, le=1, description="largest share of characters the line removal may take")
    min_words: int = Field(3, ge=0, description="a line with fewer words (the language's words) is removed")
    terminal_punctuation: bool = Field(True, description="remove lines that do not end a sentence")
    phrases: list[str] = Field(
        default_factory=lambda: [
            "javascript",
            "cookie policy",
            "use cookies",
            "privacy policy",
            "terms of use",
        ],
        description="a line containing one of these (case-insensitive) is removed",
    )


class C4Lines(Filter):
    name = "c4_lines"
    Config = C4LinesConfig
    statistics = (Statistic("c4_removed_char_ratio"), Statistic("c4_removed_lines", pa.int64()))
    bounds = ("max",)
    derive = (DeriveRule("max", "clamp(q95 + 0.05, 0.5, 1)", upper(0.95, 0.05, 0.5, 1.0)),)
    label = "Lines removed by C4's rules"
    measures = (
        "The share of the document's characters in lines C4's rules remove: lines that do not end a "
        "sentence, have too few words, or mention javascript, cookies or terms of use. The lines are "
        "removed from the text; a document losing more than this share is removed as a whole."
    )
    unit = "Share of characters in removed lines (0 to 1)"
    modifies_text = True
    config: C4LinesConfig

    def modify(self, batch: Batch) -> Modified:
        config = self.config
        phrases = [p.lower() for p in config.phrases]
        split = [text.split("\n") for text in batch.texts]
        flat = [line for parts in split for line in parts]
        words = batch.segment(flat).counts if config.min_words else np.zeros(len(flat), np.int64)
        texts, removed_lines = [], np.zeros(len(batch), np.int64)
        ratio = np.full(len(batch), np.nan)
        k = 0
        for i, parts in enumerate(split):
            kept, removed_chars = [], 0
            for line in parts:
                stripped = line.strip()
                lowered = stripped.lower()
                drop = bool(stripped) and (
                    (config.terminal_punctuation and not ends_sentence(stripped))
                    or words[k] < config.min_words
                    or any(p in lowered for p in phrases)
                )
                k += 1
                if drop:
                    removed_lines[i] += 1
                    removed_chars += len(line) + 1
                else:
                    kept.append(line)
            text = batch.texts[i]
            if text:
                ratio[i] = min(removed_chars, len(text)) / len(text)
            texts.append("\n".join(kept).strip())
        return Modified(texts, {"c4_removed_char_ratio": ratio, "c4_removed_lines": removed_lines})
