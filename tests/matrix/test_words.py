"""Every word a participant writes in a room is kept as typed, with events shaped as Element
sends them: quotes are kept and only a genuine reply fallback is taken off; an emote keeps its
actor; a message that begins with the prefix but names no command is a response; control
characters, blank messages and bidirectional controls follow the one normalisation."""

from __future__ import annotations

from typing import Any

from seminarbot.domain.display import FSI, PDI
from seminarbot.services.container import Services
from tests.matrix import element
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person, eventually
from tests.matrix.test_restart import posted_seminar

QUOTED = ("> Councils mattered for taking part more than for choosing.\n\n"
          "That is the article's point, and the blog disagrees.")


async def stored(app: Services, event_id: str) -> str:
    """The body recorded for an event, once it is recorded."""
    async def found() -> Any:
        return await app.responses.get("matrix", event_id)
    record = await eventually(found, f"{event_id} recorded")
    return str(record.body)


async def barrier(person: Person, room: str, thread: str, app: Services) -> None:
    """A last message, recorded once everything sent before it has been handled."""
    await stored(app, await person.send(room, element.in_thread("Barrier.", thread, thread)))


async def test_quotes_are_kept_and_only_a_genuine_reply_fallback_is_taken_off(
        bot: BotHarness, people: People) -> None:
    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    prompt = await ann.wait_for(room, lambda e: e["event_id"] == thread, "the prompt")
    prompt_body = prompt["content"]["body"]

    quoting = await ann.send(room, element.in_thread(QUOTED, thread, thread))
    assert await stored(app, quoting) == QUOTED
    only_quote = "> Only a quote, and nothing after it."
    assert await stored(app, await ann.send(
        room, element.in_thread(only_quote, thread, quoting))) == only_quote
    # In a thread the reply relation is a fallback for old clients: never a quote to strip,
    # even from a client that sends no HTML to tell them apart (Element with /plain).
    looks_like_one = f"> <{mod.user_id}> as the moderator said\n\nI agree."
    assert await stored(app, await ann.send(room, element.in_thread(
        looks_like_one, thread, quoting, markdown=False))) == looks_like_one
    # A reply from a current Element (no fallback) that quotes someone by name: as typed.
    assert await stored(app, await mod.send(
        room, element.rich_reply(looks_like_one, thread))) == looks_like_one
    # A reply from an older client: the fallback (the prompt, quoted) goes; the text stays.
    old = element.old_rich_reply("> Quoting my own notes.\n\nMy answer.", room, thread,
                                 bot.user_id, prompt_body)
    assert await stored(app, await mod.send(room, old)) == "> Quoting my own notes.\n\nMy answer."


async def test_an_emote_keeps_its_actor_and_the_prefix_alone_is_no_command_in_a_thread(
        bot: BotHarness, people: People) -> None:
    _mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    emote = await ann.send(room, element.in_thread("thinks the councils mattered", thread,
                                                   thread, "m.emote"))
    name = ann.user_id[1:].split(":")[0]  # her display name: Synapse's default
    assert await stored(app, emote) == f"* {name} thinks the councils mattered"
    await ann.send(room, element.edit("thinks they mattered most", emote, "m.emote"))

    async def edited() -> bool:
        record = await app.responses.get("matrix", emote)
        return record is not None and record.body == f"* {name} thinks they mattered most"
    await eventually(edited, "the emote's edit recorded")

    for text in ("!!! I disagree with both.", "!important: the soviets were not parties.", "!"):
        assert await stored(app, await ann.send(room, element.in_thread(text, thread,
                                                                        thread))) == text
    # A command typed in the thread is still a command, answered there.
    command = await ann.send(room, element.in_thread("!seminar mine", thread, thread))
    answer = await ann.answer_to(room, command, bot.user_id)
    assert "Your responses (4)" in answer["content"]["body"]
    assert await app.responses.get("matrix", command) is None


async def test_every_hint_that_names_a_command_shows_the_prefix(
        bot: BotHarness, people: People) -> None:
    _mod, ann, room, _ = await posted_seminar(bot, people)
    unknown = await ann.command(room, "!frobnicate", bot.user_id)
    assert "There is no command 'frobnicate'. Type !help to list the commands." in unknown
    group = await ann.command(room, "!seminar frob", bot.user_id)
    assert "!help lists the commands" in group
    usage = await ann.command(room, "!seminar respond", bot.user_id)
    assert "Usage: !seminar respond PROMPT TEXT" in usage and "/seminar" not in usage
    bad_prompt = await ann.command(room, "!seminar respond 9.9 An answer.", bot.user_id)
    assert "!seminar prompt lists them" in bad_prompt and "/seminar" not in bad_prompt
    extra = await ann.command(room, "!seminar mine now please", bot.user_id)
    assert "Usage: !seminar mine" in extra


async def test_controls_blank_messages_and_bidirectional_text_follow_the_one_rule(
        bot: BotHarness, people: People) -> None:
    _mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    coloured = await ann.send(room, element.in_thread(
        "red\x1b[31m alert\x1b[0m\x07 and\r\nnext line\ttabbed", thread, thread))
    assert await stored(app, coloured) == "red[31m alert[0m and\nnext line\ttabbed"
    blanks = [await ann.send(room, element.in_thread(text, thread, thread))
              for text in ("   \n\t", "\u200b\u200d\u2060", "\u202e", "\x1b[0m"[:1])]
    await barrier(ann, room, thread, app)
    assert [await app.responses.get("matrix", event) for event in blanks] == [None] * 4

    reversed_tail = "\u202eThe override starts here"
    assert await stored(app, await ann.send(
        room, element.in_thread(reversed_tail, thread, thread))) == reversed_tail
    mine = await ann.answer_to(room, await ann.say(room, "!seminar mine"), bot.user_id)
    body = mine["content"]["body"]
    # Shown isolated: the override is closed before anything after it.
    assert f"{FSI}\u202eThe override starts here\u202c{PDI}" in body
    assert f"{FSI}\u202eThe override starts here\u202c{PDI}" in mine["content"]["formatted_body"]

    refused = await ann.command(room, "!seminar respond 1.1 \u200b\u200b", bot.user_id)
    assert "visible text" in refused
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 3


async def test_an_older_client_s_reply_to_a_message_in_the_thread_is_recorded(
        bot: BotHarness, people: People) -> None:
    """A client that knows no threads answers a message in the prompt's thread with a rich
    reply to it (m.in_reply_to, no m.thread; its fallback quoting the message): it named no
    prompt, so it was never recorded. It answers that message's prompt; a reply to it too."""
    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    said = "The soviets were schools of participation."
    in_thread = await ann.send(room, element.in_thread(said, thread, thread))
    await stored(app, in_thread)
    old = await mod.send(room, element.old_rich_reply("Schools, but of obedience?", room,
                                                      in_thread, ann.user_id, said))
    assert await stored(app, old) == "Schools, but of obedience?"
    again = await ann.send(room, element.rich_reply("Both, at different times.", old))
    assert await stored(app, again) == "Both, at different times."
    prompts = await app.db.fetch_tuples(
        "SELECT DISTINCT outbox_id, prompt_id FROM responses WHERE message_id IN (?, ?, ?)",
        (in_thread, old, again))
    assert len(prompts) == 1, prompts


def _plain(content: dict[str, Any]) -> dict[str, Any]:
    """As a client that sends no HTML sends it (a bridge, a terminal client)."""
    return {k: v for k, v in content.items() if k not in ("format", "formatted_body")}


async def test_an_older_clients_plain_edit_of_its_rich_reply_loses_the_fallback_again(
        bot: BotHarness, people: People) -> None:
    """helper-174's 1: a client that sends no HTML edited its rich reply, its fallback (the
    prompt, quoted) added again, and the quote was stored as the person's words. A quote of
    the same shape in the edit of a message that replies to no one, or to someone else, is
    what the person typed."""
    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    prompt = await ann.wait_for(room, lambda e: e["event_id"] == thread, "the prompt")
    prompt_body = prompt["content"]["body"]
    reply = await ann.send(room, _plain(element.old_rich_reply(
        "My answer.", room, thread, bot.user_id, prompt_body)))
    assert await stored(app, reply) == "My answer."
    again = _plain(element.old_rich_reply("My answer, edited.", room, thread, bot.user_id,
                                          prompt_body))
    await ann.send(room, element.edit(again["body"], reply))
    in_thread = await ann.send(room, element.in_thread("In the thread.", thread, thread))
    assert await stored(app, in_thread) == "In the thread."
    quoting = f"> <{bot.user_id}> as the prompt says\n\nI edited this."
    await ann.send(room, element.edit(quoting, in_thread))
    await barrier(ann, room, thread, app)
    assert await stored(app, reply) == "My answer, edited."
    assert await stored(app, in_thread) == quoting
    # Naming someone other than the sender of the event replied to: typed, kept.
    other = f"> <{mod.user_id}> said so\n\nMy answer, edited again."
    await ann.send(room, element.edit(other, reply))
    await barrier(ann, room, thread, app)
    assert await stored(app, reply) == other
