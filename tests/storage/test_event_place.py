"""An event about a response counts only from where the response was written and from whom
may change it (Matrix spec: a replacement is in the original's room and from its sender; from
room version 3 on, whoever applies a redaction checks its sender, so a homeserver may pass on
one it has not checked). Before, any redaction that named a response erased it, and an edit
sent from another room by its author changed the text its own room still showed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from seminarbot.core.invocation import Actor
from seminarbot.domain.responses import Outcome
from seminarbot.services.container import Services
from seminarbot.services.responses import (
    InboundMessage,
    record_edit,
    record_message,
    record_redaction,
)
from tests.conftest import START
from tests.storage.test_edit_order import posted_seminar

ANN, BOB = Actor("console", "console:ann", "ann"), "console:bob"
LATER = START + timedelta(minutes=5)


async def _seminar(folder: Path) -> Services:
    """ann's response m1, written in the console's channel, and m2, with no place of its own."""
    app, thread = await posted_seminar(folder)
    for message_id, place in (("m1", "console"), ("m2", None)):
        await record_message(app, InboundMessage("console", message_id, ANN, f"{message_id} text",
                                                 START, thread_id=thread, channel_id=place))
    return app


async def _body(app: Services, message_id: str) -> str:
    return str(await app.db.scalar("SELECT body FROM responses WHERE message_id = ?",
                                   (message_id,)))


async def test_a_redaction_by_another_or_from_another_room_erases_nothing(
        tmp_path: Path) -> None:
    app = await _seminar(tmp_path)
    try:
        assert await record_redaction(app, "console", "m1", LATER, by=BOB,
                                      place="console") is Outcome.REFUSED
        assert await record_redaction(app, "console", "m1", LATER,
                                      place="room-b") is Outcome.UNKNOWN
        assert await _body(app, "m1") == "m1 text"
        assert await record_redaction(app, "console", "m1", LATER, by=ANN.user_id,
                                      place="console") is Outcome.DELETED
        # Without a place of its own, it was written in its seminar's channel (a command).
        assert await record_redaction(app, "console", "m2", LATER,
                                      place="room-z") is Outcome.UNKNOWN
        assert await record_redaction(app, "console", "m2", LATER,
                                      place="console") is Outcome.DELETED  # by a moderator
    finally:
        await app.close()


async def test_an_edit_from_another_room_changes_nothing_and_its_redaction_counts_as_others(
        tmp_path: Path) -> None:
    app = await _seminar(tmp_path)
    try:
        assert await record_edit(app, "console", "m1", "hijacked", LATER, by=ANN.user_id,
                                 edit_id="e0", place="room-b") is Outcome.UNKNOWN
        assert await record_edit(app, "console", "m1", "", LATER, by=ANN.user_id,
                                 place="room-b") is Outcome.UNKNOWN  # withdrawn: no more
        assert await _body(app, "m1") == "m1 text"
        assert await record_edit(app, "console", "m1", "m1 revised", LATER, by=ANN.user_id,
                                 edit_id="e1", place="console") is Outcome.UPDATED
        assert await record_redaction(app, "console", "e1", LATER, by=BOB,
                                      place="console") is Outcome.REFUSED
        assert await record_redaction(app, "console", "e1", LATER,
                                      place="room-b") is Outcome.UNKNOWN
        assert await _body(app, "m1") == "m1 revised"
        assert await record_redaction(app, "console", "e1", LATER, by=ANN.user_id,
                                      place="console") is Outcome.UPDATED
        assert await _body(app, "m1") == "m1 text"
    finally:
        await app.close()


async def test_a_message_answers_a_prompt_only_where_the_prompt_is(tmp_path: Path) -> None:
    app = await _seminar(tmp_path)
    try:
        post = (await app.outbox.for_cohort(1))[0]
        assert post.message_id and post.thread_id
        here = {"in the seminar's channel": "console", "in the prompt's thread": post.thread_id}
        for n, (refs, place) in enumerate([
                *(({"reply_to": post.message_id}, where) for where in here.values()),
                ({"thread_id": post.thread_id}, post.thread_id),
                ({"reply_to": post.message_id}, "another-channel"),
                ({"thread_id": post.thread_id}, "another-channel"),
                ({"reply_to": post.message_id, "thread_id": post.thread_id}, "another-room")]):
            outcome = await record_message(app, InboundMessage(
                "console", f"p{n}", ANN, "An answer.", LATER, channel_id=place, **refs))
            assert (outcome is Outcome.CREATED) is (place in here.values()), (refs, place)
    finally:
        await app.close()
