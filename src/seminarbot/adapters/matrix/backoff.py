"""How long to wait before trying the homeserver again: doubling, capped, reset on success."""

from __future__ import annotations

from typing import Any

RATE_LIMIT_CAP = 60.0  # seconds; a longer retry_after is waited out in several turns


class Backoff:
    def __init__(self, first: float = 1.0, limit: float = 300.0) -> None:
        self.first = first
        self.limit = limit
        self.failures = 0

    def next_delay(self) -> float:
        delay = float(min(self.limit, self.first * 2 ** self.failures))
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


def rate_limit_delay(response: Any) -> float | None:
    """Seconds the homeserver asked us to wait, if the response is a rate limit (429)."""
    status = getattr(getattr(response, "transport_response", None), "status", None)
    if getattr(response, "status_code", None) != "M_LIMIT_EXCEEDED" and status != 429:
        return None
    retry_ms = getattr(response, "retry_after_ms", None) or 1000
    return min(RATE_LIMIT_CAP, max(0.05, retry_ms / 1000))


def is_server_error(response: Any) -> bool:
    status = getattr(getattr(response, "transport_response", None), "status", None)
    return isinstance(status, int) and status >= 500
