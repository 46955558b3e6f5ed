import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.domain.responses import Arrival, Outcome
from seminarbot.domain.schedule import WeeklyRule
from seminarbot.storage.cohorts import CohortRepository
from seminarbot.storage.db import Database
from seminarbot.storage.dbfile import CACHE_KIB
from seminarbot.storage.outbox import OutboxRepository
from seminarbot.storage.response_writer import ResponseWriter, Submission
from seminarbot.storage.responses import ResponseRepository

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
RULE = WeeklyRule((1,), time(19, 0), "Europe/London", date(2026, 1, 5))


@pytest.fixture
async def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    database = await Database.open(tmp_path / "r.db")
    yield database
    await database.close()


async def _cohort(db: Database) -> int:
    repo = CohortRepository(db)
    community = await repo.ensure_community("console", "local", "Here", NOW)
    cohort = await repo.upsert(community, "chan", "chan", "default", RULE, NOW)
    return cohort.id


async def test_cohort_upsert_keeps_one_row_per_channel(db: Database) -> None:
    repo = CohortRepository(db)
    first = await _cohort(db)
    community = await repo.ensure_community("console", "local", "", NOW)
    moved = WeeklyRule((3,), time(8, 30), "America/New_York", date(2026, 2, 1))
    again = await repo.upsert(community, "chan", "chan", "default", moved, NOW)
    assert again.id == first
    assert again.rule == moved
    assert community.name == "Here"  # an empty name does not overwrite
    assert len(await repo.all()) == 1


async def test_responses_are_idempotent_with_edit_history_and_deletion(db: Database) -> None:
    cohort_id = await _cohort(db)
    outbox = OutboxRepository(db)
    await outbox.schedule(cohort_id, "s1", "prompt", ["p1"], NOW)
    (post,) = await outbox.for_cohort(cohort_id)
    assert await outbox.claim(post.id, NOW)
    await outbox.complete(post.id, "post1", None, NOW)
    repo = ResponseRepository(db)
    writer = ResponseWriter(db, ManualClock(NOW))  # the one way responses are written
    new = Submission("discord", "m1", "42", "Ann", "first", NOW, ((Arrival.THREAD, "post1"),))
    assert await writer.submit(new) is Outcome.CREATED
    assert await writer.submit(new) is Outcome.UNCHANGED  # a replayed event
    own = writer._conn  # the writer's own connection keeps its page cache bounded too
    assert own is not None and own.execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB
    await writer.close()
    later = NOW + timedelta(minutes=5)
    assert await repo.edit("discord", "m1", "second", later) is Outcome.UPDATED
    assert await repo.edit("discord", "m1", "second", later) is Outcome.UNCHANGED
    assert await repo.edit("discord", "nope", "x", later) is Outcome.UNKNOWN
    record = await repo.get("discord", "m1")
    assert record is not None and record.body == "second" and record.edited_at == later
    assert await repo.history(record.id) == [("first", later)]
    assert await repo.delete("discord", "m1", later) is Outcome.DELETED
    assert await repo.delete("discord", "m1", later) is Outcome.UNCHANGED
    assert await repo.count_for_prompt(cohort_id, "p1") == (0, 0)
    assert await db.scalar("SELECT COUNT(*) FROM responses") == 1


async def test_outbox_claim_is_exclusive_and_rows_are_unique(db: Database) -> None:
    cohort_id = await _cohort(db)
    outbox = OutboxRepository(db)
    await outbox.schedule(cohort_id, "s1", "prompt", ["a", "b"], NOW)
    await outbox.schedule(cohort_id, "s1", "prompt", ["a", "b"], NOW + timedelta(days=1))
    items = await outbox.for_cohort(cohort_id)
    assert len(items) == 2 and items[0].due_at == NOW + timedelta(days=1)
    assert await outbox.claim(items[0].id, NOW)
    assert not await outbox.claim(items[0].id, NOW)
    await outbox.complete(items[0].id, "msg", "thread", NOW)
    # A posted row never moves again.
    await outbox.schedule(cohort_id, "s1", "prompt", ["a"], NOW + timedelta(days=9))
    item = await outbox.get(items[0].id)
    assert item.state is OutboxState.POSTED and item.due_at == NOW + timedelta(days=1)


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    cohort_id = await _cohort(db)
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await OutboxRepository(db).schedule(cohort_id, "s1", "prompt", ["a"], NOW)
            raise RuntimeError("crash half-way")
    assert await db.scalar("SELECT COUNT(*) FROM outbox") == 0


def test_a_killed_process_mid_transaction_leaves_the_database_consistent(tmp_path: Path) -> None:
    path = tmp_path / "kill.db"
    script = textwrap.dedent(f"""
        import asyncio, os
        from seminarbot.storage.db import Database

        async def main():
            db = await Database.open({str(path)!r})
            await db.execute("INSERT INTO communities (platform, external_id, created_at)"
                             " VALUES ('x', 'committed', 'now')")
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO communities (platform, external_id, created_at)"
                                   " VALUES ('x', 'half-done', 'now')")
                os._exit(9)  # killed between two writes of one command

        asyncio.run(main())
    """)
    result = subprocess.run([sys.executable, "-c", script], check=False)
    assert result.returncode == 9
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute("SELECT external_id FROM communities").fetchall()
        assert rows == [("committed",)]
    finally:
        conn.close()


async def test_backup_is_a_consistent_copy(db: Database, tmp_path: Path) -> None:
    await _cohort(db)
    target = tmp_path / "copy.db"
    await db.backup(target)
    copy = await Database.open(target)
    try:
        assert await copy.scalar("SELECT COUNT(*) FROM cohorts") == 1
    finally:
        await copy.close()


async def test_names_the_platforms_hand_over_are_stored_without_control_characters(
        db: Database) -> None:
    from seminarbot.storage.audit import AuditLog

    repo = CohortRepository(db)
    community = await repo.ensure_community("matrix", "!r:hs", "Evil\x1b]0;pwned\x07\x1b[2J room",
                                            NOW)
    cohort = await repo.upsert(community, "!r:hs", "ch\x00an\x9bnel", "default", RULE, NOW)
    await AuditLog(db).record(at=NOW, platform="matrix", actor_id="@m:hs",
                              actor_name="mod\x1b[31m\r\nerator", action="seminar setup",
                              outcome="ok")
    assert community.name == "Evil]0;pwned[2J room"
    assert cohort.name == "channel"
    assert (await AuditLog(db).recent())[0].actor_name == "mod[31m\nerator"
