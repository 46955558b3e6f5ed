"""Any stored value damaged (another program's write, a damaged file: bytes that are not UTF-8,
a BLOB, a number or an empty text where something else belongs) is, wherever the bot reads it,
read as text, or one sentence naming what cannot be read; it never fails a scheduler pass (which
would stop every seminar's posts) and never makes a command an internal error. Before, bytes
that are not UTF-8 in a cohort's row failed every pass, and a damaged cohort row, retention
limit or response made commands internal errors."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.domain.errors import Damaged
from seminarbot.services.responses import InboundMessage, record_message, record_messages
from tests.conftest import START, ConsoleDriver, make_settings
from tests.console.test_export_cli import seeded as seeded_seminar
from tests.discussion import BOB

VALUES = ("'garbage'", "X'41FF'", "X'4142'", "CAST(X'41FF42' AS TEXT)", "42", "-1", "NULL", "''",
          "'2026-13-45T99:99:99Z'", "CAST(X'39FF' AS TEXT)",
          # Numbers that are numbers, but none a date or a duration can be made of.
          "9223372036854775807", "-9223372036854775808", "1e308", "2.5")
COMMANDS = ("/seminar schedule", "/seminar stats", "/seminar mine", "/seminar timeline",
            "/term soviet", "/seminar export csv", "/seminar export markdown", "/seminar roles",
            "/seminar search soviet", "/seminar retention", "/seminar events")
LEFT_OUT = {"schema_migrations", "writer_epoch"}  # the bot's own bookkeeping


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str]]]:
    """The seeded database, and every (table, column) with a value in it but the keys."""
    db, _ = seeded_seminar(tmp_path_factory.mktemp("seeded"))
    with sqlite3.connect(db) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
            if row[0] not in LEFT_OUT]
        places = [(table, row[1]) for table in tables
                  if conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for row in conn.execute(f"PRAGMA table_info({table})") if not row[5]]
    conn.close()
    return db, places


class _Faults(logging.Handler):
    """Every line the bot logs with a traceback: a fault its boundaries caught."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.seen.append(f"logged: {record.getMessage()} {record.exc_info[1]!r}")


async def _said(folder: Path) -> list[str]:
    """What went wrong in two passes of the scheduler (housekeeping, the retention sweep,
    included), each command and a reply recorded in a prompt's thread, if anything."""
    clock = ManualClock(START + timedelta(days=1))
    faults = _Faults()
    logging.getLogger("seminarbot").addHandler(faults)
    with sqlite3.connect(folder / "seminar.db") as conn:
        conn.text_factory = lambda raw: raw.decode(errors="replace")  # a damaged thread id too
        threads = [row[0] for row in conn.execute(
            "SELECT thread_id FROM outbox WHERE typeof(thread_id) = 'text'")]
    conn.close()
    app = await open_services(make_settings(folder), clock)
    wrong = []
    try:
        driver = ConsoleDriver(app, clock)
        await asyncio.wait_for(driver.console.start(), 30)
        for _ in range(2):
            clock.advance(timedelta(days=3))
            try:
                await asyncio.wait_for(app.scheduler.run_due(), 30)
            except Exception as error:
                wrong.append(f"a pass: {error!r}")
        for command in ("/seminar retention 7", *COMMANDS):
            said = await asyncio.wait_for(driver.say(command), 30)  # never a hang
            if re.search("incident|went wrong|Traceback", said):
                wrong.append(f"{command}: {said}")
        for thread in threads[:1]:
            try:
                await asyncio.wait_for(record_message(app, InboundMessage(
                    "console", "late-reply", BOB, "A reply after the damage.", clock.now(),
                    thread_id=thread)), 30)
            except Damaged:  # one sentence naming the damaged row: not recorded, said
                pass
            except Exception as error:
                wrong.append(f"a reply: {error!r}")
    finally:
        await app.close()
        logging.getLogger("seminarbot").removeHandler(faults)
    return wrong + faults.seen


def _damaged(db: Path, folder: Path, change: str) -> bool:
    """A copy of `db` in `folder` (seminar.db) with `change` made as another program may make
    it, its CHECK constraints ignored; False where SQLite itself refuses it (NOT NULL, UNIQUE)."""
    folder.mkdir(exist_ok=True)
    shutil.copy(db, folder / "seminar.db")
    with sqlite3.connect(folder / "seminar.db") as conn:
        conn.execute("PRAGMA ignore_check_constraints = 1")
        try:
            conn.execute(change)
        except sqlite3.IntegrityError:
            return False
    conn.close()
    return True


@examples(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_value_anywhere_fails_no_pass_and_no_command(
        seeded: tuple[Path, list[tuple[str, str]]], tmp_path_factory: pytest.TempPathFactory,
        data: st.DataObject) -> None:
    db, places = seeded
    table, column = data.draw(st.sampled_from(places))
    value = data.draw(st.sampled_from(VALUES))
    folder = tmp_path_factory.getbasetemp() / "damaged-values"
    shutil.rmtree(folder, ignore_errors=True)
    if _damaged(db, folder, f"UPDATE {table} SET {column} = {value}"):
        assert asyncio.run(_said(folder)) == [], (table, column, value)


def test_every_place_damaged_in_turn_fails_no_pass_and_no_command(
        seeded: tuple[Path, list[tuple[str, str]]], tmp_path: Path) -> None:
    """Every (table, column) with text and with the next of VALUES in turn, so that a place
    the random draws above miss on a run (the forget-me key did) is still tried."""
    db, places = seeded
    wrong = []
    for number, (table, column) in enumerate(places):
        for value in {"'garbage'", VALUES[number % len(VALUES)]}:
            folder = tmp_path / f"{table}.{column}.{number}"
            if _damaged(db, folder, f"UPDATE {table} SET {column} = {value}"):
                wrong += [f"{table}.{column} = {value}: {said}"
                          for said in asyncio.run(_said(folder))]
    assert wrong == []


def test_db_check_lists_values_that_are_not_what_their_column_holds(
        seeded: tuple[Path, list[tuple[str, str]]], tmp_path: Path) -> None:
    from tests.console.test_cli import cli

    db, _ = seeded
    assert cli("db", "check", "--db", str(db)).returncode == 0
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("PRAGMA ignore_check_constraints = 1")
        columns = ", ".join(row[1] for row in conn.execute("PRAGMA table_info(responses)")
                            if row[1] not in ("id", "message_id"))
        for _ in range(5):  # sound text past ASCII in hundreds of rows before a damaged one
            conn.execute(f"INSERT INTO responses (message_id, {columns}) SELECT 'copy' ||"
                         f" (id + (SELECT max(id) FROM responses)), {columns} FROM responses")
        conn.execute("UPDATE responses SET body = 'Привет'")
        last = conn.execute("SELECT max(id) FROM responses").fetchone()[0]
        for row in (1, last):
            conn.execute("UPDATE responses SET body = CAST(X'41FF42' AS TEXT) WHERE id = ?",
                         (row,))
        conn.execute("UPDATE responses SET session_id = X'4142' WHERE id = 2")
        # Past a NUL, where SQLite's GLOB stops reading, and where sound text may hold one.
        conn.execute("UPDATE responses SET body = CAST(X'410042FF' AS TEXT) WHERE id = 3")
        conn.execute("UPDATE responses SET body = CAST(X'41004243' AS TEXT) WHERE id = 4")
        conn.execute("UPDATE cohorts SET retention_days = 'a week'")
        conn.execute("UPDATE participant_names SET display_name = 'Zoë'")  # sound
    conn.close()
    done = cli("db", "check", "--db", str(copy))
    assert done.returncode == 1
    assert sorted(done.stdout.splitlines()) == sorted([
        "cohorts row 1: retention_days holds text, not integer",
        "responses row 1: body is not UTF-8 text", f"responses row {last}: body is not UTF-8 text",
        "responses row 2: session_id holds blob, not text",
        "responses row 3: body is not UTF-8 text"])


# Tables the seeded seminar leaves empty, with a damaged row of their own (the second try-out).
EXTRA_ROWS = (
    "INSERT INTO post_requests VALUES (1, 'beginnings', 'console:ann', 'garbage')",
    "INSERT INTO post_requests VALUES (1, X'41FF', 'console:ann', '2026-01-05T09:00:00Z')",
    "INSERT INTO forget_requests VALUES ('console', 'console:ann', 'ABCDEF', 'garbage')",
    "INSERT INTO forget_requests VALUES ('console', 'console:ann', X'41FF',"
    " '2099-01-01T00:00:00Z')",
    "UPDATE participant_names SET display_name = X'41FF'",
)


@pytest.mark.parametrize("damage", EXTRA_ROWS)
def test_a_damaged_row_in_a_table_the_seminar_left_empty_fails_nothing(
        seeded: tuple[Path, list[tuple[str, str]]], tmp_path: Path, damage: str) -> None:
    db, _ = seeded
    shutil.copy(db, tmp_path / "seminar.db")
    with sqlite3.connect(tmp_path / "seminar.db") as conn:
        conn.execute(damage)
    conn.close()

    async def said() -> list[str]:
        wrong = await _said(tmp_path)
        clock = ManualClock(START + timedelta(days=1))
        app = await open_services(make_settings(tmp_path), clock)
        try:
            driver = ConsoleDriver(app, clock)
            await driver.console.start()
            for command in ("/seminar forget-me ABCDEF",
                            "/seminar export csv --participant console:bob"):
                answer = await driver.say(command)
                if re.search("incident|went wrong|Traceback", answer):
                    wrong.append(f"{command}: {answer}")
        finally:
            await app.close()
        return wrong

    assert asyncio.run(said()) == []


# Every stored number the bot computes with (a duration, a count, a flag, a key), each with a
# number no date, duration or row can be made of: before, a retention limit of 2^63 - 1 days
# failed every sweep with a traceback on the console's terminal.
NUMBERS = ("9223372036854775807", "-9223372036854775808", "1e308", "2.5", "0")


@pytest.mark.parametrize("column", (
    "cohorts.community_id", "cohorts.weekday", "cohorts.reminder_before",
    "cohorts.reminder_names", "cohorts.digest", "cohorts.retention_days", "cohorts.min_open",
    "participants.opted_out", "outbox.cohort_id", "outbox.attempts", "responses.cohort_id",
    "responses.outbox_id", "responses.participant_id", "responses.withdrawn_by_edit",
    "audit_log.cohort_id"))
def test_a_number_out_of_any_range_fails_no_pass_command_or_reply(
        seeded: tuple[Path, list[tuple[str, str]]], tmp_path: Path, column: str) -> None:
    db, _ = seeded
    table, name = column.split(".")
    wrong = []
    for value in NUMBERS:
        folder = tmp_path / value
        if _damaged(db, folder, f"UPDATE {table} SET {name} = {value}"):
            wrong += [f"{value}: {said}" for said in asyncio.run(_said(folder))]
    assert wrong == []


def test_a_reply_that_meets_a_damaged_row_fails_alone_in_its_batch(
        seeded: tuple[Path, list[tuple[str, str]]], tmp_path: Path) -> None:
    """Replies handed over together share a commit; one to a post whose row is damaged cannot
    be written, and before it failed the whole commit: every other reply in it was lost."""
    db, _ = seeded
    shutil.copy(db, tmp_path / "seminar.db")
    with sqlite3.connect(tmp_path / "seminar.db") as conn:
        threads = [row[0] for row in conn.execute(
            "SELECT thread_id FROM outbox WHERE thread_id IS NOT NULL ORDER BY id LIMIT 2")]
        conn.execute("UPDATE outbox SET item = X'41FF' WHERE thread_id = ?", (threads[0],))
    conn.close()

    def reply(ident: str, thread: str) -> InboundMessage:
        return InboundMessage("console", ident, BOB, f"Reply {ident}.", START + timedelta(days=2),
                              thread_id=thread)

    async def run() -> None:
        clock = ManualClock(START + timedelta(days=2))
        app = await open_services(make_settings(tmp_path), clock)
        try:
            together = await record_messages(app, [reply("a1", threads[0]),
                                                   reply("a2", threads[1])])
            assert together[0] is None and together[1] is not None
            alone = await asyncio.gather(record_message(app, reply("b1", threads[0])),
                                         record_message(app, reply("b2", threads[1])),
                                         return_exceptions=True)
            assert isinstance(alone[0], Damaged) and "item" in alone[0].message
            assert not isinstance(alone[1], BaseException) and alone[1] is not None
            assert app.response_writer.batches == 2  # each pair in one commit
            stored = {row[0] for row in await app.db.fetchall(
                "SELECT message_id FROM responses WHERE message_id IN ('a1', 'a2', 'b1', 'b2')")}
            assert stored == {"a2", "b2"}
        finally:
            await app.close()

    asyncio.run(run())


@pytest.mark.parametrize("value", [*VALUES, "'" + "k" * 32 + "'", "1" + "0" * 31, "zeroblob(31)",
                                   "'" + "é" * 16 + "'", "its row deleted"])
def test_a_damaged_forget_me_key_refuses_rather_than_hashes_people_under_another(
        seeded: tuple[Path, list[tuple[str, str]]], tmp_path: Path, value: str) -> None:
    """Hashed under another key (42 read as 42 zero bytes did), a forgotten person's messages
    would be recorded again: a reply and a forget-me are refused in one sentence instead."""
    db, _ = seeded
    if not _damaged(db, tmp_path, "DELETE FROM forgotten_key" if value == "its row deleted"
                    else f"UPDATE forgotten_key SET secret = {value}"):
        return  # NULL: SQLite itself refuses it
    with sqlite3.connect(tmp_path / "seminar.db") as conn:
        threads = [row[0] for row in conn.execute(
            "SELECT thread_id FROM outbox WHERE typeof(thread_id) = 'text'")]
    conn.close()

    async def attempt() -> list[str]:
        app = await open_services(make_settings(tmp_path), ManualClock(START + timedelta(days=1)))
        said = []
        try:
            for step in (record_message(app, InboundMessage(
                    "console", "after-damage", BOB, "A reply.", app.clock.now(),
                    thread_id=threads[0])), app.privacy.forget("console", BOB.user_id,
                                                               app.clock.now())):
                with pytest.raises(Damaged) as refused:
                    await step
                said.append(str(refused.value))
        finally:
            await app.close()
        return said

    assert [line.split(" cannot be read")[0] for line in asyncio.run(attempt())] == [
        "the forget-me key (table forgotten_key)"] * 2


@pytest.mark.parametrize("value", ["'7'", "'yesterday'", "'2026-01-07'",
                                   "'2026-99-99T99:99:99Z'", "x'00'", "12"])
def test_a_sweep_instant_that_is_no_instant_refuses_nothing_and_is_said(
        seeded: tuple[Path, list[tuple[str, str]]], tmp_path: Path, value: str,
        caplog: pytest.LogCaptureFixture) -> None:
    """Compared as text, a `swept_before` of '7' was later than every instant: each reply to
    the cohort was refused, silently (helper-92). A limit that cannot be read refuses nothing,
    as a `retention_days` that cannot, and the log says so."""
    db, _ = seeded
    shutil.copy(db, tmp_path / "seminar.db")
    with sqlite3.connect(tmp_path / "seminar.db") as conn:
        thread = conn.execute("SELECT thread_id FROM outbox WHERE thread_id IS NOT NULL"
                              " ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute(f"UPDATE cohorts SET swept_before = {value}")
    conn.close()

    async def run() -> object:
        app = await open_services(make_settings(tmp_path), ManualClock(START + timedelta(days=2)))
        try:
            return await record_message(app, InboundMessage(
                "console", f"s-{value}", BOB, "A reply.", START + timedelta(days=2),
                thread_id=thread))
        finally:
            await app.close()

    assert asyncio.run(run()) is not None
    assert "swept_before" in caplog.text and "is not an instant as stored" in caplog.text
