"""JSON from outside the bot's own writes (a file someone may have damaged, a server's answer),
read with one error for whatever it cannot be."""

from __future__ import annotations

import json
from typing import Any


def read_json(text: str | bytes | bytearray) -> Any:
    """`text` as JSON (RFC 8259). Raises ValueError for any text `json` cannot read: no JSON
    (json.JSONDecodeError), bytes that are no UTF-8 (UnicodeDecodeError), a number of more
    than 4,300 digits (Python's limit on int from text), and nesting too deep for the
    interpreter's stack, where json itself raises RecursionError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("it is nested too deep to be read") from None
