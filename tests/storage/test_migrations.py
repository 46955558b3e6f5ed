import sqlite3
from pathlib import Path

import pytest

from seminarbot.storage import migrate as migrations
from seminarbot.storage.db import Database
from seminarbot.storage.migrate import available, current_version, migrate, problems, statements

LATEST = available()[-1].version
SHIPPED = [m.version for m in available()]


async def test_pragmas_are_set(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        assert await db.scalar("PRAGMA journal_mode") == "wal"
        assert await db.scalar("PRAGMA foreign_keys") == 1
        assert await db.scalar("PRAGMA busy_timeout") == 5000
    finally:
        await db.close()


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
    with pytest.raises(RuntimeError, match="newer than this seminarbot knows"):
        await Database.open(tmp_path / "x.db")


async def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    broken = [*available(), migrations.Migration(LATEST + 1, "broken",
                                                 "CREATE TABLE ok_table (x);\nNOT SQL;\n")]
    monkeypatch.setattr(migrations, "available", lambda: broken)
    db = await Database.open(tmp_path / "x.db", migrate=False)
    try:
        with pytest.raises(sqlite3.OperationalError):
            await migrate(db)
        assert await current_version(db) == LATEST
        assert await db.scalar("SELECT name FROM sqlite_master WHERE name = 'ok_table'") is None
    finally:
        await db.close()


def test_statement_splitting_respects_strings_and_comments() -> None:
    sql = "-- a; comment\nCREATE TABLE a (x TEXT DEFAULT ';');\nINSERT INTO a VALUES ('b;c');\n"
    assert len(statements(sql)) == 2
    with pytest.raises(RuntimeError, match="incomplete SQL"):
        statements("CREATE TABLE a (x")
