"""How long to wait before trying a platform again: doubling from `first`, capped at `limit`
seconds, reset on success. Both platforms' connection retries use it (README: Disconnects)."""

from __future__ import annotations


class Backoff:
    def __init__(self, first: float = 1.0, limit: float = 300.0) -> None:
        self.first = first
        self.limit = limit
        self.failures = 0

    def next_delay(self) -> float:
        delay = float(min(self.limit, self.first * 2 ** min(self.failures, 32)))
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0
