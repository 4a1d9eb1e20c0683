"""Language identification, ROOTS document modifications and per-language quality filters."""
