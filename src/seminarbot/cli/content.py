"""`seminarbot content check|ingest`: validate the content, index an operator's copy of a text."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from seminarbot.cli.boundary import say
from seminarbot.cli.exits import EXIT_CONFIG
from seminarbot.config.settings import user_path

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings
    from seminarbot.syllabus.roots import ContentRoots


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    content = commands.add_parser("content", help="check the content, ingest a copy of a text")
    actions = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="validate content/ and prompts/ (and, with --texts, against the texts)")
    check.add_argument("--texts", metavar="DIR",
                       help="a folder with copies of the texts (.txt), e.g. ../shared/seeds")
    ingest = actions.add_parser(
        "ingest", help="index your own copy of a text for /seminar search")
    ingest.add_argument("file", metavar="FILE")
    ingest.add_argument("--text", required=True, metavar="TEXT-ID",
                        help="which text it is, e.g. priestland-2002")
    ingest.add_argument("--db", metavar="PATH", help="SQLite file (default: the data directory)")


async def main(settings: Settings, args: argparse.Namespace) -> int:
    from seminarbot.app import content_roots

    roots = content_roots(settings)
    if args.content_command == "check":
        from seminarbot.syllabus.check import check_content

        texts = user_path(args.texts, "--texts", folder=True) if args.texts else None
        if texts is not None and not texts.is_dir():
            say(f"--texts expects a folder, got {args.texts!r}")
            return EXIT_CONFIG
        report = check_content(roots, texts)
        for problem in report.problems:
            print(problem)
        if not report.ok or report.syllabus is None:
            say(f"content check: {len(report.problems)} problem(s)", prefix="")
            return 1
        syllabus = report.syllabus
        sections = sum(len(t.sections) for t in syllabus.texts)
        prompts = sum(len(s.prompts) for s in syllabus.plan.sessions)
        against = "; checked against " + ", ".join(
            f"{text_id} = {path.name}" for text_id, path in sorted(report.copies.items())
        ) if report.copies else " (no --texts: locators, citations and copying not checked)"
        people = sum(1 for e in syllabus.glossary if e.category == "person")
        print(f"content ok: {len(syllabus.texts)} texts, {sections} sections, "
              f"{len(syllabus.plan.sessions)} sessions, {prompts} prompts, "
              f"{len(syllabus.glossary) - people} glossary entries, {people} people{against}")
        return 0
    return await _ingest(settings, args, roots)


async def _ingest(settings: Settings, args: argparse.Namespace, roots: ContentRoots) -> int:
    """The copy is read and checked first: a refused one creates nothing, not even the
    database's folder or lock."""
    from seminarbot.cli.leftovers import Before
    from seminarbot.clock import SystemClock
    from seminarbot.services.ingest import IngestError, prepare, store
    from seminarbot.storage.db import Database
    from seminarbot.storage.lock import exclusive
    from seminarbot.storage.passages import PassageRepository
    from seminarbot.syllabus.loader import load_syllabus

    try:
        prepared = prepare(load_syllabus(roots), user_path(args.file, "FILE"), args.text)
    except IngestError as error:
        say(f"{error}")
        return EXIT_CONFIG if error.usage else 1
    before = Before.look(settings.data_dir, settings.database)
    with exclusive(settings.database):
        try:
            db = await Database.open(settings.database)
        except BaseException:  # a stop, a full disk: a new database not made whole goes, and
            if not before.whole():  # its folders (helper-191's 2), while the lock is held
                before.undo()
            raise
        try:
            done = await store(PassageRepository(db), prepared, SystemClock().now())
        finally:
            await db.close()
    print(f"ingested {args.file} as {done.text_id}: {done.sections} sections, "
          f"{done.passages} passages, into {settings.database}")
    return 0


