"""Privacy and limits on Matrix: a room's moderator finds only the room's own people, and one
person's flood of commands is refused once, quietly after that, without holding others up."""

from __future__ import annotations

from datetime import timedelta

from nio import RoomMessagesResponse

from seminarbot.core.limits import PARTICIPANTS
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person, replies


async def seminar_room(bot: BotHarness, mod: Person, *members: Person) -> str:
    room = await mod.create_room(invite=[bot.user_id, *(m.user_id for m in members)])
    await mod.wait_member(room, bot.user_id)
    for member in members:
        await member.join(room)
        await mod.wait_member(room, member.user_id)
    assert "Seminar set up" in await mod.command(room, "!seminar setup tue 19:00 UTC",
                                                 bot.user_id)
    assert "Posted session 1" in await mod.command(room, "!seminar post", bot.user_id)
    return room


async def test_a_moderator_finds_only_the_people_of_their_own_room(
        bot: BotHarness, people: People) -> None:
    mod, ann = await people("mod"), await people("ann")
    other_mod, dan = await people("othermod"), await people("dan")
    room = await seminar_room(bot, mod, ann)
    other = await seminar_room(bot, other_mod, dan)
    assert "Recorded" in await ann.command(room, "!seminar respond 1.1 Councils.", bot.user_id)
    assert "Recorded" in await dan.command(other, "!seminar respond 1.1 Parties.", bot.user_id)
    assert "Opted out" in await dan.command(other, "!seminar optout", bot.user_id)

    dan_name = dan.user_id[1:].split(":")[0]  # his display name: the id's local part
    for wanted in (dan.user_id, dan_name):
        answer = await mod.command(room, f"!seminar export csv --participant {wanted}",
                                   bot.user_id)
        assert "No participant here is called" in answer and "opted out" not in answer
    # In his own room his moderator is told, and ann is nobody there.
    assert "has opted out" in await other_mod.command(
        other, f"!seminar export csv --participant {dan.user_id}", bot.user_id)
    assert "No participant here" in await other_mod.command(
        other, f"!seminar export csv --participant {ann.user_id}", bot.user_id)
    assert "Export ready" in await mod.command(
        room, f"!seminar export csv --participant {ann.user_id}", bot.user_id)


async def test_a_flood_of_commands_is_refused_once_and_others_are_answered(
        bot: BotHarness, people: People) -> None:
    mod, bob = await people("mod"), await people("bob")
    room = await seminar_room(bot, mod, bob)
    flood = [await bob.say(room, "!term soviet") for _ in range(PARTICIPANTS.burst + 8)]
    # Handled in order: once the moderator's answer is there, all of bob's were handled.
    assert "soviet" in await mod.command(room, "!term soviet", bot.user_id)
    await bob.sync()
    history = await bob.client.room_messages(room, start=bob.client.next_batch, limit=200)
    assert isinstance(history, RoomMessagesResponse), history
    answers = [e.source for e in reversed(history.chunk) for asked in flood
               if replies(e.source, asked, bot.user_id)]
    bodies = [str(e["content"]["body"]) for e in answers]
    # The burst is answered in the room; the one "slow down" is for bob alone (a direct chat,
    # which the room points him to).
    assert len(bodies) == PARTICIPANTS.burst + 1, bodies
    assert all(b.startswith("soviet") for b in bodies[:-1])
    assert "direct chat" in bodies[-1]
    slow = await bob.answer_to(room, flood[PARTICIPANTS.burst], bot.user_id)
    assert "Slow down" in slow["content"]["body"] and "Try again in 2 s" in \
        slow["content"]["body"]
    assert bob.room_of(slow["event_id"]) != room
    # Time refills the allowance (the injected clock's time).
    await bot.advance(timedelta(seconds=2))
    assert (await bob.command(room, "!term soviet", bot.user_id)).startswith("soviet")


async def test_an_opt_in_dates_from_when_it_was_sent_not_from_when_it_was_read(
        bot: BotHarness, people: People) -> None:
    """helper-111: an opt-in counted from when the bot handled it (its clock), the replies
    around it from when they were sent (the homeserver's origin_server_ts): a reply written
    just after `!seminar optin` while the bot was down was refused as written while opted
    out. A command now dates what it records from when it was sent (Invocation.sent)."""
    from datetime import UTC, datetime

    from tests.matrix import element
    from tests.matrix.test_restart import posted_seminar
    from tests.matrix.test_words import barrier

    bot.clock.set(datetime.now(UTC))
    mod, ann, room, thread = await posted_seminar(bot, people)
    await ann.command(room, "!seminar optout", bot.user_id)
    bot.clock.set(datetime.now(UTC) + timedelta(seconds=2))
    await bot.stop()
    optin = await ann.say(room, "!seminar optin")
    after = await ann.send(room, element.in_thread("Written after I opted in.", thread, thread))
    bot.clock.set(datetime.now(UTC) + timedelta(minutes=10))
    app = await bot.start()
    assert "Opted in" in (await ann.answer_to(room, optin, bot.user_id))["content"]["body"]
    await barrier(mod, room, thread, app)
    record = await app.responses.get("matrix", after)
    assert record is not None and record.body == "Written after I opted in."
