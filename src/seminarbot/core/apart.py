"""A value typed in words apart, for the parser (core.parsing) to read as one: a duration
in its parts (`1 day 12 hours`), a time and `pm`, a date with its month's name; the words
of a line, and the digits of any script read as ASCII ones."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from seminarbot.core.commands import Param
from seminarbot.core.dates import date_words
from seminarbot.core.durations import unit_seconds
from seminarbot.domain.errors import BadArgument, UserError
from seminarbot.domain.textfold import as_word


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def ascii_digits(raw: str) -> str:
    """`raw` with every decimal digit of any script (Unicode category Nd: ١٠, ١٩:٠٠, ٣) as its
    ASCII digit, so a number typed in any script means what it says wherever one is read."""
    if raw.isascii():
        return raw
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in raw)


def joined(param: Param, tokens: list[Token], index: int, following: Param | None = None
           ) -> int:
    """A value and the words that complete it, typed apart: a number given for a count of a
    unit (retention's days) and its unit's word (`1 day`, `1.5 days`); a duration and its
    parts (`90 minutes`, `1 day 12 hours`, `1d 12h`); a time of day and `am` or `pm` (`7 pm`);
    a date with its month's name (`9 March 2027`, `March 9, 2027`). They are made one token,
    the last of them (how many more than one returned), for the type to read or refuse
    whole; else 0."""
    if index + 1 >= len(tokens):
        return 0
    value, word = tokens[index], tokens[index + 1]
    more = 0
    if _timed(param):
        more = _amount_of_time(tokens, index, following)
        after = index + more + 1  # stopped at the next one's own word (`12h foo on`): whole
        if more and (following is None or after == len(tokens) or _apart(tokens[after])):
            more = _left_over(param, tokens, index, more)  # `12h maybe`: the next one's
    elif param.type.kind == "time":
        more = int(as_word(word.text).replace(".", "") in ("am", "pm"))
    elif param.type.kind == "date":
        more = next((n for n in (4, 3, 2, 1) if index + n < len(tokens)
                     and _one_date(tokens[index:index + n + 1])), 0)
    if more:
        last = tokens[index + more]
        tokens[index + more] = Token(" ".join(t.text for t in tokens[index:index + more + 1]),
                                     value.start, last.end)
    return more


def _amount_of_time(tokens: list[Token], index: int, following: Param | None) -> int:
    """How many tokens after `index` go with the amount of time it begins: up to an option, a
    quoted word (a group of its own) or a word the next parameter takes (`1d on`: on is the
    digest's). What it holds that no unit reads (`2h plus 30m`, `half a day`) is the type's to
    refuse, whole, never left over as "too many arguments" (helper-155's 4, helper-157's 2,
    3, helper-159's 4 to 6)."""
    end = index + 1
    while end < len(tokens) and not _apart(tokens[end]) \
            and not _takes(following, _compared(tokens[end].text)):
        end += 1
    return end - index - 1


def _left_over(param: Param, tokens: list[Token], index: int, more: int) -> int:
    """The words after a whole amount of time with no number, unit or joiner among them, and
    not the unit of a number before them (`12h maybe`, `2 days extra`), left to the next
    parameter, or after the last for "too many arguments" to name; else all, for the type to
    refuse whole (`5 parsecs`, `1 day twelve hours`, `2h plus 30m`)."""
    for whole in range(more - 1, -1, -1):
        if _numbered(tokens[index + whole + 1].text) \
                or _compared(tokens[index + whole].text).isdecimal():
            return more
        if reads(param, _words(tokens[index:index + whole + 1])):
            return whole
    return more


def _numbered(word: str) -> bool:
    """Whether a word holds a number, names a unit of time (`30m`, `hours`, `d`) or joins two
    parts (`and`, `&`: core.params)."""
    compared = _compared(word)
    return any(ch.isdecimal() for ch in compared) or bool(unit_seconds(compared.rstrip(","))) \
        or compared in ("and", "&")


def _apart(token: Token) -> bool:
    """An option (`--names`, or the dash smart punctuation makes of `--`), or a quoted word."""
    return token.text[:2] == "--" or token.text[:1] in ("\u2014", "\u2013") \
        or token.end - token.start > len(token.text)


def _timed(param: Param) -> bool:
    """Whether `param` reads an amount of time: a duration, or a count of a unit (days)."""
    return param.type.kind == "duration" or bool(getattr(param.type, "unit", ""))


def _compared(word: str) -> str:
    """A word as a number and its unit are read (core.durations): `１２ Hours` as `12 hours`."""
    return as_word(ascii_digits(word))


def _takes(param: Param | None, word: str) -> bool:
    """Whether `param` is one of a few words (a choice: on, off) and `word` is one of them."""
    if param is None or param.type.kind != "choice":
        return False
    try:
        param.type.parse(word, param.name)
    except BadArgument:
        return False
    return True


def reads(param: Param, typed: str) -> bool:
    """Whether `param`'s type reads `typed` as one value, as bind would (today's bounds
    aside)."""
    try:
        param.type.parse(ascii_digits(typed), param.name, None)
    except UserError:
        return False
    return True


def _words(tokens: list[Token]) -> str:
    return " ".join(token.text for token in tokens)


def _one_date(tokens: list[Token]) -> bool:
    """Whether words typed apart are one date with its month's name (core.dates), its year of
    four digits, two (to be told to write it in full: `9 March 27`) or none (to be told it
    needs one). A date always needs its year, so a number after one without it is read as
    its year: no command takes a number of two digits after a date."""
    words = date_words(as_word(" ".join(token.text for token in tokens)))
    return words is not None and len(words.year) in (0, 2, 4)
