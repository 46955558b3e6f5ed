"""Rows another program wrote, or a damaged file holds, read as what they hold or said to be
damaged in one sentence (domain.errors.Damaged): a command that needs the row answers with it,
a list leaves the row out and logs it once per process, and nothing stops the other rows (the
scheduler's pass, the other seminars). A column SQLite itself cannot hand over as text (bytes
that are not UTF-8 in a TEXT value) is storage/dbfile.py `describe`'s sentence instead."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from seminarbot.domain.errors import Damaged

if TYPE_CHECKING:
    from seminarbot.storage.db import Row

log = logging.getLogger(__name__)
T = TypeVar("T")
# What parsing a stored value that is not what its column holds raises (a date, an enum, a
# number, text that is bytes).
READ_ERRORS = (ValueError, TypeError, AttributeError, OverflowError, KeyError)
RESTORE = "Whoever runs the bot can restore a backup."
NOT_UTF8 = ("holds a damaged row: a text value that is not UTF-8 (another program wrote it, or "
            "the file is damaged); `seminarbot db check` lists what else is wrong")
_said: set[str] = set()


def read_text(value: bytes) -> str:
    """A TEXT value as the bot's connections hand it over (their `text_factory`), bytes that
    are not UTF-8 read as U+FFFD: a damaged row (another program's write, a damaged file) is
    then read like any other, and where it cannot be read as what it holds it is one sentence
    (storage/damage.py), where the default decoding failed the whole query, and with it every
    scheduler pass or command that read the row. What reads a stored value back as a key
    checks that it is the stored one (storage/exports.py, storage/keyset.py)."""
    return value.decode("utf-8", "replace")


def damaged(what: str, error: Exception) -> Damaged:
    """The one sentence for `what` ("outbox row 7", "cohort 1's weekdays") that `error`
    could not read."""
    return Damaged(f"{what} cannot be read: it is stored damaged ({str(error)[:80]}); nothing "
                   "was changed", more=(RESTORE,))


def key_text(value: object) -> str:
    """A stored key read as bytes (CAST … AS BLOB) to be read by again: its text exactly, or
    Damaged where it is not UTF-8 (a U+FFFD in its place would name another key: nothing, or
    the same rows again)."""
    try:
        return value.decode() if isinstance(value, bytes) else str(value)
    except UnicodeDecodeError as error:
        raise Damaged(f"the database {NOT_UTF8}", more=(RESTORE,)) from error


def text(value: object) -> str:
    """A TEXT column's value; TypeError for what another program may have put there instead
    (a BLOB, a number)."""
    if not isinstance(value, str):
        raise TypeError(f"it holds {type(value).__name__}, not text")
    return value


def read_row(table: str, row: Row, convert: Callable[[Row], T]) -> T:
    """`convert(row)`, or Damaged naming the table's row (by its id)."""
    try:
        return convert(row)
    except READ_ERRORS as error:
        raise damaged(f"{table} row {row['id']}", error) from error


def readable(table: str, rows: Iterable[Row], convert: Callable[[Row], T]) -> list[T]:
    """What the rows hold, a damaged one left out and logged (once per process)."""
    found = []
    for row in rows:
        try:
            found.append(read_row(table, row, convert))
        except Damaged as error:
            said(error)
    return found


def said(error: Damaged) -> None:
    """Log a damaged row once per process: the scheduler meets it at every pass."""
    if error.message not in _said:
        _said.add(error.message)
        log.warning("%s", error.message)
