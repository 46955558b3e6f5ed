"""Thread replies become responses once; edits keep history; opt-outs are honoured."""

from datetime import timedelta

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
