"""What one room calls someone stays in that room (issue 18's second try-out, finding A), and
the counts a reply shows in a room are that room's (G): two rooms on a real Synapse, real nio
clients, the bot as `seminarbot run` runs it."""

from __future__ import annotations

from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person

NICK = "Bob-SecretCircleNick"


async def seminar_room(bot: BotHarness, mod: Person, name: str, *members: Person) -> str:
    room = await mod.create_room(invite=[bot.user_id, *(m.user_id for m in members)], name=name)
    await mod.wait_member(room, bot.user_id)
    for member in members:
        await member.join(room)
        await mod.wait_member(room, member.user_id)
    assert "Seminar set up" in await mod.command(room, "!seminar setup tue 19:00 UTC",
                                                 bot.user_id)
    assert "Posted session 1" in await mod.command(room, "!seminar post", bot.user_id)
    return room


async def export_csv(bot: BotHarness, mod: Person, room: str, line: str) -> str:
    event = await mod.say(room, line)
    file_event = await mod.answer_to(room, event, bot.user_id, msgtype="m.file")
    return (await mod.download(file_event["content"]["url"])).decode("utf-8-sig")


async def test_a_name_from_another_room_never_shows_in_this_one(
        bot: BotHarness, people: People) -> None:
    mod, cat, bob = await people("mod"), await people("cat"), await people("bob")
    room = await seminar_room(bot, mod, "Reading Group", bob)
    circle = await seminar_room(bot, cat, "History Circle", bob)
    bob_name = bob.user_id[1:].split(":")[0]  # his name in Reading Group: his id's local part
    assert "Recorded" in await bob.command(room, "!seminar respond 1.1 Councils first.",
                                           bot.user_id)
    # In History Circle he goes by another name, set for that room only, and answers there.
    await bob.client.room_put_state(circle, "m.room.member",
                                    {"membership": "join", "displayname": NICK},
                                    state_key=bob.user_id)
    await cat.wait_for(circle, lambda e: e["type"] == "m.room.member"
                       and e["content"].get("displayname") == NICK, "bob's name in the room")
    assert "Recorded" in await bob.command(circle, "!seminar respond 1.1 Soviets second.",
                                           bot.user_id)

    for wanted in (NICK, NICK.lower()):
        answer = await mod.command(room, f"!seminar export csv --participant {wanted}",
                                   bot.user_id)
        assert "No participant here is called" in answer
    stats = await mod.command(room, "!seminar stats participants", bot.user_id)
    assert bob_name in stats and "Secret" not in stats
    csv = await export_csv(bot, mod, room, "!seminar export csv")
    assert f'"{bob_name}"' in csv and "Secret" not in csv and "Soviets" not in csv
    # In History Circle he is known by the name he has there, and only by it.
    assert "No participant here" in await cat.command(
        circle, f"!seminar export csv --participant {bob_name}", bot.user_id)
    circle_csv = await export_csv(bot, cat, circle, f"!seminar export csv --participant {NICK}")
    assert f'"{NICK}"' in circle_csv and "Councils" not in circle_csv


async def test_what_forget_me_counts_in_a_room_is_that_rooms(
        bot: BotHarness, people: People) -> None:
    mod, cat, ann = await people("mod"), await people("cat"), await people("ann")
    room = await seminar_room(bot, mod, "Reading Group", ann)
    circle = await seminar_room(bot, cat, "History Circle", ann)
    for where in (room, circle):
        assert "Recorded" in await ann.command(where, "!seminar respond 1.1 One answer.",
                                               bot.user_id)
    asked = await ann.command(room, "!seminar forget-me", bot.user_id)
    assert "Responses in Reading Group: 1, with 0 earlier versions" in asked
    assert "every seminar of this bot on Matrix, in every room" in asked
    code = asked.split("forget-me ")[-1].split()[0]
    # What the adapter keeps of her outside the database goes too (test_forgotten_files.py).
    dropped: list[str] = []
    keeps = bot.services.kept_outside["matrix"]
    bot.services.kept_outside["matrix"] = lambda user: dropped.append(user) or keeps(user)
    done = await ann.command(room, f"!seminar forget-me {code}", bot.user_id)
    assert dropped == [ann.user_id]
    assert "in Reading Group, 1 response with 0 earlier versions" in done
    assert "the same elsewhere (not counted here)" in done
    # Both rooms' answers are gone.
    assert "No participant here" in await cat.command(
        circle, f"!seminar export csv --participant {ann.user_id}", bot.user_id)
