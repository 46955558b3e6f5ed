"""Thread replies become responses once; edits keep history; opt-outs are honoured."""

import asyncio
import sqlite3
from datetime import timedelta

import pytest

from seminarbot.app import Services
from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.inbound import (
    MAX_BODY_CHARS,
    TRUNCATION_MARK,
    InboundMessage,
    last_recorded,
    record_delete,
    record_edit,
    record_message,
)
from seminarbot.storage.responses import Outcome
from tests.conftest import ConsoleDriver

ANN = Actor("console", "console:ann", "ann")


async def _thread(console: ConsoleDriver, app: Services) -> str:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    item = (await app.outbox.for_cohort(1))[0]
    assert item.thread_id
    return item.thread_id


async def test_thread_replies_are_recorded_once_and_follow_edits(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    message = InboundMessage("console", "m1", ANN, "A first thought.", clock.now(),
                             thread_id=thread)
    assert await record_message(app, message) is Outcome.CREATED
    assert await record_message(app, message) is Outcome.UNCHANGED  # a replay or backfill
    assert await last_recorded(app, "console", thread) == "m1"
    later = clock.now() + timedelta(minutes=3)
    assert await record_edit(app, "console", "m1", "A second thought.", later) is Outcome.UPDATED
    assert await record_delete(app, "console", "m1", later) is Outcome.DELETED
    row = await app.db.fetchone("SELECT prompt_id, body, deleted_at FROM responses")
    assert row is not None and tuple(row) == ("beginnings-comprehension", "A second thought.",
                                              "2026-01-05T09:03:00Z")


async def test_messages_outside_prompt_threads_and_opted_out_authors_are_not_stored(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    chatter = InboundMessage("console", "x", ANN, "hello", clock.now(), thread_id="elsewhere")
    assert await record_message(app, chatter) is None
    await app.participants.ensure("console", "console:ann", "ann", clock.now())
    await app.db.execute("UPDATE participants SET opted_out = 1")
    reply = InboundMessage("console", "y", ANN, "private", clock.now(), thread_id=thread)
    assert await record_message(app, reply) is None
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 0


async def test_huge_messages_are_truncated_by_the_documented_rule(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    huge = InboundMessage("console", "big", ANN, "x" * 100_000, clock.now(), reply_to=thread)
    assert await record_message(app, huge) is Outcome.CREATED
    body = await app.db.scalar("SELECT body FROM responses")
    assert len(body) == MAX_BODY_CHARS and body.endswith(TRUNCATION_MARK)


async def test_concurrent_messages_share_commits_and_replays_change_nothing(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    people = [Actor("console", f"u{n}", f"person {n}") for n in range(40)]
    messages = [InboundMessage("console", f"m{n}", people[n % 40], f"Reply {n}", clock.now(),
                               thread_id=thread) for n in range(200)]
    before = app.response_writer.batches
    outcomes = await asyncio.gather(*(record_message(app, m) for m in messages + messages[:50]))
    assert outcomes.count(Outcome.CREATED) == 200
    assert outcomes.count(Outcome.UNCHANGED) == 50
    assert app.response_writer.batches - before <= 3  # group commit, not 250 transactions
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 200
    assert await app.db.scalar("SELECT COUNT(*) FROM participants") == 40


async def test_an_opted_out_author_is_left_untouched(console: ConsoleDriver, app: Services,
                                                     clock: ManualClock) -> None:
    thread = await _thread(console, app)
    await app.participants.ensure("console", "quiet", "Old Name", clock.now())
    await app.db.execute("UPDATE participants SET opted_out = 1 WHERE external_id = 'quiet'")
    renamed = Actor("console", "quiet", "New Name")
    message = InboundMessage("console", "q1", renamed, "secret", clock.now(), thread_id=thread)
    assert await record_message(app, message) is None
    assert await app.db.scalar(
        "SELECT display_name FROM participants WHERE external_id = 'quiet'") == "Old Name"
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 0


async def test_a_failed_commit_is_reported_to_every_caller_and_stores_nothing(
        console: ConsoleDriver, app: Services, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    thread = await _thread(console, app)

    def broken(conn: object, rows: object) -> set[tuple[str, str]]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(app.response_writer, "_insert", broken)
    messages = [InboundMessage("console", f"f{n}", Actor("console", f"new{n}", "n"), "x",
                               clock.now(), thread_id=thread) for n in range(5)]
    results = await asyncio.gather(*(record_message(app, m) for m in messages),
                                   return_exceptions=True)
    assert all(isinstance(r, sqlite3.OperationalError) for r in results)
    # The whole batch rolled back: not even the new participants were kept.
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM participants WHERE external_id LIKE 'new%'") == 0
