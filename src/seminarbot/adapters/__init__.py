"""Thin adapters: translate platform input into invocations and responses into platform output."""
