"""Private answers on Matrix: what Discord shows only to the caller goes to a direct room with
them, created on first need (`is_direct`, encrypted when the seminar room is), recorded in the
bot's m.direct account data and reused; the seminar room gets a pointer while they have not
joined it; someone who declines it gets the answer in the room with a note."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from nio import RoomCreateResponse

from seminarbot.adapters.matrix.direct import Direct
from seminarbot.adapters.matrix.private import PrivateAnswers
from seminarbot.adapters.matrix.sender import SendFailed
from seminarbot.core.replies import Reply
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person, eventually
from tests.matrix.synapse import Synapse

ACCEPT = "accept my invitation"


async def seminar(bot: BotHarness, mod: Person, *members: Person, encrypted: bool = False
                  ) -> str:
    room = await mod.create_room(invite=[bot.user_id, *(m.user_id for m in members)],
                                 encrypted=encrypted, name="Tuesday seminar")
    await mod.wait_member(room, bot.user_id)
    for member in members:
        await member.join(room)
    await mod.command(room, "!seminar setup tue 19:00 UTC", bot.user_id)
    await mod.command(room, "!seminar post", bot.user_id)
    return room


def direct_rooms(synapse: Synapse, bot: BotHarness) -> dict[str, Any]:
    """The bot's m.direct account data, read with its own login."""
    login = json.loads((bot.settings.data_dir / "matrix" / "login.json").read_text())
    access = login["access_token"]
    answer: dict[str, Any] = synapse.request(
        "GET", f"/_matrix/client/v3/user/{quote(bot.user_id)}/account_data/m.direct",
        token=access)
    return answer


def state_of(person: Person, room_id: str, kind: str) -> dict[str, Any] | None:
    return next((e for e in person.events.get(room_id, []) if e["type"] == kind), None)


async def test_private_answers_go_to_one_direct_room_made_once_and_reused(
        synapse: Synapse, bot: BotHarness, people: People) -> None:
    mod, ann = await people("mod"), await people("ann")
    room = await seminar(bot, mod, ann, encrypted=True)
    asked = await ann.say(room, "!seminar respond 1.1 The minutes were read aloud.")
    answer = await ann.answer_to(room, asked, bot.user_id)
    direct = ann.room_of(answer["event_id"])
    assert direct != room and "Recorded your response to 1.1" in answer["content"]["body"]
    assert "(You asked in “Tuesday seminar”.)" in answer["content"]["body"]
    assert answer["decrypted"]  # encrypted, as the seminar room is
    assert state_of(ann, direct, "m.room.encryption") is not None
    # Someone invited later reads from their invitation on (helper-178's 7), not ann's answers.
    visibility = state_of(ann, direct, "m.room.history_visibility")
    assert visibility is not None and visibility["content"]["history_visibility"] == "invited"
    invite = [e for e in ann.invites[direct] if getattr(e, "state_key", None) == ann.user_id]
    assert invite and invite[0].content.get("is_direct") is True
    assert direct_rooms(synapse, bot) == {ann.user_id: [direct]}
    # The room was pointed to the invitation, in a reply that pings nobody.
    pointer = await ann.wait_for(room, lambda e: ACCEPT in e["content"].get("body", ""),
                                 "the pointer")
    assert pointer["content"]["m.mentions"] == {}

    # Reused: the next answer comes there too, and, ann having joined, with no pointer.
    mine = await ann.command(room, "!seminar mine", bot.user_id)
    assert "The minutes were read aloud." in mine
    mod_pointers = [e for e in (await _room_events(mod, room))
                    if ACCEPT in e["content"].get("body", "")]
    assert len(mod_pointers) == 1
    assert direct_rooms(synapse, bot) == {ann.user_id: [direct]}
    # Nothing of it reached the seminar room.
    assert not [e for e in await _room_events(mod, room)
                if "The minutes were read aloud." in e["content"].get("body", "")
                and e["sender"] == bot.user_id]
    # Public answers stay public.
    assert (await ann.command(room, "!term otryv", bot.user_id)).startswith("otryv")


async def test_someone_who_declines_gets_the_answer_in_the_room_with_a_note(
        bot: BotHarness, people: People) -> None:
    mod, bob = await people("mod"), await people("bob")
    room = await seminar(bot, mod, bob)
    bob.accept_invites = False
    await bob.say(room, "!seminar mine")
    await bob.wait_for(room, lambda e: ACCEPT in e["content"].get("body", ""), "the pointer")

    async def invited() -> bool:
        await bob.sync(timeout_ms=200)
        return bool(set(bob.invites) - {room})
    await eventually(invited, "the invitation to a direct chat")
    (direct,) = set(bob.invites) - {room}
    await bob.client.room_leave(direct)  # declines it
    again = await bob.say(room, "!seminar mine")
    answered = await bob.answer_to(room, again, bot.user_id)
    assert bob.room_of(answered["event_id"]) == room
    body = answered["content"]["body"]
    assert "You have no recorded responses" in body and "you left (or declined) our direct " \
        "chat, so it is here for everyone in the room" in body

    # Inviting the bot to a direct chat of his own gives him one again.
    created = await bob.client.room_create(is_direct=True, invite=[bot.user_id])
    assert isinstance(created, RoomCreateResponse), created
    await bob.wait_member(created.room_id, bot.user_id)
    third = await bob.say(room, "!seminar mine")
    answer = await bob.answer_to(room, third, bot.user_id)
    assert bob.room_of(answer["event_id"]) == created.room_id


async def _room_events(person: Person, room: str) -> list[dict[str, Any]]:
    await person.sync()
    return [e for e in person.events.get(room, []) if e["type"] == "m.room.message"]




async def test_an_export_comes_privately_and_links_back_to_each_event(
        bot: BotHarness, people: People) -> None:
    mod, ann = await people("mod"), await people("ann")
    room = await seminar(bot, mod, ann)
    prompt = await ann.wait_for(room, lambda e: "prompt 1.1" in e["content"].get("body", ""),
                                "prompt 1.1")
    said = await ann.say(room, "The minutes, read aloud.", thread=prompt["event_id"])
    by_command = await ann.say(room, "!seminar respond 1.2 Only in name.")
    await ann.answer_to(room, by_command, bot.user_id)
    asked = await mod.say(room, "!seminar export jsonl")
    file_event = await mod.answer_to(room, asked, bot.user_id, msgtype="m.file")
    assert mod.room_of(file_event["event_id"]) != room  # for the moderator alone
    rows = [json.loads(line) for line in
            (await mod.download(file_event["content"]["url"])).decode().splitlines()]
    # The room's people's server to join through (helper-141's 3: a version 12 room's id
    # names none), and the room id's own where it has one.
    via = "?" + "&".join(f"via={server}" for server in dict.fromkeys(
        [*room.split(":", 1)[1:], ann.user_id.split(":", 1)[1]]))
    assert {r["text"]: r["link"] for r in rows} == {
        "The minutes, read aloud.": f"https://matrix.to/#/{room}/{said}{via}",
        "Only in name.": f"https://matrix.to/#/{room}/{by_command}{via}"}


async def test_an_answer_waiting_for_its_new_direct_room_survives_a_restart(
        bot: BotHarness, people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    mod, bob = await people("mod"), await people("bob")
    room = await seminar(bot, mod, bob)

    async def not_yet(self: PrivateAnswers) -> None:  # the process dies before delivering
        return None
    monkeypatch.setattr(PrivateAnswers, "deliver", not_yet)
    asked = await bob.say(room, "!seminar mine")
    await bob.wait_for(room, lambda e: ACCEPT in e["content"].get("body", ""), "the pointer")
    await bot.stop()
    saved = bot.settings.data_dir / "matrix" / "private.json"
    waiting = json.loads(saved.read_text())
    assert [w["origin"]["event_id"] for w in waiting] == [asked]
    # Damaged entries beside it (a crash, a hand edit) hold up no other answer.
    good = waiting[0]
    saved.write_text(json.dumps([{}, 5, {"dm": 5}, {**good, "syncs": "x"},
                                 {**good, "contents": "abc"}, {**good, "origin": {"x": 1}},
                                 {**good, "origin": {"event_id": asked}}, good]))

    monkeypatch.undo()
    await bot.start()
    answer = await bob.answer_to(room, asked, bot.user_id)
    assert "You have no recorded responses" in answer["content"]["body"]
    assert bob.room_of(answer["event_id"]) != room
    assert json.loads((bot.settings.data_dir / "matrix" / "private.json").read_text()) == []


async def test_an_upgraded_direct_room_is_followed_or_replaced_never_answered_in(
        synapse: Synapse, bot: BotHarness, people: People) -> None:
    """helper-126's 2: after ann upgraded her direct room, answers went on to the old room
    (Element hides it behind its successor), even once the bot had joined the new one."""
    mod, ann = await people("mod"), await people("ann")
    room = await seminar(bot, mod, ann)
    asked = await ann.say(room, "!seminar mine")
    first = ann.room_of((await ann.answer_to(room, asked, bot.user_id))["event_id"])

    def upgrade(room_id: str) -> str:
        done = synapse.request("POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/upgrade",
                               {"new_version": "10"}, token=ann.account.access_token)
        return str(done["replacement_room"])

    # Upgraded to a room the bot is not in: it gives her a new direct room.
    upgrade(first)
    asked = await ann.say(room, "!seminar mine")
    second = ann.room_of((await ann.answer_to(room, asked, bot.user_id))["event_id"])
    assert second not in (first, room)
    assert direct_rooms(synapse, bot)[ann.user_id][-1] == second

    # Upgraded, and she invites the bot in: the successor is used, and recorded.
    third = upgrade(second)
    await ann.client.room_invite(third, bot.user_id)
    await ann.wait_member(third, bot.user_id)
    asked = await ann.say(room, "!seminar mine")
    assert ann.room_of((await ann.answer_to(room, asked, bot.user_id))["event_id"]) == third
    assert third in direct_rooms(synapse, bot)[ann.user_id]


async def test_m_direct_naming_a_shared_room_never_takes_a_private_answer(
        synapse: Synapse, bot: BotHarness, people: People) -> None:
    """helper-129's 8: m.direct edited by hand to name the seminar room (or another person's
    direct room) for ann: her private answer went to the room for all to read (or came with
    a false "you left our direct chat"). A direct room holds the bot and the person only; an
    entry the bot does not read is written back as it was."""
    mod, ann, bob = await people("mod"), await people("ann"), await people("bob")
    room = await seminar(bot, mod, ann, bob)
    asked = await bob.say(room, "!seminar mine")
    bobs = bob.room_of((await bob.answer_to(room, asked, bot.user_id))["event_id"])
    await bob.join(bobs)
    token = json.loads((bot.settings.data_dir / "matrix" / "login.json").read_text())[
        "access_token"]
    junk = {ann.user_id: [room, bobs, 5], bob.user_id: [bobs], "@carol:seminar.test": "kept"}
    synapse.request("PUT", f"/_matrix/client/v3/user/{quote(bot.user_id)}/account_data/"
                           "m.direct", junk, token=token)
    asked = await ann.say(room, "!seminar mine")
    answer = await ann.answer_to(room, asked, bot.user_id)
    where = ann.room_of(answer["event_id"])
    assert where not in (room, bobs) and "left" not in answer["content"]["body"]
    recorded = direct_rooms(synapse, bot)
    assert recorded[ann.user_id] == [room, bobs, 5, where]  # hers added, nothing rewritten
    assert recorded["@carol:seminar.test"] == "kept"


async def test_a_direct_room_the_bot_itself_left_is_not_taken_as_refused(
        synapse: Synapse, bot: BotHarness, people: People) -> None:
    """helper-131: the bot's account, used elsewhere, left ann's direct room; her next private
    answer went to the seminar room for everyone, "you left (or declined) our direct chat"."""
    mod, ann = await people("mod"), await people("ann")
    room = await seminar(bot, mod, ann)
    asked = await ann.say(room, "!seminar mine")
    first = ann.room_of((await ann.answer_to(room, asked, bot.user_id))["event_id"])
    assert first != room
    login = json.loads((bot.settings.data_dir / "matrix" / "login.json").read_text())
    synapse.request("POST", f"/_matrix/client/v3/rooms/{quote(first)}/leave", {},
                    token=login["access_token"])

    async def forgotten() -> bool:
        return direct_rooms(synapse, bot).get(ann.user_id) == []
    await eventually(forgotten, "the room taken out of m.direct")
    again = await ann.say(room, "!seminar mine")
    answer = await ann.answer_to(room, again, bot.user_id)
    second = ann.room_of(answer["event_id"])
    assert second not in (room, first), answer
    assert "you left" not in answer["content"]["body"]
    assert direct_rooms(synapse, bot) == {ann.user_id: [second]}


async def test_an_answer_asked_for_just_after_the_bot_left_its_direct_room_gets_a_new_one(
        synapse: Synapse, bot: BotHarness, people: People) -> None:
    """helper-137's 2: asked before a sync had shown the bot's leave, the homeserver refused
    the send (M_FORBIDDEN), and the answer was lost: the seminar room was told to "ask for
    less at once"."""
    mod, ann = await people("mod"), await people("ann")
    room = await seminar(bot, mod, ann)
    asked = await ann.say(room, "!seminar mine")
    first = ann.room_of((await ann.answer_to(room, asked, bot.user_id))["event_id"])
    login = json.loads((bot.settings.data_dir / "matrix" / "login.json").read_text())
    synapse.request("POST", f"/_matrix/client/v3/rooms/{quote(first)}/leave", {},
                    token=login["access_token"])
    again = await ann.say(room, "!seminar mine")
    answer = await ann.answer_to(room, again, bot.user_id)
    second = ann.room_of(answer["event_id"])
    assert second not in (room, first), answer
    assert "ask for less" not in answer["content"]["body"]
    assert direct_rooms(synapse, bot) == {ann.user_id: [second]}


class _Stubs:
    """A client, sender and direct rooms for PrivateAnswers alone: the direct room "!old:hs"
    refuses the bot (M_FORBIDDEN) from page `refused_from` of a send on; "!new:hs" is the
    room made next. What was sent, and forgotten, is noted."""

    def __init__(self, refused_from: int = 0) -> None:
        self.refused_from = refused_from
        self.sent: list[tuple[str, str]] = []
        self.forgotten: list[str] = []
        self.rooms = {"!old:hs": SimpleNamespace(encrypted=False)}

    async def send(self, room_id: str, content: dict[str, Any], *, txn_id: str) -> None:
        page = int(txn_id.split("private")[1][0]) if "private" in txn_id else 0
        if room_id == "!old:hs" and page >= self.refused_from:
            raise SendFailed("sending: M_FORBIDDEN", retryable=False, code="M_FORBIDDEN")
        self.sent.append((room_id, str(content.get("body"))))

    async def of(self, user_id: str) -> Direct:
        return Direct("ready", "!old:hs", joined=True)

    async def forget(self, room_id: str) -> None:
        self.forgotten.append(room_id)

    async def create(self, user_id: str, *, encrypted: bool) -> str:
        return "!new:hs"

    def answers(self, pages: int) -> PrivateAnswers:
        return PrivateAnswers(self, self, self,  # type: ignore[arg-type]
                              lambda reply, encrypted: [{"body": f"p{n + 1}"}
                                                        for n in range(pages)])


async def test_a_direct_room_the_homeserver_says_the_bot_is_not_in_is_replaced() -> None:
    """helper-137's 2, without the race: the bot's leave not yet synced, the homeserver
    refuses the send as M_FORBIDDEN. The answer goes to a new direct room (kept until it
    arrives), the old one is forgotten, and nothing is said in the seminar room."""
    stubs = _Stubs()
    answers = stubs.answers(1)
    await answers.answer("!seminar:hs", "$asked", "@ann:hs", None, Reply(title="Mine"))
    assert stubs.forgotten == ["!old:hs"]
    assert [waiting["dm"] for waiting in answers.pending] == ["!new:hs"]
    assert [room for room, _ in stubs.sent] == ["!seminar:hs"]  # only the pointer


@pytest.mark.parametrize("refused_from", [0, 1])
async def test_a_notice_or_a_later_page_refused_as_forbidden_goes_to_a_new_room(
        refused_from: int) -> None:
    """helper-138's 1 and 2: a moderator's private notice (the bot removed from a room) was
    lost when their direct room refused the bot, and `tell` still said it was told; a long
    answer whose second page was refused ended with "ask for less at once"."""
    stubs = _Stubs(refused_from)
    answers = stubs.answers(2)
    assert await answers.tell("@mod:hs", "I was removed.", encrypted=False, key="k")
    await answers.answer("!seminar:hs", "$asked", "@ann:hs", None, Reply(title="Mine"))
    refused = 2 if refused_from == 0 else 1  # a notice is one page
    assert stubs.forgotten == ["!old:hs"] * refused
    assert [w["dm"] for w in answers.pending] == ["!new:hs"] * refused
    assert not [body for _, body in stubs.sent if "ask for less" in body], stubs.sent
    assert answers.pending[-1]["contents"][0]["body"] == "p1"  # the whole answer


async def test_a_seminar_is_not_set_up_in_a_direct_room_with_the_bot(
        bot: BotHarness, people: People) -> None:
    """helper-174's 2: in the direct room the bot opened for a moderator's private answers,
    `!seminar setup` made it a seminar, its prompts posted among those answers; after a
    restart the bot did not know its direct rooms until it next answered someone privately
    (helper-176's 1). A seminar's command there says where they work."""
    mod = await people("mod")
    room = await seminar(bot, mod)
    asked = await mod.say(room, "!seminar mine")
    direct = mod.room_of((await mod.answer_to(room, asked, bot.user_id))["event_id"])
    assert direct != room
    await mod.join(direct)
    refused = await mod.command(direct, "!seminar setup wed 18:00 UTC", bot.user_id)
    assert "This is your direct room with the bot" in refused
    await bot.stop()
    await bot.start()
    refused = await mod.command(direct, "!seminar setup wed 18:00 UTC", bot.user_id)
    assert "This is your direct room with the bot" in refused
    schedule = await mod.command(direct, "!seminar schedule", bot.user_id)
    assert "a seminar's commands work in the room it meets in" in schedule
    assert "No seminar runs" not in schedule
    assert await bot.services.db.fetch_tuples(
        "SELECT channel_id FROM cohorts") == [(room,)]


async def test_forget_me_in_the_direct_room_counts_what_is_stored_everywhere(
        bot: BotHarness, people: People) -> None:
    """helper-178's 6: in the direct room, forget-me counted that room as a seminar: "0
    responses in cat5", where a response of theirs was stored (and then deleted)."""
    mod, ann = await people("mod"), await people("ann")
    room = await seminar(bot, mod, ann)
    asked = await ann.say(room, "!seminar respond 1.1 The minutes were read aloud.")
    direct = ann.room_of((await ann.answer_to(room, asked, bot.user_id))["event_id"])
    await ann.join(direct)
    first = " ".join((await ann.command(direct, "!seminar forget-me", bot.user_id)).split())
    assert "The counts are those in every seminar of this bot on Matrix, in every room." in first
    assert "Responses in every seminar of this bot on Matrix, in every room: 1," in first
    code = re.search(r"forget-me ([A-Z0-9]{6})", first)
    assert code, first
    done = " ".join((await ann.command(direct, f"!seminar forget-me {code.group(1)}",
                                       bot.user_id)).split())
    assert "in every seminar of this bot on Matrix, in every room: 1 response with" in done, done
    assert "not counted here" not in first + done
