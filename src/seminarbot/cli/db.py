"""`seminarbot db migrate|backup|check`: database maintenance.

`migrate` creates a missing database; `check` and `backup` only read theirs, and a missing one
is an error naming it. A database that cannot be used raises storage's DatabaseUnusable, which
the boundary (cli.boundary) prints as one line, exit 1.
"""

from __future__ import annotations

import argparse
import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

from seminarbot.cli import stopping
from seminarbot.cli.boundary import say
from seminarbot.cli.exits import EXIT_CONFIG, EXIT_FAILED
from seminarbot.config.settings import user_path
from seminarbot.domain.display import one_line_safe
from seminarbot.storage.access import os_reason

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings
    from seminarbot.storage.db import Database


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    migrate = actions.add_parser("migrate", help="apply pending migrations")
    backup = actions.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path", metavar="PATH", help="a new file (never replaced)")
    check = actions.add_parser("check", help="integrity, foreign keys, migration state and "
                                             "file modes")
    for sub in (migrate, backup, check):
        sub.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")


async def main(settings: Settings, args: argparse.Namespace) -> int:
    from seminarbot.storage.db import Database
    from seminarbot.storage.migrate import is_blank
    from seminarbot.storage.modes import loose_modes

    writes = args.db_command == "migrate"
    # Before opening: the -wal and -shm that opening makes are not the operator's doing.
    modes = loose_modes(settings.database, settings.data_dir)
    # Made by this command (an empty file, no table yet): if the migrations fail, or a stop
    # comes while it is made (helper-187's 5), a half-built database would be taken for one
    # later (a full disk: helper-146's 5); it goes instead.
    fresh = writes and not os.path.lexists(settings.database)
    done, db = False, None
    try:
        db = await Database.open(settings.database, migrate=False, create=writes, write=writes)
        fresh = fresh or (writes and await is_blank(db))
        if args.db_command == "migrate":
            status = await _migrate(settings, db)
            done = True
            return status
        if args.db_command == "backup":
            return await _backup(settings, db, user_path(args.path, "PATH"))
        return await _check(settings, db, modes)
    finally:
        if db is not None:
            await db.close()
        if fresh and not done:
            from seminarbot.storage.lock import lock_path
            from seminarbot.storage.sidefiles import removed

            removed(settings.database)
            lock_path(settings.database).unlink(missing_ok=True)


async def _migrate(settings: Settings, db: Database) -> int:
    from seminarbot.storage.migrate import current_version, migrate

    applied = await migrate(db)
    version = await current_version(db)
    names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied) or "nothing to apply"
    # Committed: a stop signal now changes nothing (helper-190's 5: the line said, exit 143).
    stopping.settle()
    print(one_line_safe(f"{settings.database}: schema version {version} ({names})"))
    return 0


async def _backup(settings: Settings, db: Database, target: Path) -> int:
    import sqlite3

    from seminarbot.domain.errors import Unavailable
    from seminarbot.storage.dbfile import DatabaseUnusable, describe, is_damage

    if str(target) == "-":  # as export reads it: standard output, which cannot hold a database
        say("a backup is a database file, and `-` (standard output) cannot hold one; name a "
            "new file")
        return EXIT_CONFIG
    from seminarbot.cli.export_target import database_refusal, no_folder

    refused = database_refusal(target, settings)
    if refused is not None:
        say(refused[0])
        return refused[1]
    from seminarbot.storage.sidefiles import in_the_way_of_a_new

    if not os.path.lexists(target) and (stray := in_the_way_of_a_new(target)) is not None:
        say(f"{target} {stray}")  # the copy would take it in at its first open (helper-152's 1)
        return EXIT_FAILED
    try:
        await db.backup(target)
    except FileExistsError:
        what = "is a symbolic link" if target.is_symlink() else "exists"
        say(f"{target} {what}; a backup never replaces a file, choose a new name")
        return EXIT_FAILED
    except OSError as error:  # as export says it: a missing folder is a usage error
        if error.errno in (errno.ENOENT, errno.ENOTDIR) and (folder := no_folder(target)):
            say(f"cannot write the backup {target}: {folder}")
            return EXIT_CONFIG
        if error.errno == errno.ENOENT:  # the folder exists but takes no new file (/proc)
            say(f"cannot write the backup {target}: {target.parent} takes no new files")
            return EXIT_FAILED
        say(f"cannot write the backup {target}: {os_reason(error, target)}")
        return EXIT_FAILED
    except (sqlite3.DatabaseError, Unavailable) as error:
        # Storage maps SQLite's write errors to Unavailable; here they are the copy's.
        cause = error.__cause__ if isinstance(error, Unavailable) else error
        if not isinstance(cause, sqlite3.DatabaseError):
            raise
        if is_damage(cause):  # the source's fault: said about the source, as any command does
            raise DatabaseUnusable(settings.database, describe(cause, settings.database)) from error
        # A full disk or a file-size limit named as for the database itself (helper-166's 3)
        writing = getattr(cause, "sqlite_errorname", "").startswith(("SQLITE_IOERR", "SQLITE_FULL"))
        say(f"the backup to {target} failed ({describe(cause, target) if writing else cause}); "
            "no file was left there")
        return EXIT_FAILED
    # The copy is whole and in place: a stop signal now changes nothing (helper-140: a backup
    # said made exited 143, a failure to a script).
    stopping.settle()
    print(one_line_safe(f"backed up {settings.database} to {target}"))
    return 0


async def _check(settings: Settings, db: Database, modes: list[str]) -> int:
    from seminarbot.storage.migrate import current_version, problems

    found = await problems(db)
    for problem in found:  # SQLite's words may quote a damaged file's bytes (helper-166's 1)
        print(one_line_safe(problem))
    for warning in modes:
        print(one_line_safe(f"warning: {warning}"))  # file names are anyone's (helper-152's 10)
    if not found:
        print(one_line_safe(f"{settings.database}: ok (schema version "
                           f"{await current_version(db)})"))
    return EXIT_FAILED if found else 0
