"""The core: points, frameworks, evaluations, edits, scoring, consensus, merging and comparison.

Pure: plain data in, plain data out; no files, no terminal, no words shown to users (those are
i18n's, used by the layers above)."""
