"""A command typed in a prompt's thread and then edited into prose is the participant's answer
from then on, as the room shows it (README, Responses: the message's final state counts; only
`!seminar respond`'s own message is exempt). Before, the edit found no response and the words
were lost (try31, finding 2). Sent as Element sends them, on a real Synapse."""

from __future__ import annotations

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
