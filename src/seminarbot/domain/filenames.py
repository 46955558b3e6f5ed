"""Safe file names for exports and attachments: ASCII letters, digits, dot, dash, underscore."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RUNS = re.compile(r"[-_.]{2,}")
# Names Windows refuses whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}
MAX_STEM = 80


def safe_filename(stem: str, extension: str = "", *, fallback: str = "export") -> str:
    """`stem.extension` with accents folded, anything else unsafe turned into dashes, no
    leading dot (hidden files) or path separators, a bounded length and no reserved name."""
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    cleaned = _RUNS.sub("-", _UNSAFE.sub("-", folded)).strip("-._")[:MAX_STEM].rstrip("-._")
    if not cleaned:
        cleaned = fallback
    if cleaned.split(".")[0].lower() in _RESERVED:
        cleaned = "file-" + cleaned
    suffix = re.sub(r"[^a-z0-9]", "", extension.lower())[:10]
    return f"{cleaned}.{suffix}" if suffix else cleaned


def sanitise_filename(name: str, *, fallback: str = "file") -> str:
    """A whole file name from elsewhere (an attachment): its last extension kept, if sane."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    if not dot or not stem:
        return safe_filename(base, fallback=fallback)
    return safe_filename(stem, extension, fallback=fallback)
