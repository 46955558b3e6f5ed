"""What the homeserver's answers say about waiting: a rate limit's delay, a server error.
The doubling delay itself is domain.backoff.Backoff."""

from __future__ import annotations

from typing import Any

RATE_LIMIT_CAP = 60.0  # seconds; a longer retry_after is waited out in several turns


def rate_limit_delay(response: Any) -> float | None:
    """Seconds the homeserver asked us to wait, if the response is a rate limit (429); 1 s
    where it says no number of milliseconds (`retry_after_ms`) that can be waited."""
    status = getattr(getattr(response, "transport_response", None), "status", None)
    if getattr(response, "status_code", None) != "M_LIMIT_EXCEEDED" and status != 429:
        return None
    retry_ms = getattr(response, "retry_after_ms", None)
    if not isinstance(retry_ms, int | float) or isinstance(retry_ms, bool) \
            or not 0 < retry_ms < float("inf"):
        retry_ms = 1000
    if retry_ms >= RATE_LIMIT_CAP * 1000:  # before dividing: an int of 400 digits is no float
        return RATE_LIMIT_CAP
    return max(0.05, retry_ms / 1000)


def is_server_error(response: Any) -> bool:
    """A 5xx (RFC 9110 §15.6), or 408 Request Timeout: worth another try, after a wait."""
    status = getattr(getattr(response, "transport_response", None), "status", None)
    return isinstance(status, int) and (500 <= status < 600 or status == 408)
