"""A command typed in a prompt's thread and then edited into prose is the participant's answer
from then on, as the room shows it (README, Responses: the message's final state counts; only
`!seminar respond`'s own message is exempt). Before, the edit found no response and the words
were lost (try31, finding 2). Sent as Element sends them, on a real Synapse."""

from __future__ import annotations

from seminarbot.services.container import Services
from tests.matrix import element
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness
from tests.matrix.test_restart import posted_seminar
from tests.matrix.test_words import barrier, stored


async def test_a_command_edited_into_prose_is_recorded_as_the_response(
        bot: BotHarness, people: People) -> None:
    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    look_up = await ann.send(room, element.in_thread("!term soviet", thread, thread))
    await ann.answer_to(room, look_up, bot.user_id)  # answered as a command, not recorded
    await ann.send(room, element.edit("Actually my answer: the soviets were councils.",
                                      look_up))
    assert await stored(app, look_up) == "Actually my answer: the soviets were councils."
    edited = await app.db.scalar("SELECT edited_at FROM responses WHERE message_id = ?",
                                 (look_up,))
    assert edited is not None
    # Edited into another command, or by someone else: nothing is recorded.
    again = await ann.send(room, element.in_thread("!term kulak", thread, thread))
    await ann.answer_to(room, again, bot.user_id)
    await ann.send(room, element.edit("!term druzhiny", again))
    moderators = await mod.send(room, element.in_thread("!term soviet", thread, thread))
    await mod.answer_to(room, moderators, bot.user_id)
    await ann.send(room, element.edit("Ann's words in the moderator's message.", moderators))
    await barrier(ann, room, thread, app)
    bodies = [row[0] for row in await app.db.fetchall("SELECT body FROM responses ORDER BY id")]
    assert bodies == ["Actually my answer: the soviets were councils.", "Barrier."]


async def test_redacting_the_edit_that_made_a_command_prose_withdraws_the_response(
        bot: BotHarness, people: People) -> None:
    """The room shows the command again, so there is no response (try35, 1); a second edit
    kept, then withdrawn, goes the same way."""
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    look_up = await ann.send(room, element.in_thread("!term soviet", thread, thread))
    await ann.answer_to(room, look_up, bot.user_id)
    first = await ann.send(room, element.edit("Prose X.", look_up))
    assert await stored(app, look_up) == "Prose X."
    second = await ann.send(room, element.edit("Prose X, second.", look_up))
    await ann.redact(room, first)  # the later edit still shows
    await barrier(ann, room, thread, app)
    assert await row(app, look_up) == ("Prose X, second.", True, False)
    await ann.redact(room, second)  # nothing of it is left: the command shows
    await barrier(ann, room, thread, app)
    assert await row(app, look_up) == ("", True, True)
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM response_edits e JOIN responses r ON r.id = e.response_id"
        " WHERE r.message_id = ?", (look_up,)) == 0


async def row(app: Services, event_id: str) -> tuple[str, bool, bool]:
    found = await app.db.fetchone(
        "SELECT body, edited_at IS NOT NULL, deleted_at IS NOT NULL FROM responses"
        " WHERE message_id = ?", (event_id,))
    assert found is not None
    return str(found[0]), bool(found[1]), bool(found[2])


async def test_a_user_pill_in_a_command_names_that_user(bot: BotHarness, people: People) -> None:
    """Element's mention autocomplete writes the display name in the body and the user id in
    the pill's link: `--participant Ann Smith` so typed names ann, not a session 'Smith'
    (try31, 3). A pill in the reply fallback's quote changes nothing."""
    mod, ann, room, thread = await posted_seminar(bot, people)
    await ann.client.set_displayname("Ann Smith")
    await ann.send(room, element.in_thread("Words of Ann.", thread, thread))
    await barrier(ann, room, thread, bot.services)
    pill = f'<a href="https://matrix.to/#/{ann.user_id}">Ann Smith</a>'
    typed = await mod.send(room, {
        "msgtype": "m.text", "body": "!seminar export csv --participant Ann Smith",
        "format": "org.matrix.custom.html",
        "formatted_body": f"!seminar export csv --participant {pill}"})
    answer = (await mod.answer_to(room, typed, bot.user_id))["content"]["body"]
    assert "Bad argument" not in answer and "2 responses (by " in answer, answer


async def test_a_pill_in_a_responses_words_is_kept_as_typed(bot: BotHarness,
                                                            people: People) -> None:
    """helper-109: every pill in a command became the user id it links to, a response's words
    included (`!seminar respond 1.1 I agree with Maria …` was stored with `@mod…` for Maria),
    and a pill replaced the first word spelt like it, not itself. Only the value of an option
    that names a participant is read as an id (Param.names_person)."""
    mod, ann, room, _thread = await posted_seminar(bot, people)
    await ann.client.set_displayname("Ann")
    said = {}
    pill = f'<a href="https://matrix.to/#/{ann.user_id}">Ann</a>'
    for words in ("I agree with {} that councils mattered.", "Ann Arbor's councils; ask {}."):
        typed = await mod.send(room, {
            "msgtype": "m.text", "body": "!seminar respond 1.1 " + words.format("Ann"),
            "format": "org.matrix.custom.html",
            "formatted_body": "!seminar respond 1.1 " + words.format(pill),
            "m.mentions": {"user_ids": [ann.user_id]}})
        said[typed] = words.format("Ann")
    for typed, words in said.items():
        assert await stored(bot.services, typed) == words


async def test_a_message_that_showed_nothing_then_edited_into_words_is_a_response(
        bot: BotHarness, people: People) -> None:
    """helper-109: a thread reply with nothing visible (not recorded) and then edited into
    words was never recorded: only a command's edit was taken as the answer it became."""
    _mod, ann, room, thread = await posted_seminar(bot, people)
    blank = await ann.send(room, element.in_thread("\u200b", thread, thread))
    await ann.send(room, element.edit("The words I meant to send.", blank))
    assert await stored(bot.services, blank) == "The words I meant to send."


async def test_an_answer_edited_into_a_command_is_no_answer_until_it_is_prose_again(
        bot: BotHarness, people: People) -> None:
    """helper-111: `!term soviet` edited into prose became ann's answer, and edited back into
    `!term kulak` stored the command as her words. The room shows a command there: the answer
    is taken back, as by an edit that leaves nothing; prose again brings it back. So too for
    an answer that was prose from the start. The command in an edit is not run."""
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    look_up = await ann.send(room, element.in_thread("!term soviet", thread, thread))
    await ann.answer_to(room, look_up, bot.user_id)
    prose = await ann.send(room, element.in_thread("An answer from the start.", thread, thread))
    await ann.send(room, element.edit("Prose X.", look_up))
    assert await stored(app, look_up) == "Prose X."
    assert await stored(app, prose) == "An answer from the start."
    for event in (look_up, prose):
        await ann.send(room, element.edit("!term kulak", event))
    await barrier(ann, room, thread, app)
    rows = await app.db.fetchall("SELECT body, deleted_at IS NOT NULL FROM responses"
                                 " WHERE message_id IN (?, ?)", (look_up, prose))
    assert [tuple(row) for row in rows] == [("", 1), ("", 1)]
    await ann.send(room, element.edit("Prose again.", prose))
    await barrier(ann, room, thread, app)
    assert await stored(app, prose) == "Prose again."


async def test_an_answer_edited_into_a_command_a_pill_makes_whole_is_no_answer(
        bot: BotHarness, people: People) -> None:
    """helper-113: an edit's pills were not read: an answer edited into `!seminar export csv
    --participant <pill of Ann B Smith>`, a well-formed command as a new message, stayed the
    answer, with the command as its words."""
    _mod, ann, room, thread = await posted_seminar(bot, people)
    await ann.client.set_displayname("Ann B Smith")
    answer = await ann.send(room, element.in_thread("My first answer.", thread, thread))
    assert await stored(bot.services, answer) == "My first answer."
    typed = "!seminar export csv --participant "
    new = {"msgtype": "m.text", "body": typed + "Ann B Smith",
           "format": "org.matrix.custom.html",
           "formatted_body": f'{typed}<a href="https://matrix.to/#/{ann.user_id}">Ann B Smith</a>'}
    await ann.send(room, {"msgtype": "m.text", "body": "* " + new["body"], "m.mentions": {},
                          "m.new_content": new,
                          "m.relates_to": {"rel_type": "m.replace", "event_id": answer}})
    await barrier(ann, room, thread, bot.services)
    assert await bot.services.db.scalar(
        "SELECT body FROM responses WHERE message_id = ?", (answer,)) == ""
