"""An encrypted event's plaintext is all its sender's: what a hostile client encrypts must
neither make them a moderator nor stop the bot (a forged room creation, forged power levels,
a message nio cannot parse). Sent the way a client sends any encrypted event."""

from __future__ import annotations

from typing import Any

from nio import Api, RoomSendResponse

from seminarbot.adapters.matrix.plaintext import contain_malformed
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person


async def _encrypt_and_send(person: Person, room: str, plaintext: dict[str, Any], txn: str
                            ) -> None:
    assert person.client.olm is not None
    content = person.client.olm.group_encrypt(room, dict(plaintext))
    method, path, data = Api.room_send(person.client.access_token, room, "m.room.encrypted",
                                       content, txn)
    answer = await person.client._send(RoomSendResponse, method, path, data, (room,))
    assert isinstance(answer, RoomSendResponse), answer


async def test_what_a_member_encrypts_makes_no_moderator_and_stops_nothing(
        bot: BotHarness, people: People) -> None:
    mod, ann = await people("mod"), await people("ann")
    for person in (mod, ann):  # their own clients read past what nio cannot parse, too
        contain_malformed(person.client)
    room = await mod.create_room(invite=[bot.user_id, ann.user_id], encrypted=True)
    await mod.wait_member(room, bot.user_id)
    await ann.join(room)
    assert "Only moderators" in await ann.command(room, "!seminar setup tue 19:00 UTC",
                                                  bot.user_id)
    forged = {"type": "m.room.create", "state_key": "", "content": {"room_version": "12"}}
    await _encrypt_and_send(ann, room, forged, "forged-1")
    await _encrypt_and_send(ann, room, {**forged, "content": {
        "room_version": "12", "additional_creators": 5}}, "forged-2")
    await _encrypt_and_send(ann, room, {"type": "m.room.power_levels", "state_key": "",
                                        "content": {"users": {ann.user_id: 100}}}, "forged-3")
    await _encrypt_and_send(ann, room, {"type": "m.room.message", "unsigned": 5,
                                        "content": {"msgtype": "m.text", "body": "hi"}},
                            "unparsable-1")
    assert "Only moderators" in await ann.command(room, "!seminar setup tue 19:00 UTC",
                                                  bot.user_id)
    assert "Seminar set up" in await mod.command(room, "!seminar setup tue 19:00 UTC",
                                                 bot.user_id)
    assert not any(task.done() for task in bot.tasks)


async def test_a_redaction_a_member_encrypts_erases_nobodys_response(
        bot: BotHarness, people: People) -> None:
    # The homeserver checks who may redact only in what it can read: encrypted, bob's
    # redaction of ann's reply erased her response.
    from tests.matrix.test_words import stored

    mod, ann, bob = await people("mod"), await people("ann"), await people("bob")
    for person in (mod, ann, bob):
        contain_malformed(person.client)
    room = await mod.create_room(invite=[bot.user_id, ann.user_id, bob.user_id], encrypted=True)
    await mod.wait_member(room, bot.user_id)
    await ann.join(room)
    await bob.join(room)
    await mod.command(room, "!seminar setup tuesday 19:00 Europe/Berlin", bot.user_id)
    await mod.command(room, "!seminar post", bot.user_id)
    thread = str(await bot.services.db.scalar("SELECT thread_id FROM outbox ORDER BY id LIMIT 1"))
    reply = await ann.say(room, "Ann's answer.", thread=thread)
    assert await stored(bot.services, reply) == "Ann's answer."
    await bob.say(room, "Hello all.")  # bob's session is shared with the bot
    await _encrypt_and_send(bob, room, {"type": "m.room.redaction", "redacts": reply,
                                        "content": {"redacts": reply}}, "forged-redaction")
    later = await bob.say(room, "Bob's answer.", thread=thread)
    assert await stored(bot.services, later) == "Bob's answer."  # the redaction was taken in
    assert await stored(bot.services, reply) == "Ann's answer."


async def test_a_relation_hidden_in_the_plaintext_is_not_read(
        bot: BotHarness, people: People) -> None:
    # Clients read an encrypted event's relation from its envelope (matrix-js-sdk reads the
    # wire content); nio read one hidden in the plaintext: a thread reply the room shows in its
    # main timeline was recorded, and an edit the room does not show was applied (try31, 1).
    from tests.matrix import element
    from tests.matrix.test_words import barrier, stored

    mod, ann = await people("mod"), await people("ann")
    room = await mod.create_room(invite=[bot.user_id, ann.user_id], encrypted=True)
    await mod.wait_member(room, bot.user_id)
    await ann.join(room)
    await mod.command(room, "!seminar setup tuesday 19:00 Europe/Berlin", bot.user_id)
    await mod.command(room, "!seminar post", bot.user_id)
    thread = str(await bot.services.db.scalar("SELECT thread_id FROM outbox ORDER BY id LIMIT 1"))
    reply = await ann.send(room, element.in_thread("Ann's answer.", thread, thread))
    assert await stored(bot.services, reply) == "Ann's answer."
    hidden_reply = element.in_thread("Hidden thread reply.", thread, thread)
    await _encrypt_and_send(ann, room, {"type": "m.room.message", "content": hidden_reply},
                            "hidden-thread")
    await _encrypt_and_send(ann, room, {"type": "m.room.message",
                                        "content": element.edit("Sneaky rewrite.", reply)},
                            "hidden-edit")
    await barrier(ann, room, thread, bot.services)
    bodies = [row[0] for row in await bot.services.db.fetchall(
        "SELECT body FROM responses ORDER BY id")]
    assert bodies == ["Ann's answer.", "Barrier."]
