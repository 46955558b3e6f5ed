import sqlite3
from pathlib import Path

import pytest

from seminarbot.storage import migrate as migrations
from seminarbot.storage.db import Database
from seminarbot.storage.dbfile import CACHE_KIB, DatabaseUnusable
from seminarbot.storage.migrate import available, current_version, migrate, problems, statements

LATEST = available()[-1].version
SHIPPED = [m.version for m in available()]


async def test_pragmas_are_set(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        assert await db.scalar("PRAGMA journal_mode") == "wal"
        assert await db.scalar("PRAGMA foreign_keys") == 1
        assert await db.scalar("PRAGMA busy_timeout") == 5000
        assert await db.scalar("PRAGMA cache_size") == -CACHE_KIB  # a bound on memory
    finally:
        await db.close()
    reader = await Database.open(tmp_path / "x.db", write=False)
    try:  # a command that only reads (an export) keeps SQLite's own cache
        assert await reader.scalar("PRAGMA cache_size") == -2000
    finally:
        await reader.close()


@pytest.mark.parametrize("start", [0, *SHIPPED[:-1]])
async def test_migrates_from_every_earlier_version(tmp_path: Path, start: int) -> None:
    path = tmp_path / "old.db"
    db = await Database.open(path, migrate=False)
    await migrate(db, target=start)
    assert await current_version(db) == start
    await db.close()
    db = await Database.open(path)  # opening migrates forward
    try:
        assert await current_version(db) == LATEST
        assert await problems(db) == []
        recorded = [row[0] for row in await db.fetchall("SELECT version FROM schema_migrations")]
        assert recorded == SHIPPED
    finally:
        await db.close()


async def test_migrating_twice_applies_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        assert await migrate(db) == []
    finally:
        await db.close()


async def test_an_edited_migration_is_reported(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        await db.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1")
        assert any("edited after it was applied" in p for p in await problems(db))
    finally:
        await db.close()


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    await db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x', 'now')")
    await db.close()
    with pytest.raises(DatabaseUnusable, match="newer than this seminarbot knows"):
        await Database.open(tmp_path / "x.db")


async def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    broken = [*available(), migrations.Migration(LATEST + 1, "broken",
                                                 "CREATE TABLE ok_table (x);\nNOT SQL;\n")]
    db = await Database.open(tmp_path / "x.db")
    monkeypatch.setattr(migrations, "available", lambda: broken)
    try:
        with pytest.raises(sqlite3.OperationalError):
            await migrate(db)
        assert await current_version(db) == LATEST
        assert await db.scalar("SELECT name FROM sqlite_master WHERE name = 'ok_table'") is None
    finally:
        await db.close()


@pytest.mark.parametrize("start", [0, 6])
async def test_a_migration_failing_part_way_leaves_the_database_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: int) -> None:
    """helper-179's 6: a stop between two migrations of a new database left it part-migrated
    (each was its own transaction). Now every migration due is one transaction: the last one
    failing leaves neither the earlier ones' tables nor their records."""
    db = await Database.open(tmp_path / "x.db", migrate=False)
    try:
        if start:
            await migrate(db, target=start)
        before = await db.fetchall("SELECT type, name, sql FROM sqlite_master ORDER BY name")
        broken = [*available(), migrations.Migration(LATEST + 1, "broken", "NOT SQL;\n")]
        monkeypatch.setattr(migrations, "available", lambda: broken)
        with pytest.raises(sqlite3.OperationalError):
            await migrate(db)
        assert await current_version(db) == start
        assert await db.fetchall("SELECT type, name, sql FROM sqlite_master ORDER BY name") \
            == before
    finally:
        await db.close()


def test_statement_splitting_respects_strings_and_comments() -> None:
    sql = "-- a; comment\nCREATE TABLE a (x TEXT DEFAULT ';');\nINSERT INTO a VALUES ('b;c');\n"
    assert len(statements(sql)) == 2
    with pytest.raises(RuntimeError, match="incomplete SQL"):
        statements("CREATE TABLE a (x")


async def test_0007_erases_responses_already_marked_deleted(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = await Database.open(path, migrate=False)
    await migrate(db, target=6)
    t = "2026-01-06T19:00:00Z"
    for sql in (
        f"INSERT INTO communities VALUES (1, 'console', 'local', '', '{t}')",
        "INSERT INTO cohorts (id, community_id, channel_id, plan_id, weekday, local_time,"
        f" timezone, start_date, created_at, updated_at) VALUES (1, 1, 'c', 'p', 1, '19:00',"
        f" 'UTC', '2026-01-06', '{t}', '{t}')",
        f"INSERT INTO participants (id, platform, external_id, created_at) VALUES"
        f" (1, 'console', 'ann', '{t}')",
        "INSERT INTO responses (id, cohort_id, session_id, prompt_id, participant_id, platform,"
        f" message_id, body, created_at, edited_at, deleted_at) VALUES"
        f" (1, 1, 's', 'p', 1, 'console', 'gone', 'Withdrawn text.', '{t}', '{t}', '{t}'),"
        f" (2, 1, 's', 'p', 1, 'console', 'kept', 'Kept text.', '{t}', '{t}', NULL)",
        "INSERT INTO response_edits (response_id, previous_body, replaced_at) VALUES"
        f" (1, 'Withdrawn, first version.', '{t}'), (2, 'Kept, first version.', '{t}')",
    ):
        await db.execute(sql)
    await db.close()
    db = await Database.open(path)
    try:
        rows = await db.fetchall("SELECT message_id, body, created_at, edited_at, deleted_at"
                                 " FROM responses ORDER BY id")
        assert [tuple(r) for r in rows] == [("gone", "", t, t, t),
                                            ("kept", "Kept text.", t, t, None)]
        edits = await db.fetchall("SELECT response_id, previous_body FROM response_edits")
        assert [tuple(r) for r in edits] == [(2, "Kept, first version.")]
    finally:
        await db.close()


async def test_a_number_below_the_newest_is_applied_when_it_arrives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Numbers are handed out to parallel work: one may ship after a higher one was applied.
    later = migrations.Migration(LATEST + 2, "later", "CREATE TABLE later_table (x);\n")
    gap = migrations.Migration(LATEST + 1, "gap", "CREATE TABLE gap_table (x);\n")
    monkeypatch.setattr(migrations, "available", lambda: [*available(), later])
    db = await Database.open(tmp_path / "x.db")
    await db.close()
    monkeypatch.setattr(migrations, "available", lambda: [*available(), gap, later])
    db = await Database.open(tmp_path / "x.db")
    try:
        assert await db.scalar("SELECT name FROM sqlite_master WHERE name = 'gap_table'")
        assert await problems(db) == []
    finally:
        await db.close()


def test_a_number_used_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    twice = [*migrations.available(), migrations.Migration(LATEST, "again", "SELECT 1;\n")]
    monkeypatch.setattr(migrations, "MIGRATIONS", _Files(twice))
    with pytest.raises(RuntimeError, match="used twice"):
        migrations.available()


class _File:
    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text

    def read_text(self, encoding: str) -> str:
        return self.text


class _Files:
    """A stand-in for the migrations package's files."""

    def __init__(self, found: list[migrations.Migration]) -> None:
        self.found = found

    def iterdir(self) -> list[_File]:
        return [_File(f"{m.version:04d}_{m.name}.sql", m.sql) for m in self.found]


# The tables whose rows the response writer remembers (storage/response_batch.py, Known);
# migration 0013 counts every change to them. A later migration that rebuilds one must create
# its triggers again: this holds the head schema to it.
REMEMBERED = ("cohorts", "participants", "participant_names", "forgotten", "opt_out_periods",
              "outbox")


async def test_every_table_the_writer_remembers_counts_its_changes(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        for table in REMEMBERED:
            found = {row[0] for row in await db.fetchall(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"
                " AND sql LIKE '%writer_epoch%'", (table,))}
            kinds = {kind for kind in ("INSERT", "UPDATE", "DELETE")
                     if any(f"AFTER {kind} ON {table}" in sql for sql in found)}
            assert kinds == {"INSERT", "UPDATE", "DELETE"}, (table, found)
        before = await db.scalar("SELECT epoch FROM writer_epoch")
        await db.execute("INSERT INTO communities VALUES (1, 'discord', '1', 'x',"
                         " '2026-01-05T09:00:00Z')")  # a table it does not remember
        assert await db.scalar("SELECT epoch FROM writer_epoch") == before
    finally:
        await db.close()


async def test_which_prompt_a_message_answers_is_found_by_index(tmp_path: Path) -> None:
    """Each message whose thread or reply is not known yet is looked up in the outbox by its
    ids: without an index that read every seminar's rows, 65 ms a batch at 800,000."""
    from seminarbot.storage.response_batch import POSTS

    db = await Database.open(tmp_path / "x.db")
    try:
        plan = " ".join(str(row[-1]) for row in await db.fetch_tuples(
            "EXPLAIN QUERY PLAN " + POSTS.format(marks="?, ?"), ("1", "2", "1", "2")))
    finally:
        await db.close()
    assert "USING INDEX outbox_by_message" in plan and "USING INDEX outbox_by_thread" in plan
    assert "SCAN o" not in plan, plan
