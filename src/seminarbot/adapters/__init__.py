"""Thin adapters: translate platform input into invocations and participants' messages, and
the core's replies and prompt cards into platform output."""
