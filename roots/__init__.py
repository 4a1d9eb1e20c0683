"""roots: build a multilingual LLM training corpus the way BigScience built ROOTS."""

__version__ = "0.1.0"
