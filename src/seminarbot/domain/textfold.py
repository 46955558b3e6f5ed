"""Folding text for matching: case, accents, apostrophe styles and line-end hyphens don't matter."""

from __future__ import annotations

import re
import unicodedata

from seminarbot.domain.display import DEFAULT_IGNORABLE

_APOSTROPHES = re.compile(r"['’‘ʼ`´ʹ]")
_LINE_HYPHEN = re.compile(r"(\w)[-\u00ad]\s*\n\s*(\w)")
_NON_WORD = re.compile(r"[\W_]+")
# English words too common to look up or to rank by: a search's terms, a glossary's near
# matches and the definitions that name a word (helper-191's 6: "the" offered "the gap").
COMMON = frozenset({"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into",
                    "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was",
                    "were", "with"})


def without_accents(text: str) -> str:
    """Case and accents folded away: `État` → `etat`."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def as_word(raw: str) -> str:
    """An argument as it is compared with the words it may be (an option, a weekday, `off`):
    NFKC, so the full-width letters and digits a CJK keyboard types are ASCII ones, without
    the characters that show nothing (a zero-width space pasted with it), lower case, no
    spaces at either end."""
    return DEFAULT_IGNORABLE.sub("", unicodedata.normalize("NFKC", raw)).strip().lower()


def as_read(text: str) -> str:
    """The text as it reads, for telling the same words typed twice: Unicode's canonical
    composition (NFC, so é typed either way is one), without the characters that show nothing
    (display.DEFAULT_IGNORABLE; README, Responses), each run of white space one space, none at
    either end. Letter case stays: it is what was written."""
    shown = DEFAULT_IGNORABLE.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", shown).strip()


_SPACES = re.compile(r"\s+")
# What surrounds a name as people type or quote it: `@name`, `` `name` ``, "name,", 'name'
SURROUNDING = " \t\n\r`'\"@,.;:!?()[]{}<>“”‘’«»"


def name_key(text: str) -> str:
    """A person's name as names are compared: NFKC (a decomposed é is the composed one,
    full-width letters are ASCII ones), without what shows nothing, case folded (Unicode's:
    Straße and STRASSE, σοφος and ΣΟΦΟΣ)."""
    return unicodedata.normalize("NFKC", DEFAULT_IGNORABLE.sub("", text)).casefold()


def cased(text: str) -> str:
    """Text as `fold` reads it before its accents go: NFC, case folded, what shows nothing and
    apostrophes dropped. For a rule that needs its letters whole (Russian й is not и)."""
    text = unicodedata.normalize("NFC", DEFAULT_IGNORABLE.sub("", text))
    return _APOSTROPHES.sub("", text).casefold()


def fold(text: str) -> str:
    """A comparison key: `Glasnost'`, `glasnost’` and `glasnost` all fold to `glasnost`, and
    so does `glas\u200bnost` (what shows nothing is not compared)."""
    text = without_accents(DEFAULT_IGNORABLE.sub("", _LINE_HYPHEN.sub(r"\1\2", text)))
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", text)).strip()


def search_terms(words: str, limit: int = 20) -> list[str]:
    """Someone's search words as full-text tokens, split where the index splits them (an
    apostrophe too: `Lenin’s` → `lenin`, as SQLite FTS5's unicode61 tokenizer does); words of
    one letter and any past `limit` are dropped. Plain words only: no query syntax."""
    return [token for token in re.findall(r"\w+",
                                          without_accents(DEFAULT_IGNORABLE.sub("", words)))
            if len(token) > 1][:limit]


def contains_term(folded_text: str, term: str) -> bool:
    """Whole-word match of a term in folded text, allowing a plural -s or -es on its last word."""
    key = fold(term)
    if not key:
        return False
    pattern = r"(?:^|\s)" + re.escape(key) + r"(?:s|es)?(?=\s|$)"
    return re.search(pattern, folded_text) is not None


def words(text: str) -> list[str]:
    return fold(text).split()
