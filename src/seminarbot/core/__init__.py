"""Platform-neutral command core: declarations, parsing, dispatch, replies and prompt cards
(user-facing errors are domain.errors, below every layer)."""
