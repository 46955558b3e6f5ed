"""What concerns a seminar counts only from its room, and a response is taken back only by whom
may (Matrix spec: a replacement is in the original's room and from its sender; from room
version 3 on, whoever applies a redaction checks that its sender wrote the event or reaches the
room's `redact` level, so a homeserver may pass one on unchecked). On a real Synapse, which
checks no rich reply's room, nor any relation it cannot read (encrypted): a reply from another
room answers no prompt, an edit from another room changes nothing, and a moderator's redaction
still erases a participant's response."""

from __future__ import annotations

from nio import MatrixRoom, RoomGetStateEventResponse, RoomPutStateResponse
from nio.events.room_events import DefaultLevels, PowerLevels

from seminarbot.adapters.matrix.plaintext import contain_malformed
from seminarbot.adapters.matrix.rooms import may_redact_others
from seminarbot.adapters.matrix.undecrypted import Undecrypted
from tests.matrix import element
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person
from tests.matrix.test_deletion import tombstone
from tests.matrix.test_hostile_plaintext import _encrypt_and_send
from tests.matrix.test_restart import posted_seminar
from tests.matrix.test_translation import KeysFor, _edit_of, _encrypted, _never
from tests.matrix.test_words import barrier, stored


def _room(redact: int, users: dict[str, int]) -> MatrixRoom:
    room = MatrixRoom("!r:hs", "@bot:hs")
    room.power_levels = PowerLevels(DefaultLevels(redact=redact), users)
    return room


def test_only_those_at_the_rooms_redact_level_may_redact_others() -> None:
    room = _room(50, {"@mod:hs": 50, "@ann:hs": 49})
    assert may_redact_others(room, "@mod:hs", frozenset())
    assert not may_redact_others(room, "@ann:hs", frozenset())
    assert not may_redact_others(room, "@stranger:elsewhere", frozenset())
    assert not may_redact_others(_room(100, {"@mod:hs": 50}), "@mod:hs", frozenset())
    assert may_redact_others(_room(100, {}), "@founder:hs", frozenset({"@founder:hs"}))
    assert not may_redact_others(None, "@ann:hs", frozenset())


async def test_a_waiting_event_is_dropped_only_by_its_sender_or_one_who_may_redact() -> None:
    client = KeysFor()
    waiting = Undecrypted(client)
    await waiting.keep("!r:hs", _encrypted("$m"))  # ann's
    assert waiting.hold_edit("!r:hs", "$m", _edit_of("$m", "$e1", "second"))
    assert not waiting.redacted("!r:hs", "$m", "@bob:hs")
    assert not waiting.redacted("!r:hs", "$e1", "@bob:hs")
    assert [len(w.edits) for w in waiting.waiting] == [1]
    assert waiting.redacted("!r:hs", "$e1", "@ann:hs")
    assert waiting.redacted("!r:hs", "$m", None)  # a moderator's
    client.keys.add("$m")
    await waiting.retry(_never)
    assert waiting.waiting == []


async def test_a_moderator_redacts_a_response_and_an_edit_from_elsewhere_changes_nothing(
        bot: BotHarness, people: People) -> None:
    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    # Synapse refuses a relation to another room's event where it can read it: encrypted, the
    # relation is in what only the room's members read.
    contain_malformed(ann.client)
    other = await ann.create_room(invite=[bot.user_id], encrypted=True)
    await ann.wait_member(other, bot.user_id)
    await ann.say(other, "Hello.")  # ann's Megolm session is shared with the bot
    kept = await ann.say(room, "Kept as written.", thread=thread)
    assert await stored(app, kept) == "Kept as written."
    for number, text in enumerate(("Changed from another room.", "\u200b")):  # \u200b: withdrawn
        await _encrypt_and_send(ann, other, {"type": "m.room.message",
                                             "content": element.edit(text, kept)}, f"e{number}")
    await barrier(ann, room, thread, app)
    assert await stored(app, kept) == "Kept as written."

    removed = await ann.say(room, "Off topic.", thread=thread)
    assert await stored(app, removed) == "Off topic."
    await mod.redact(room, removed)
    assert await tombstone(app, removed) == ("", 0)


async def test_a_reply_from_another_room_answers_no_prompt(bot: BotHarness,
                                                           people: People) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    eve = await people("eve")  # in no seminar: her own room, with the bot in it
    contain_malformed(eve.client)
    elsewhere = await eve.create_room(invite=[bot.user_id, ann.user_id], encrypted=True)
    await eve.wait_member(elsewhere, bot.user_id)
    await ann.join(elsewhere)
    await eve.say(elsewhere, "Hello.")  # eve's Megolm session is shared with the bot
    sent = [await eve.send(elsewhere, element.rich_reply("Eve's view.", thread)),
            await ann.send(elsewhere, element.rich_reply("Ann, from elsewhere.", thread))]
    await _encrypt_and_send(eve, elsewhere, {"type": "m.room.message", "content": element.in_thread(
        "Eve, in the thread from elsewhere.", thread, thread)}, "threaded")
    await barrier(ann, room, thread, app)
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 1  # the barrier
    assert await app.db.scalar("SELECT COUNT(*) FROM participants WHERE external_id = ?",
                               (eve.user_id,)) == 0
    assert not await app.db.scalar(
        f"SELECT COUNT(*) FROM responses WHERE message_id IN ({', '.join('?' * len(sent))})",
        sent)


async def test_an_answer_by_command_is_changed_by_no_edit_and_from_no_other_room(
        bot: BotHarness, people: People) -> None:
    # Its message is the command: an edit of it (from the room, or from another room, where
    # it had no place stored and counted from anywhere) changed the answer, or withdrew it.
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    command = await ann.say(room, "!seminar respond 1.1 First answer.")
    await ann.answer_to(room, command, bot.user_id)
    assert await stored(app, command) == "First answer."
    await ann.edit(room, command, "!seminar respond 1.1 Second answer.")
    await ann.send(room, element.edit("\u200b", command))
    contain_malformed(ann.client)
    other = await ann.create_room(invite=[bot.user_id], encrypted=True)
    await ann.wait_member(other, bot.user_id)
    await ann.say(other, "Hello.")  # ann's Megolm session is shared with the bot
    await _encrypt_and_send(ann, other, {"type": "m.room.message", "content": element.edit(
        "Changed from elsewhere.", command)}, "elsewhere")
    await barrier(ann, room, thread, app)
    assert await stored(app, command) == "First answer."
    await ann.redact(room, command)  # taking the command's message back takes the answer back
    assert await tombstone(app, command) == ("", 0)


async def _set_level(mod: Person, room: str, user: str, level: int) -> None:
    state = await mod.client.room_get_state_event(room, "m.room.power_levels")
    assert isinstance(state, RoomGetStateEventResponse), state
    users = {**state.content.get("users", {}), user: level}
    answer = await mod.client.room_put_state(room, "m.room.power_levels",
                                             {**state.content, "users": users})
    assert isinstance(answer, RoomPutStateResponse), answer


async def test_a_redaction_counts_by_the_power_levels_of_when_it_was_sent(
        bot: BotHarness, people: People) -> None:
    # bob redacts at level 50 and is set back to 0 while the bot is away: every client shows
    # the response redacted (the homeserver applied it), and so does the bot.
    mod, ann, room, thread = await posted_seminar(bot, people)
    bob = await people("bob")
    await mod.client.room_invite(room, bob.user_id)
    await bob.join(room)
    reply = await ann.say(room, "Off topic.", thread=thread)
    assert await stored(bot.services, reply) == "Off topic."
    await bot.stop()
    await _set_level(mod, room, bob.user_id, 50)
    await bob.redact(room, reply)
    await _set_level(mod, room, bob.user_id, 0)
    app = await bot.start()
    assert await tombstone(app, reply) == ("", 0)
