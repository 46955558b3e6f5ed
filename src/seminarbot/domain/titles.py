"""Short titles for prompts, where a whole prompt does not fit: a forum post's title, a thread's
name, a transcript's thread heading. Pure."""

from __future__ import annotations

import re

SHORT_TITLE = 60  # characters of the prompt's own words in a title
TITLE_MAX = 100  # Discord's limit on a thread's (and a forum post's) name
_SENTENCE_END = re.compile(r"(?<=[.?!])\s")


def short_title(text: str, limit: int = SHORT_TITLE) -> str:
    """The text's first sentence on one line, cut at a word boundary to at most `limit`
    characters, an ellipsis marking the cut."""
    sentence = _SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def prompt_title(ref: str, text: str, limit: int = TITLE_MAX) -> str:
    """`1.2 · What did the council keep…`: the prompt's reference and its short title."""
    return short_title(f"{ref} · {short_title(text)}", limit)
