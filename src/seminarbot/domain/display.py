"""Participants' text where it is shown (the bot's messages, the console, every export).

Bidirectional controls are stored as typed (a right-to-left name needs them) but isolated when
shown, so that an override in a name or an answer cannot reverse the text after it (Unicode's
bidirectional algorithm, UAX #9): on each line, closers without an opener are dropped, openers
left open are closed at the line's end, and the line is wrapped in FIRST STRONG ISOLATE … POP
DIRECTIONAL ISOLATE. Text without such controls is shown exactly as it is.

Control characters never reach a terminal raw: `terminal_safe` shows them as symbols. Nor do
they reach an export or a reply: what is shown of a stored value is `clean` of it (`as_text`),
the text as the write path stores it, even where another program wrote the row.
"""

from __future__ import annotations

import re
import unicodedata

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
BIDI_CONTROLS = frozenset((LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI))
_EMBEDDINGS = frozenset((LRE, RLE, LRO, RLO))  # closed by PDF
_ISOLATES = frozenset((LRI, RLI, FSI))  # closed by PDI
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
BIDI_BYTES = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")  # the same, in UTF-8
# What json_safe writes as \u escapes: the bidirectional controls, and the line and paragraph
# separators, which JSON allows raw in a string but which readers that split on every Unicode
# line break (Python's str.splitlines, JavaScript before ES2019) take for the end of a line.
_JSON_UNSAFE = re.compile("[\u2028-\u202e\u2066-\u2069]")
JSON_UNSAFE_BYTES = re.compile(rb"\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")  # in UTF-8
# Control characters (Unicode category Cc: C0, DEL and C1) other than tab and newline. NUL stops
# SQLite's text functions; ESC starts terminal escape sequences; none of them shows as text.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The controls that end a line (Unicode's line breaking, UAX #14: CR, and VT, FF and NEL, which
# it classes with LF), CR LF as one, and the line and paragraph separators: `clean` makes each
# a newline, so the words on either side do not run together, and every line shows as one.
_LINE_ENDS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# In UTF-8 a C0 control or DEL is that one byte (never part of a longer sequence); a C1
# control is 0xC2 then 0x80-0x9F.
_C0_BYTES = bytes(b for b in range(0x80) if CONTROLS.match(chr(b)))
_C1_BYTES = re.compile(rb"\xc2[\x80-\x9f]")
# Halves of a UTF-16 pair on their own (a malformed JSON escape) cannot be stored as UTF-8.
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
# Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt, unchanged from
# Unicode 9 to 16): characters that show nothing unless a font has a reason to. Python's
# unicodedata does not expose the property.
DEFAULT_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")


def has_bidi_controls(text: str) -> bool:
    # Nine `in` tests, not _BIDI.search: each is a memchr-like scan, and none at all in text
    # whose characters are all below U+0100; the regular expression tests every character in
    # Python's matcher, ten to thirty times slower on a reply (and run on every field shown).
    return ("\u202a" in text or "\u202b" in text or "\u202c" in text or "\u202d" in text
            or "\u202e" in text or "\u2066" in text or "\u2067" in text or "\u2068" in text
            or "\u2069" in text)


def _balanced(line: str) -> str:
    """One line with every bidirectional control matched: a PDF or PDI that closes nothing is
    dropped, and whatever is still open at the end is closed there, innermost first."""
    open_: list[str] = []
    isolates = 0  # of open_ (counted: a PDI that closes nothing looks at no stack)
    out: list[str] = []
    for char in line:
        if char in _EMBEDDINGS or char in _ISOLATES:
            open_.append(char)
            isolates += char in _ISOLATES
        elif char == PDF:
            if not open_ or open_[-1] not in _EMBEDDINGS:
                continue  # UAX #9 ignores it too, unless it would close something of ours
            open_.pop()
        elif char == PDI:
            if not isolates:
                continue
            while open_.pop() not in _ISOLATES:
                pass  # a PDI also closes the embeddings opened inside its isolate
            isolates -= 1
        out.append(char)
    out.extend(PDF if opener in _EMBEDDINGS else PDI for opener in reversed(open_))
    return "".join(out)


def _isolated_already(line: str) -> bool:
    """The whole line is one isolate: it opens with FSI whose PDI is its last character."""
    if not (line.startswith(FSI) and line.endswith(PDI)):
        return False
    depth = 0
    for index, char in enumerate(line):
        if char in _ISOLATES:
            depth += 1
        elif char == PDI:
            depth -= 1
            if depth == 0:
                return index == len(line) - 1
    return False


def isolate(text: str) -> str:
    """The text as shown: unchanged without bidirectional controls; otherwise each line
    balanced and wrapped in FSI … PDI. Applying it twice changes nothing more."""
    if not has_bidi_controls(text):
        return text
    lines = []
    for line in text.split("\n"):
        line = _balanced(line)
        if has_bidi_controls(line) and not _isolated_already(line):
            line = FSI + line + PDI
        lines.append(line)
    return "\n".join(lines)


def without_bidi_controls(text: str) -> str:
    """The text with its bidirectional controls removed: for a piece that has no room left to
    close them."""
    return _BIDI.sub("", text)


def json_safe(encoded: str) -> str:
    """JSON text (from json.dumps) with bidirectional controls, and U+2028 and U+2029, written
    as \\u escapes: the values read back exactly as stored, the file itself shows no raw
    control, and a reader that splits lines on every Unicode line break finds one per line."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)


def _symbol(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ … ␟ (␛ for ESC)
    return "\u2421" if code == 0x7F else "\ufffd"


def terminal_safe(text: str) -> str:
    """Text for a terminal: every control character but tab and newline shown as a symbol, so
    no escape sequence (ESC [ 31 m, a title change, a cursor move) is ever written raw."""
    return CONTROLS.sub(_symbol, text)


# Line feed, and the line and paragraph separators (which str.splitlines and some log viewers
# break at): as symbols.
_LINE_BREAKS = str.maketrans({"\n": "\u240a", "\u2028": "\u2424", "\u2029": "\u2424"})


def one_line_safe(text: str) -> str:
    """Text for one line of a log or of standard error: `terminal_safe`, and a line break shown
    as a symbol too (␊), so that no value (a path, a server's answer) can begin a line of its
    own that reads like one of ours."""
    return terminal_safe(text).translate(_LINE_BREAKS)


def in_a_line(value: str, limit: int = 200) -> str:
    """Another program's words (a server's answer, where a redirect points) inside one of
    ours: `one_line_safe`, isolated, at most `limit` characters with the cut marked (…)."""
    shown = isolate(one_line_safe(value[:limit]))
    return shown + "…" if len(value) > limit else shown


def embedded(value: str) -> str:
    """A piece of a person's text placed inside the bot's own sentence ("There is no command
    `…`."): always one isolate of its own, bidirectional controls balanced inside it, so
    nothing it opens reaches the words after it. Text without bidirectional controls is left
    as it is."""
    if not has_bidi_controls(value):
        return value
    return FSI + _balanced(value.replace("\n", " ")) + PDI


def is_unicode(text: str) -> bool:
    """Whether the text holds no lone surrogate (which JSON's escapes and undecodable input
    can give, and UTF-8, so SQLite, cannot hold)."""
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def unicode_text(text: str) -> str:
    """The text with each lone surrogate replaced by U+FFFD (`is_unicode`)."""
    return text if is_unicode(text) else _LONE_SURROGATES.sub("\ufffd", text)


def clean(text: str) -> str:
    """The text with each line end (CR LF, a lone CR, VT, FF, NEL, U+2028, U+2029) made a
    newline, every other control character except tab removed, and a lone surrogate replaced
    by U+FFFD."""
    try:
        data = text.encode()  # fails only on a lone surrogate
    except UnicodeEncodeError:
        return _LONE_SURROGATES.sub("\ufffd", CONTROLS.sub("", _LINE_ENDS.sub("\n", text)))
    # Most texts hold none. Deleting bytes is a C loop, several times faster than the regular
    # expression's scan of every character.
    if not has_controls(data) and "\u2028" not in text and "\u2029" not in text:
        return text
    return CONTROLS.sub("", _LINE_ENDS.sub("\n", text))


def as_text(value: object) -> str:
    """A stored value as text to show, "" for NULL, `clean`. Storage reads the text columns
    it shows of a row that may be damaged (another program's write, a damaged file) as bytes
    (CAST … AS BLOB) and decodes them here: bytes that are not UTF-8 read as U+FFFD, where
    Python's sqlite3 would refuse the whole read, a BLOB or a number where text belongs reads
    as text, and control characters (a NUL, an escape sequence) are dropped as the write path
    drops them. Every export format reads them so (SQLite's renderings end the same way)."""
    if isinstance(value, bytes):
        text = value.decode(errors="replace")
    else:
        text = "" if value is None else str(value)
    return clean(text)


def c0_controls(data: bytes) -> int:
    """How many C0 controls but tab and newline, and DELs, UTF-8 `data` holds. Deleting bytes is
    a C loop, several times faster than a regular expression of them on 2 MB."""
    return len(data) - len(data.translate(None, _C0_BYTES))


def has_c1(data: bytes) -> bool:
    """Whether UTF-8 `data` holds a C1 control."""
    return b"\xc2" in data and _C1_BYTES.search(data) is not None


def has_controls(data: bytes) -> bool:
    """Whether UTF-8 `data` holds a control character `clean` drops."""
    return c0_controls(data) > 0 or has_c1(data)


def clean_bytes(data: bytes) -> bytes:
    """UTF-8 `data` as `as_text` reads it, encoded again."""
    return as_text(data).encode() if has_controls(data) else data


MAX_PERSON_NAME = 64  # the longest name the console acts under (/as, --user, console.user)


# The marks a right-to-left name may need beside the embeddings and isolates (LRM, RLM, ALM).
_NAME_MARKS = BIDI_CONTROLS | {"\u200e", "\u200f", "\u061c"}


def is_person_name(name: str) -> bool:
    """What a person could be called on a platform: 1 to MAX_PERSON_NAME printable characters
    or bidirectional marks (isolated where shown), no space at either end, and not marks
    alone or anything else that shows nothing (`is_blank`: helper-150's 13, helper-153's 3)."""
    return (0 < len(name) <= MAX_PERSON_NAME and name.strip() == name
            and all(c.isprintable() or c in _NAME_MARKS or _joins_emoji(name, i)
                    for i, c in enumerate(name))
            and not is_blank(name))


def _joins_emoji(name: str, at: int) -> bool:
    """A zero-width joiner between two symbols (the first may carry a variation selector or be
    a skin tone), as in an emoji ZWJ sequence (Unicode TS #51: 👩‍💻), which draws one emoji
    (helper-181's 3)."""
    if name[at] != "\u200d" or not 0 < at < len(name) - 1:
        return False
    before = name[at - 2] if name[at - 1] == "\ufe0f" and at > 1 else name[at - 1]
    return unicodedata.category(before) in {"So", "Sk"} \
        and unicodedata.category(name[at + 1]) == "So"


# Beside Unicode's default-ignorable characters (DEFAULT_IGNORABLE: zero-width ones, fillers,
# variation selectors, tags), these draw nothing either, and are passed round as blanks: the
# braille blank and the musical null notehead.
_BLANK_LOOKING = frozenset("\u2800\U0001d159")
# Controls, format characters, separators, code points no character is assigned to (a
# noncharacter among them); and marks that draw only on a character before them (nonspacing,
# enclosing: a spacing mark takes room of its own).
_UNDRAWN_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Cn", "Mn", "Me"})
# The format characters that are drawn (Unicode's Prepended_Concatenation_Mark, PropList.txt):
# the Arabic number and year signs, the Syriac abbreviation mark, the Kaithi number signs.
_DRAWN_FORMAT = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891"
                          "\u08e2\U000110bd\U000110cd")


def _drawn(char: str) -> bool:
    """Whether the character shows something of its own."""
    if char.isspace() or char in _BLANK_LOOKING or DEFAULT_IGNORABLE.match(char):
        return False
    return char in _DRAWN_FORMAT or unicodedata.category(char) not in _UNDRAWN_CATEGORIES


def is_blank(text: str) -> bool:
    """Whether nothing of the text would show: empty, whitespace, or only invisible characters
    (zero-width spaces and joiners, bidirectional controls, fillers), with or without
    combining marks (which need a character to sit on)."""
    start = text.lstrip()[:1]
    if "!" <= start <= "~":  # printable ASCII shows: most texts are told at their first
        return False
    return not any(_drawn(char) for char in text)
