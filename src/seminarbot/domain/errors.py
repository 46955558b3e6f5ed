"""User-facing errors. Each becomes one reply shape in every adapter; none changes the database.

They sit at the bottom of the layers because every layer, the domain included, may refuse a
request with one."""

from __future__ import annotations

from seminarbot.domain.typed import quoted_typed, untyped


class UserError(Exception):
    """An error whose message is meant for the person who typed the command."""

    title = "Error"

    def __init__(self, message: str, *, more: tuple[str, ...] = (),
                 fields: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(untyped(message))
        # `marked` keeps the marks of a person's words quoted in it (domain/typed.py), for
        # the reply; `message`, like str(), is the text without them, for everything else.
        self.message, self.marked = untyped(message), message
        self.more = more  # further paragraphs of the reply (what to do about it)
        self.fields = fields  # labelled details, such as the permissions missing


class BadUsage(UserError):
    """Words that do not fit a command's usage: too many, an option it has not, one given
    twice. Titled as a bad argument is, every refusal of what was typed alike (helper-190's
    8: `/seminar export csv 1 2 3` was an "Error")."""

    title = "Bad argument"


class BadArgument(UserError):
    title = "Bad argument"

    def __init__(self, param: str, expected: str, got: str | None = None, hint: str = "") -> None:
        self.got = got  # as given, before it is cut for the message
        extra = f" {hint}" if hint else ""
        if got is not None and len(got) > 60:  # a reply stays short whatever was typed
            got = got[:60] + "…"
        if got is None:
            message = f"`{param}` is missing: it expects {expected}.{extra}"
        else:
            message = f"`{param}` expects {expected} (got {quoted_typed(got)}).{extra}"
        super().__init__(message)
        self.param = param
        self.expected = expected
        self.hint = hint


class UnknownCommand(UserError):
    title = "Unknown command"


class Forbidden(UserError):
    title = "Not allowed"


class NotFound(UserError):
    title = "Not found"


class Conflict(UserError):
    """The request makes sense but clashes with the current state (already posted, not set up)."""

    title = "Cannot do that now"


class Unavailable(UserError):
    """The database cannot take writes right now. Nothing was changed; what failed can be
    tried again (events are retried until it works, never dropped). `reason` is the cause in
    a clause, for logs and moderators' notices."""

    title = "Not saved"
    reason = "the database cannot be written"


class Busy(Unavailable):
    """The database stayed locked by another writer for longer than the busy timeout."""

    title = "Busy"
    reason = "the database was busy: another process holds it"
    # As the command line says it, after the file's name.
    line = f"{reason}, and nothing was changed; try again in a moment"

    def __init__(self) -> None:
        super().__init__("The seminar's database is busy (another process is writing to it). "
                         "Nothing was changed; please try again in a moment.")


class WriteFailed(Unavailable):
    """The database could not be written: a full disk, an I/O error, a read-only file."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"The seminar's database could not be written ({reason}). Nothing was "
                         "changed, and nothing can be saved until whoever runs the bot mends "
                         "that; please try again later.")
        self.reason = reason


class OutputLost(Unavailable):
    """The console's standard output failed (full, closed): nothing more can be shown, so the
    scheduler stops as it does for storage, and a post being shown stays claimed, settled at
    the next start (scheduling.claimed)."""

    reason = "standard output failed"

    def __init__(self, why: str) -> None:
        super().__init__(f"Standard output failed ({why}): nothing more can be shown.")
        self.reason = f"standard output failed ({why})"


class StorageLost(Unavailable):
    """The database file was deleted or replaced under the running process."""

    reason = "the database file was deleted or replaced"

    def __init__(self, path: str) -> None:
        super().__init__(f"The database file {path} was deleted or replaced while seminarbot "
                         "ran, so nothing more is written to it. Nothing was changed; "
                         "seminarbot must be restarted.")
        self.path = path
        self.reason = f"the database file {path} was deleted or replaced"


class FileDamaged(Unavailable):
    """SQLite found the database file itself damaged (SQLITE_CORRUPT, SQLITE_NOTADB: a page
    that is not what it should be), so a read or write of it failed. No retry mends it; a
    restore from a backup does (README: Command line, `db backup`)."""

    title = "Database damaged"
    reason = "the database file is damaged: `seminarbot db check` shows where"

    def __init__(self) -> None:
        super().__init__("The seminar's database file is damaged, so that could not be done. "
                         "Nothing was changed; whoever runs the bot has been told (`seminarbot "
                         "db check` shows them what is wrong; a backup mends it).")


class Damaged(UserError):
    """A stored row that cannot be read as what it holds (another program wrote it, or the file
    is damaged). Nothing is changed; the rows around it are read as usual."""

    title = "Damaged data"
