"""A forget-me on Matrix drops what the adapter keeps of the person outside the database, in
<data_dir>/matrix: their events waiting for keys (with what those hold), their edits and
replies held with others' events (undecrypted.json, in plain text), and the answers waiting
for their direct room (private.json). Before, both files kept their words until the key or the
room came, or the bot gave up (hours)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from seminarbot.adapters.matrix.events import Edited, translate
from seminarbot.adapters.matrix.files import MatrixFiles
from seminarbot.adapters.matrix.private import PrivateAnswers
from seminarbot.adapters.matrix.undecrypted import Undecrypted
from seminarbot.clock import ManualClock
from seminarbot.core.replies import Reply
from seminarbot.services.container import Services
from seminarbot.services.responses import may_keep
from tests.conftest import ConsoleDriver
from tests.matrix.test_private_answers import _Stubs
from tests.matrix.test_translation import KeysFor, _encrypted, message

WORDS = "ZEBRAQUARTZ"


def _reply(event_id: str, sender: str, to: str, text: str) -> dict[str, Any]:
    return message({"msgtype": "m.text", "body": text,
                    "m.relates_to": {"m.in_reply_to": {"event_id": to}}},
                   event_id=event_id, sender=sender)


def _edit(event_id: str, sender: str, of: str, text: str) -> dict[str, Any]:
    return message({"msgtype": "m.text", "body": f"* {text}",
                    "m.new_content": {"msgtype": "m.text", "body": text},
                    "m.relates_to": {"rel_type": "m.replace", "event_id": of}},
                   event_id=event_id, sender=sender)


async def test_held_events_edits_and_replies_of_the_forgotten_are_dropped(
        tmp_path: Path) -> None:
    files = MatrixFiles(tmp_path / "matrix")
    files.prepare()
    client = KeysFor()
    waiting = Undecrypted(client, files)
    await waiting.keep("!r:hs", _encrypted("$ann", "@ann:hs"))
    await waiting.keep("!r:hs", _encrypted("$bob", "@bob:hs"))
    assert waiting.hold_edit("!r:hs", "$bob", _edit("$be", "@bob:hs", "$bob", WORDS))
    assert waiting.hold_reply("!r:hs", "$ann", _reply("$br", "@bob:hs", "$ann", WORDS))
    assert waiting.hold_edit("!r:hs", "$br", _edit("$bre", "@bob:hs", "$br", WORDS + " too"))
    assert waiting.hold_reply("!r:hs", "$ann", _reply("$er", "@eve:hs", "$ann", "Eve's."))
    assert waiting.hold_reply("!r:hs", "$bob", _reply("$er2", "@eve:hs", "$bob", "To bob."))
    assert WORDS in files.undecrypted_file.read_text()

    assert waiting.forget("@bob:hs") == 5
    assert WORDS not in files.undecrypted_file.read_text()
    assert waiting.forget("@bob:hs") == 0
    # ann's event still waits with eve's reply, here and after a restart
    after = Undecrypted(client, files)
    assert [(w.event.event_id, [r["event_id"] for r in w.replies]) for w in after.waiting] == [
        ("$ann", ["$er"])]


async def test_answers_waiting_for_the_forgotten_persons_direct_room_are_dropped(
        tmp_path: Path) -> None:
    files = MatrixFiles(tmp_path / "matrix")
    files.prepare()
    stubs = _Stubs()
    answers = PrivateAnswers(stubs, stubs, stubs,  # type: ignore[arg-type]
                             lambda reply, encrypted: [{"body": reply.title}], files)
    for user, title in (("@bob:hs", WORDS), ("@ann:hs", "Ann's")):
        await answers.answer("!seminar:hs", f"$asked-{user}", user, None, Reply(title=title))
    assert WORDS in files.private_file.read_text()
    assert answers.forget("@bob:hs") == 1
    assert WORDS not in files.private_file.read_text()
    assert [w["user"] for w in answers.pending] == ["@ann:hs"]


async def test_a_confirmed_forget_me_drops_what_the_platform_keeps_and_nothing_else_does(
        console: ConsoleDriver, app: Services) -> None:
    dropped: list[str] = []

    def drop(user: str) -> int:
        dropped.append(user)
        return 0

    app.kept_outside["console"] = drop
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    await console.say("/as bob")
    await console.say("/seminar respond 1.1 Mine.")
    ask = await console.say("/seminar forget-me")
    assert "That code is wrong" in await console.say("/seminar forget-me WRONG1")
    assert dropped == []
    code = re.search(r"forget-me ([A-Z0-9]{6}) within", ask)
    assert code, ask
    assert "Forgotten" in await console.say(f"/seminar forget-me {code.group(1)}")
    assert dropped == ["console:bob"]


async def test_a_reply_is_kept_to_hand_over_later_only_where_it_could_be_recorded(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """What may wait with an event whose key is late (undecrypted.held_reply): a reply in a
    seminar's room from someone who had not opted out when they wrote it. One from an
    opted-out person would be refused by the writer once handed over: its words are not kept
    on disk meanwhile."""
    await console.say("/seminar setup tue 19:00 UTC")
    before = clock.now()
    assert await may_keep(app, "console", "local", "console", "console:bob", before)
    assert not await may_keep(app, "console", "local", "elsewhere", "console:bob", before)
    clock.advance(timedelta(minutes=1))
    await console.say("/as bob")
    await console.say("/seminar optout")
    opted_out = clock.now()
    assert not await may_keep(app, "console", "local", "console", "console:bob", opted_out)
    assert await may_keep(app, "console", "local", "console", "console:bob", before)
    assert await may_keep(app, "console", "local", "console", "console:ann", opted_out)
    clock.advance(timedelta(minutes=1))
    await console.say("/seminar optin")
    assert await may_keep(app, "console", "local", "console", "console:bob", clock.now())
    assert not await may_keep(app, "console", "local", "console", "console:bob",
                              opted_out + timedelta(seconds=30))
    # Forgotten since: what they wrote before is refused, opted out or not (helper-143's 5:
    # the forget-me took the opt-out periods with it, and both were kept again)
    ask = await console.say("/seminar forget-me")
    code = re.search(r"forget-me ([A-Z0-9]{6}) within", ask)
    assert code, ask
    assert "Forgotten" in await console.say(f"/seminar forget-me {code.group(1)}")
    for then in (before, opted_out, clock.now()):
        assert not await may_keep(app, "console", "local", "console", "console:bob", then)
    assert await may_keep(app, "console", "local", "console", "console:bob",
                          clock.now() + timedelta(seconds=1))


async def test_an_edit_made_while_opted_out_is_not_held_with_what_it_edits(
        tmp_path: Path) -> None:
    """An edit of a waiting event, or of a reply held with one, from someone opted out when
    they made it is dropped (the writer would refuse it), its words not kept; one allowed is
    held; one of nothing that waits applies now (False)."""
    files = MatrixFiles(tmp_path / "matrix")
    files.prepare()
    waiting = Undecrypted(KeysFor(), files)
    await waiting.keep("!r:hs", _encrypted("$bob", "@bob:hs"))
    assert waiting.hold_reply("!r:hs", "$bob", _reply("$ar", "@ann:hs", "$bob", "Ann's."))
    refused, allowed = [], []

    async def opted_out(author: str, at: Any) -> bool:
        refused.append(author)
        return False

    async def may(author: str, at: Any) -> bool:
        allowed.append(author)
        return True

    for held, (target, author) in enumerate((("$bob", "@bob:hs"), ("$ar", "@ann:hs"))):
        source = _edit(f"$e-{author}", author, target, WORDS)
        edit = translate(source)
        assert isinstance(edit, Edited)
        assert await waiting.held_edit("!r:hs", edit, source, opted_out)
        assert files.undecrypted_file.read_text().count(WORDS) == 2 * held  # body, new body
        assert await waiting.held_edit("!r:hs", edit, source, may)
        assert not await waiting.held_edit("!other:hs", edit, source, may)
    assert refused == allowed == ["@bob:hs", "@ann:hs"]
    assert files.undecrypted_file.read_text().count(WORDS) == 4
