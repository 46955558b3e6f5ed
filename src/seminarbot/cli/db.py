"""`seminarbot db migrate|backup|check`: database maintenance."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    migrate = actions.add_parser("migrate", help="apply pending migrations")
    backup = actions.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path", metavar="PATH")
    check = actions.add_parser("check", help="integrity, foreign keys and migration state")
    for sub in (migrate, backup, check):
        sub.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")


async def main(settings: Settings, args: argparse.Namespace) -> int:
    from seminarbot.storage.db import Database
    from seminarbot.storage.migrate import current_version, migrate, problems

    db = await Database.open(settings.database, migrate=False)
    try:
        if args.db_command == "migrate":
            applied = await migrate(db)
            version = await current_version(db)
            names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied) or "nothing to apply"
            print(f"{settings.database}: schema version {version} ({names})")
            return 0
        if args.db_command == "backup":
            target = Path(args.path).expanduser()
            if target.exists():
                print(f"seminarbot: {target} exists; choose a new file", file=sys.stderr)
                return 1
            await db.backup(target)
            print(f"backed up {settings.database} to {target}")
            return 0
        found = await problems(db)
        for problem in found:
            print(problem)
        if not found:
            print(f"{settings.database}: ok (schema version {await current_version(db)})")
        return 1 if found else 0
    finally:
        await db.close()
