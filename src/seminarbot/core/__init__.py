"""Platform-neutral command core: declarations, parsing, responses and user-facing errors."""
