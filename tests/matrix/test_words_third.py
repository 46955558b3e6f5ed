"""Issue 13's third try-out on real Synapse: a redacted edit takes its words with it and the
response reads as clients then show it, live and inside a sync gap (finding A); an override in
a display name stays inside it in an emote (B); an edit that withdraws a response and a later
one that brings text back keep the final state (C); a thread command with an invalid argument
is a response, and spaces in a command do not matter (D); help for a group or a near name (E).
"""

from __future__ import annotations

from seminarbot.domain.display import FSI, PDI
from seminarbot.services.container import Services
from tests.matrix import element
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person, eventually
from tests.matrix.test_deletion import tombstone
from tests.matrix.test_restart import posted_seminar
from tests.matrix.test_words import barrier, stored
from tests.matrix.test_words_again import _unanswered


async def body_becomes(app: Services, event_id: str, want: str) -> None:
    async def reached() -> bool:
        record = await app.responses.get("matrix", event_id)
        return record is not None and record.deleted_at is None and record.body == want
    await eventually(reached, f"{event_id} reads {want!r}")


async def kept_anywhere(app: Services, words: str) -> int:
    """How many stored texts (responses and earlier versions) still hold these words."""
    return int(await app.db.scalar(
        "SELECT (SELECT COUNT(*) FROM responses WHERE instr(body, ?) > 0)"
        " + (SELECT COUNT(*) FROM response_edits WHERE instr(previous_body, ?) > 0)",
        (words, words)))


async def _versions(app: Services, event_id: str) -> list[str]:
    record = await app.responses.get("matrix", event_id)
    assert record is not None
    return [body for body, _ in await app.responses.history(record.id)]


async def test_a_redacted_edit_is_erased_and_the_response_reads_as_clients_show_it(
        bot: BotHarness, people: People) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    reply = await ann.send(room, element.in_thread("First version.", thread, thread))
    assert await stored(app, reply) == "First version."
    edits = {}
    for words in ("Second version.", "Third version.", "Fourth version."):
        edits[words] = await ann.send(room, element.edit(words, reply))
        await body_becomes(app, reply, words)

    await ann.redact(room, edits["Third version."])  # one in the middle: still the fourth
    await barrier(ann, room, thread, app)
    assert await _versions(app, reply) == ["First version.", "Second version."]
    assert await kept_anywhere(app, "Third version.") == 0
    await ann.redact(room, edits["Fourth version."])  # the latest: back to the second
    await body_becomes(app, reply, "Second version.")
    assert await kept_anywhere(app, "Fourth version.") == 0
    await ann.redact(room, edits["Second version."])  # every edit gone: the original
    await body_becomes(app, reply, "First version.")
    record = await app.responses.get("matrix", reply)
    assert record is not None and record.edited_at is None
    assert await _versions(app, reply) == []

    # An edit repeating the text it replaces still counts as one: its redaction keeps it.
    changed = await ann.send(room, element.edit("Changed once.", reply))
    await body_becomes(app, reply, "Changed once.")
    await ann.send(room, element.edit("Changed once.", reply))
    await ann.redact(room, changed)
    await barrier(ann, room, thread, app)
    await body_becomes(app, reply, "Changed once.")

    # An edit of an edit is no edit (clients ignore it), and neither is its redaction.
    stray = await ann.send(room, element.edit("Not an edit.", changed))
    await ann.redact(room, stray)
    await barrier(ann, room, thread, app)
    await body_becomes(app, reply, "Changed once.")
    assert await kept_anywhere(app, "Not an edit.") == 0

    await ann.redact(room, reply)  # the original itself: everything goes
    assert await tombstone(app, reply) == ("", 0)


async def test_withdrawn_by_an_edit_then_edited_back_keeps_the_final_text(
        bot: BotHarness, people: People) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    reply = await ann.send(room, element.in_thread("Words I take back.", thread, thread))
    assert await stored(app, reply) == "Words I take back."
    await ann.send(room, element.edit("\u200b", reply))
    assert await tombstone(app, reply) == ("", 0)
    back = await ann.send(room, element.edit("Words I stand by.", reply))
    await body_becomes(app, reply, "Words I stand by.")
    assert await kept_anywhere(app, "take back") == 0
    await ann.redact(room, back)  # clients show the withdrawn text again: withdrawn
    assert await tombstone(app, reply) == ("", 0)
    assert await kept_anywhere(app, "stand by") == 0


async def test_a_redacted_edit_inside_a_sync_gap_is_erased(bot: BotHarness,
                                                           people: People) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    live = await ann.send(room, element.in_thread("Live original.", thread, thread))
    live_edit = await ann.send(room, element.edit("Live edit, redacted later.", live))
    await body_becomes(app, live, "Live edit, redacted later.")
    gap = await ann.send(room, element.in_thread("Gap original.", thread, thread))
    assert await stored(app, gap) == "Gap original."

    await bot.stop()
    await ann.redact(room, live_edit)
    await ann.redact(room, await ann.send(room, element.edit("Gap edit, redacted.", gap)))
    for n in range(8):  # more than the timeline limit below: the restart fills a gap
        await ann.send(room, element.in_thread(f"Filler {n}.", thread, thread))
    app = await bot.start(timeline_limit=3)
    await barrier(ann, room, thread, app)
    await body_becomes(app, live, "Live original.")
    await body_becomes(app, gap, "Gap original.")
    assert await kept_anywhere(app, "redacted") == 0


async def test_an_override_in_a_display_name_stays_inside_it_in_an_emote(
        bot: BotHarness, people: People) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    await ann.client.set_displayname("Ann \u202eRTL")
    await ann.wait_for(room, lambda e: e["type"] == "m.room.member"
                       and e["content"].get("displayname") == "Ann \u202eRTL", "her new name")
    emote = await ann.send(room, element.in_thread("thinks so", thread, thread, "m.emote"))
    # The override is closed (PDF) inside the name's own isolate, before " thinks so".
    assert await stored(app, emote) == f"* {FSI}Ann \u202eRTL\u202c{PDI} thinks so"


async def _answered(person: Person, room: str, event_id: str, bot: str) -> str:
    return str((await person.answer_to(room, event_id, bot))["content"]["body"])


async def test_thread_commands_spaces_and_invalid_arguments(bot: BotHarness,
                                                            people: People) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    invalid = "!seminar respond 1.1 \u200b"  # no visible text: no valid command, words
    said = await ann.send(room, element.in_thread(invalid, thread, thread))
    assert await stored(app, said) == invalid
    assert await _unanswered(ann, room, said, bot.user_id)
    # helper-169's 1: arguments well formed but naming what the plan has not (no prompt 9.9,
    # no session 12) were run, answered, and the words lost
    for invalid in ("!seminar respond 9.9 nonsense prompt", "!seminar respond 1.7 The 7th.",
                    "!seminar prompt 12"):
        said = await ann.send(room, element.in_thread(invalid, thread, thread))
        assert await stored(app, said) == invalid
        assert await _unanswered(ann, room, said, bot.user_id)
    for line in ("!seminar  mine", "! seminar mine", "!seminar mine  "):
        command = await ann.send(room, element.in_thread(line, thread, thread))
        assert "Your responses (4)" in await _answered(ann, room, command, bot.user_id), line
        assert await app.responses.get("matrix", command) is None


async def test_help_for_a_group_or_a_near_name(bot: BotHarness, people: People) -> None:
    _, ann, room, _ = await posted_seminar(bot, people)
    group = await ann.command(room, "!help seminar", bot.user_id)
    assert "!seminar respond" in group and "!seminar mine" in group
    assert "!term" not in group and "There is no command" not in group
    near = await ann.command(room, "!help respond", bot.user_id)
    assert "There is no command 'respond'. Did you mean `!seminar respond`?" in near
