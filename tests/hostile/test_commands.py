"""Hostile input through the console: a clear answer, never a crash, the database consistent."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.core.registry import Registry
from seminarbot.features import all_commands
from seminarbot.services.container import Services
from seminarbot.storage.migrate import problems
from tests.conftest import ConsoleDriver

NASTY = ["'; DROP TABLE responses; --", "\" OR 1=1 --", "%_\\", "Robert'); DELETE FROM x;--",
         "\x00nul", "🙂" * 50, "‮right-to-left", "a" * 5000]
MODERATOR = Actor("console", "console:mod", "mod", is_moderator=True)


async def counts(app: Services) -> dict[str, int]:
    tables = ("communities", "cohorts", "participants", "outbox", "responses", "audit_log")
    return {t: int(await app.db.scalar(f"SELECT COUNT(*) FROM {t}")) for t in tables}


async def test_sql_metacharacters_in_every_text_parameter(console: ConsoleDriver,
                                                          app: Services) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    for command in Registry(all_commands()):
        for param in command.params:
            if param.type.kind not in ("string",):
                continue
            for value in NASTY:
                arguments = []
                for other in command.params:
                    if other is param:
                        arguments.append(value if param.rest else f'"{value}"')
                    elif other.required:
                        arguments.append({"prompt": "1.1"}.get(other.name, "1"))
                reply = await console.say(f"/{command.name} {' '.join(arguments)}")
                assert "Something went wrong" not in reply, (command.name, value)
                assert reply.strip(), (command.name, value)
    assert await problems(app.db) == []
    tables = await app.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    assert "responses" in {row[0] for row in tables}
    stored = await app.db.fetchall("SELECT body FROM responses")
    assert "'; DROP TABLE responses; --" in {row[0] for row in stored}  # stored as text


async def test_unknown_commands_and_over_long_arguments(console: ConsoleDriver,
                                                        app: Services) -> None:
    before = await counts(app)
    for line, answer in {
        "/frobnicate": "There is no command 'frobnicate'",
        "/seminar": "`seminar` needs a subcommand, one of: events, export,",
        "/seminar remind 1d": "has no subcommand 'remind'. Did you mean `seminar reminders`?",
        "/term " + "x" * 101: "`query` expects a term, 1 to 100 characters (got 'xxxxxxxxxx",
        "/term " + "y" * 102: "yy…'). That is 102 characters.",
        "/seminar setup " + "tue " * 30: "Too many arguments",
        "/" + "y" * 30_000: "the limit is 25,000",
        "/seminar reading " + "9" * 500: "`session` expects a session number or id, 1 to 60",
        "/seminar move": "`session` is missing: it expects a session number or id, 1 to 60",
        "/seminar respond": "`prompt` is missing: it expects a prompt reference such as 1.2,",
    }.items():
        assert answer in " ".join((await console.say(line)).split()), line  # as if unwrapped
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    huge = "z" * 20_001
    assert "`text` expects text of 1 to 20000 characters" in await console.say(
        f"/seminar respond 1.1 {huge}")
    # helper-114: a reference of the right shape that names no prompt says which there are
    for ref, told in (("1.9", "Session 1 has prompts 1.1 to"), ("99.1", "There is no session 99:")):
        assert told in " ".join((await console.say(f"/seminar respond {ref} Hi.")).split()), ref
    after = await counts(app)
    assert after["responses"] == before["responses"] == 0


async def test_invalid_zones_and_dates_change_nothing(console: ConsoleDriver,
                                                      app: Services) -> None:
    for line in ("/seminar setup tue 19:00 Mars/Base", "/seminar setup tue 19:00 +05:30",
                 "/seminar setup tue 19:00 UTC 2026-02-30",
                 "/seminar setup tue 19:00 UTC 1999-01-01",
                 "/seminar setup tue 24:01 UTC", "/seminar setup tue 7pm UTC"):
        assert "✗ Bad argument" in await console.say(line), line
    await console.say("/seminar setup tue 19:00 UTC")
    snapshot = await counts(app)
    outbox = [tuple(r) for r in await app.db.fetchall("SELECT * FROM outbox ORDER BY id")]
    attempts = ("/seminar move 2 2026-13-01 10:00", "/seminar move 2 2020-01-01 10:00",
                "/seminar skip 2026-01-07", "/seminar skip 2025-12-30",
                "/seminar reschedule tue 19:00 Atlantis/Capital", "/seminar reminders 8d",
                "/seminar reminders soon")
    for line in attempts:
        assert "✗" in await console.say(line), line
    after = await counts(app)
    # Only the audit log grows: every failed moderator command is recorded as failed.
    assert after["audit_log"] == snapshot["audit_log"] + len(attempts)
    assert {k: v for k, v in after.items() if k != "audit_log"} == \
        {k: v for k, v in snapshot.items() if k != "audit_log"}
    assert [tuple(r) for r in await app.db.fetchall("SELECT * FROM outbox ORDER BY id")] == outbox


async def test_concurrent_moderators_changing_the_same_cohort(app: Services) -> None:
    place = Place("console", "local", "shared")
    await run_line(app, "seminar setup tue 19:00 UTC", MODERATOR, place)
    lines = ["seminar setup wed 18:00 Europe/Paris", "seminar skip", "seminar pause",
             "seminar resume", "seminar reschedule thu 08:00 Asia/Tokyo", "seminar post",
             "seminar reminders 1d", "seminar move 3 2026-03-03 10:00"] * 5
    replies = await asyncio.gather(*(run_line(app, line, MODERATOR, place) for line in lines))
    assert not any(r.title == "Something went wrong" for r in replies)
    assert any("connection is not up right now" in " ".join(r.paragraphs) for r in replies)
    assert await problems(app.db) == []
    duplicates = await app.db.scalar(
        "SELECT COUNT(*) FROM (SELECT cohort_id, session_id, kind, item, COUNT(*) n FROM outbox"
        " GROUP BY 1, 2, 3, 4 HAVING n > 1)")
    assert duplicates == 0
    assert await app.db.scalar("SELECT COUNT(*) FROM cohorts") == 1
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'prompt' AND state != 'pending'") == 0


def test_a_locked_database_gets_a_clear_answer_and_changes_nothing(tmp_path: Path) -> None:
    from tests.conftest import MINI

    config = tmp_path / "c.yaml"
    config.write_text(f"content_dir: {MINI.content}\nprompts_dir: {MINI.prompts}\n")
    db = tmp_path / "busy.db"
    subprocess.run([sys.executable, "-m", "seminarbot", "db", "migrate", "--db", str(db)],
                   check=True, capture_output=True)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, sys, time
        conn = sqlite3.connect({str(db)!r}, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = subprocess.run(
            [sys.executable, "-m", "seminarbot", "--config", str(config), "console", "--db",
             str(db), "--clock", "2026-01-05T09:00Z"],
            input="/seminar setup tue 19:00 UTC\n", capture_output=True, text=True, timeout=60,
            check=False)
    finally:
        holder.kill()
        holder.wait()
    # The console stamps the database as it opens it (storage/identity.py), so a write lock held
    # by another program refuses the start: one line naming the file, exit 1.
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"seminarbot: {db}: ") and "busy" in line, line
    assert "Traceback" not in result.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM cohorts").fetchone() == (0,)
    conn.close()
