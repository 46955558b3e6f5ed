"""The local console: the embedded default, needing no account anywhere."""
