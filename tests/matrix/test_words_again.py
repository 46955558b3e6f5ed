"""Issue 13's second try-out on real Synapse, with events shaped as Element sends them: in a
prompt's thread only a whole well-formed command is a command (finding 9), help takes a command
named with a prefix of any length (14), a quote typed into a reply is kept unless it is a real
fallback naming the sender of what is answered (10), Unicode's default-ignorable characters
alone are nothing (11), and an edit to nothing withdraws a response until an edit brings
text back (12)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.matrix import element
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person, eventually, replies
from tests.matrix.synapse import Synapse
from tests.matrix.test_deletion import tombstone
from tests.matrix.test_restart import posted_seminar
from tests.matrix.test_words import barrier, stored


@pytest.fixture
async def sbot(synapse: Synapse, tmp_path: Path, clock: ManualClock
               ) -> AsyncIterator[BotHarness]:
    """The bot with a prefix of three characters."""
    harness = BotHarness(synapse, synapse.register("bot"), tmp_path / "bot", clock,
                         command_prefix="sb!")
    await harness.start()
    yield harness
    await harness.stop()


async def _unanswered(person: Person, room: str, event_id: str, bot: str) -> bool:
    await person.sync(timeout_ms=200)
    return not any(replies(e, event_id, bot) for e in person.events.get(room, []))


async def test_only_a_whole_well_formed_line_is_a_command_in_a_thread(
        sbot: BotHarness, people: People) -> None:
    mod, ann = await people("mod"), await people("ann")
    room = await mod.create_room(invite=[sbot.user_id, ann.user_id])
    await mod.wait_member(room, sbot.user_id)
    await ann.join(room)
    await mod.command(room, "sb!seminar setup tuesday 19:00 Europe/Berlin", sbot.user_id)
    await mod.command(room, "sb!seminar post", sbot.user_id)
    app = sbot.services
    thread = str(await app.db.scalar("SELECT thread_id FROM outbox ORDER BY id LIMIT 1"))
    said = {}
    for text in ("sb!seminar is wrong here, I think.", "sb!Term limits matter.",
                 "sb!Help me understand the reading.", "sb!help me understand it."):
        said[text] = await ann.send(room, element.in_thread(text, thread, thread))
    command = await ann.send(room, element.in_thread("sb!term soviet", thread, thread))
    answer = await ann.answer_to(room, command, sbot.user_id)
    assert "oviet" in answer["content"]["body"]
    for text, event_id in said.items():
        assert await stored(app, event_id) == text
        assert await _unanswered(ann, room, event_id, sbot.user_id), text
    assert await app.responses.get("matrix", command) is None
    # Help names a command with the prefix, however long it is.
    help_ = await ann.command(room, "sb!help sb!seminar mine", sbot.user_id)
    assert help_.startswith("sb!seminar mine"), help_


async def test_a_quote_typed_into_a_reply_is_kept_unless_it_names_who_wrote_what_is_answered(
        bot: BotHarness, people: People) -> None:
    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    point = await mod.send(room, element.in_thread("A moderator's point.", thread, thread))
    # Typed with /plain, in a reply inside the thread: the quoted user wrote something else.
    typed = f"> <{mod.user_id}> said this once\n\nAnd I reply to the prompt."
    kept = await ann.send(room, element.reply_in_thread(typed, thread, thread, markdown=False))
    assert await stored(app, kept) == typed
    # The old clients' shape, replying to the prompt: the bot wrote it, not the user named.
    other = element.old_rich_reply("My answer.", room, thread, ann.user_id, "never written")
    assert await stored(app, await ann.send(room, other)) == other["body"]
    # A real fallback, naming the sender of the event it answers, is taken off.
    genuine = element.old_rich_reply("> My own quote.\n\nMy reply.", room, point, mod.user_id,
                                     "A moderator's point.")
    genuine["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread,
                               "is_falling_back": False, "m.in_reply_to": {"event_id": point}}
    assert await stored(app, await ann.send(room, genuine)) == "> My own quote.\n\nMy reply."


async def test_invisible_messages_and_edits_to_nothing(bot: BotHarness,
                                                       people: People) -> None:
    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    blank = [await ann.send(room, element.in_thread(text, thread, thread))
             for text in ("\u17b5", "\u17b4\u180b\u180c\u180d\u180f", "\U000e0041\u200b")]
    withdrawn = await ann.send(room, element.in_thread("Words I take back.", thread, thread))
    assert await stored(app, withdrawn) == "Words I take back."
    await mod.send(room, element.edit("\u200b", withdrawn))  # not hers: refused
    await ann.send(room, element.edit("\u200b", withdrawn))
    assert await tombstone(app, withdrawn) == ("", 0)
    await ann.send(room, element.edit("Back again.", withdrawn))  # the final state wins
    await barrier(ann, room, thread, app)
    for event_id in blank:
        assert await app.responses.get("matrix", event_id) is None
    assert await stored(app, withdrawn) == "Back again."
    assert await _count(app) == 2  # and the barrier


async def _count(app: Services) -> int:
    async def counted() -> int:
        return int(await app.db.scalar(
            "SELECT COUNT(*) FROM responses WHERE deleted_at IS NULL"))
    return int(await eventually(counted, "responses counted"))
