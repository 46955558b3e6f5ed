"""What a gap (a restart, a reconnect Discord does not resume) may and may not change, on the
fake Discord (issue 13's second try-out, findings 1 and 2): a response keeps how it arrived,
and only platform messages are set against Discord's history; what forget-me, an opt-out or
retention removed or kept out is never read back, whoever hands it to the write path."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect, eventually
from tests.discord_adapter.seminar import first_session_posted, response_count_is, rows
from tests.discord_adapter.test_slash_commands import everything
from tests.discord_fake import FakeDiscord


async def _arrivals(app: Services) -> list[Any]:
    """In the order the messages were written (their snowflakes'), however each was recorded."""
    return [row[0] for row in await app.db.fetchall(
        "SELECT arrival FROM responses ORDER BY length(message_id), message_id")]


async def _reconnect(bot: SeminarClient, fake: FakeDiscord) -> None:
    """A new gateway session: Discord replays nothing, the bot reconciles."""
    before = bot.handlers.catch_ups
    await fake.gateway.drop(resumable=False, hold=False)
    await eventually(lambda: bot.handlers.catch_ups == before + 1)


async def test_respond_answers_survive_a_restart_and_a_reconnect(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    # Finding 1: the interaction's id was taken for a message missing from the thread, and
    # Discord's Unknown Message for a deletion.
    first = await connect()
    await first_session_posted(fake, app, clock)
    await fake.slash("bob", "seminar respond", prompt="1.1", text="Answer one by command.")
    await fake.slash("ann", "seminar respond", prompt="1.2", text="Answer two by command.")
    await eventually(lambda: response_count_is(app, 2))
    await first.close()
    bot = await connect()  # a restart: READY
    await _reconnect(bot, fake)
    assert [row[2:] for row in await rows(app)] == [
        ("Answer one by command.", 0, 0), ("Answer two by command.", 0, 0)]
    assert await _arrivals(app) == ["command", "command"]
    assert "Answer one by command." in everything(await fake.slash("bob", "seminar mine"))


async def test_responses_from_before_arrival_was_kept_are_never_erased_by_a_guess(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    items = await first_session_posted(fake, app, clock)
    thread, prompt = int(items[0].thread_id or 0), int(items[0].message_id or 0)
    channel = fake.world.seminar_channel
    await fake.say("bob", thread, "A thread reply.")
    gone = await fake.say("ann", thread, "Deleted while the bot was away.")
    await fake.say("bob", channel, "A reply in the channel.", reply_to=prompt)
    await fake.slash("tia", "seminar respond", prompt="1.1", text="By command.")
    await eventually(lambda: response_count_is(app, 4))
    await app.db.execute("UPDATE responses SET arrival = NULL")  # as migration 0009 finds them

    await fake.gateway.drop(resumable=False, hold=True)
    await fake.delete(int(gone["id"]))
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)

    # Neither the deleted message nor the command's answer can be told from the other (both
    # are Unknown Message in the channel): both stay. What Discord showed is learnt.
    assert [row[2:] for row in await rows(app)] == [
        ("A thread reply.", 0, 0), ("Deleted while the bot was away.", 0, 0),
        ("A reply in the channel.", 0, 0), ("By command.", 0, 0)]
    assert await _arrivals(app) == ["thread", None, "reply", None]
    # A deletion Discord announces is proof: erased.
    await fake.gateway.drop(resumable=True, hold=False)
    await eventually(lambda: bot.handlers.catch_ups == 3)
    thread_reply = await app.db.scalar("SELECT message_id FROM responses WHERE id = 1")
    await fake.delete(int(thread_reply))
    await eventually(lambda: _deleted(app, 1))


async def _deleted(app: Services, response_id: int) -> bool:
    return bool(await app.db.scalar(
        "SELECT deleted_at IS NOT NULL AND body = '' FROM responses WHERE id = ?",
        (response_id,)))


async def _dump(app: Services) -> str:
    tables = [row[0] for row in await app.db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return repr([await app.db.fetch_tuples(f"SELECT * FROM {name}") for name in tables])


async def test_forget_me_holds_against_a_reconnect_and_keeps_no_id_in_the_clear(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    # Finding 2: the reconciliation after a new session brought bob's words and record back.
    items = await first_session_posted(fake, app, clock)
    thread, prompt = int(items[0].thread_id or 0), int(items[0].message_id or 0)
    await fake.say("bob", thread, "Bob's thread answer.")
    await fake.say("ann", thread, "Ann's answer.")
    await fake.say("bob", fake.world.seminar_channel, "Bob's reply in the channel.",
                   reply_to=prompt)
    await eventually(lambda: response_count_is(app, 3))
    asked = everything(await fake.slash("bob", "seminar forget-me"))
    code = re.search(r"forget-me ([A-Z0-9]{6}) within", asked)
    assert code is not None
    assert "Forgotten" in everything(await fake.slash("bob", "seminar forget-me",
                                                     code=code.group(1)))
    clock.advance(timedelta(minutes=1))

    await _reconnect(bot, fake)
    await fake.gateway.drop(resumable=True, hold=False)  # and a resumed one: a backfill
    await eventually(lambda: bot.handlers.catch_ups == 3)
    assert [row[1:3] for row in await rows(app)] == [("ann", "Ann's answer.")]
    bob = fake.person("bob")["id"]
    assert bob not in await _dump(app)  # only a keyed hash of his id, with the time
    assert await app.db.scalar("SELECT COUNT(*) FROM forgotten") == 1

    # What he writes after forgetting is recorded (unless he also opts out).
    await fake.say("bob", thread, "Written after forgetting.")
    await eventually(lambda: response_count_is(app, 2))


async def test_what_retention_deleted_is_not_read_back_even_once_the_limit_is_lifted(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await fake.say("bob", thread, "An old answer.")
    await eventually(lambda: response_count_is(app, 1))
    clock.advance(timedelta(days=2))
    answer = everything(await fake.slash("ann", "seminar-mod retention", days="1"))
    assert "1 older response deleted" in answer
    await _reconnect(bot, fake)
    assert await rows(app) == []
    await fake.slash("ann", "seminar-mod retention", days="0")  # kept with no limit now
    await _reconnect(bot, fake)
    assert await rows(app) == []
    await fake.say("bob", thread, "A new answer.")
    await eventually(lambda: response_count_is(app, 1))


async def test_what_was_written_while_opted_out_is_never_read_back(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await fake.slash("bob", "seminar optout")
    await fake.say("bob", thread, "Written while opted out.")
    clock.advance(timedelta(minutes=1))
    await fake.slash("bob", "seminar optin")
    clock.advance(timedelta(minutes=1))
    await fake.say("bob", thread, "Written after opting in.")
    await eventually(lambda: response_count_is(app, 1))
    await _reconnect(bot, fake)
    assert [row[2] for row in await rows(app)] == ["Written after opting in."]


async def _words(app: Services) -> list[str]:
    """Every text stored: the responses' and their earlier versions'."""
    return [row[0] for row in await app.db.fetchall(
        "SELECT body FROM responses UNION ALL SELECT previous_body FROM response_edits")]


async def test_an_edit_made_while_opted_out_is_never_recorded_live_or_while_away(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-110: bob's edit of an earlier response, made while he had opted out, was stored
    (live, and by the catch-up after a reconnect), and `/seminar mine` showed it once he had
    opted in again."""
    bot = await connect()
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    live = await fake.say("bob", thread, "Before opting out.")
    away = await fake.say("bob", thread, "Also before opting out.")
    await eventually(lambda: response_count_is(app, 2))
    clock.advance(timedelta(minutes=1))
    assert "Opted out" in everything(await fake.slash("bob", "seminar optout"))
    clock.advance(timedelta(minutes=1))
    await fake.edit(int(live["id"]), "SECRET written while opted out.")
    await fake.say("ann", thread, "After bob's edit.")  # once stored, the edit was handled
    await eventually(lambda: response_count_is(app, 3))
    await fake.gateway.drop(resumable=False, hold=True)
    clock.advance(timedelta(minutes=1))
    message = fake.world.messages[int(away["id"])]
    message["content"] = "SECRET edited while the bot was away."
    message["edited_timestamp"] = clock.now().isoformat()
    before = bot.handlers.catch_ups
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups > before)
    clock.advance(timedelta(minutes=1))
    await fake.slash("bob", "seminar optin")
    assert not [text for text in await _words(app) if "SECRET" in text]
    mine = everything(await fake.slash("bob", "seminar mine"))
    assert "Before opting out." in mine and "SECRET" not in mine


async def _erased(app: Services, message: dict[str, Any]) -> bool:
    return bool(await app.db.scalar(
        "SELECT deleted_at IS NOT NULL FROM responses WHERE message_id = ?", (message["id"],)))


async def test_an_edit_to_nothing_and_back_keeps_the_final_text_live_or_while_away(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    # The third try-out's finding C: one rule, live and during a gap (README: Responses).
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    live = await fake.say("ann", thread, "Live words.")
    away = await fake.say("bob", thread, "Away words.")
    split = await fake.say("tia", thread, "Split words.")  # taken back live, restored away
    withdrawn = await fake.say("ann", thread, "Withdrawn words.")
    await eventually(lambda: response_count_is(app, 4))
    await fake.edit(int(live["id"]), "\u2060")
    await eventually(lambda: _erased(app, live))
    clock.advance(timedelta(minutes=1))
    await fake.edit(int(live["id"]), "Live words, restored.")
    await fake.edit(int(split["id"]), "\u200b")
    await eventually(lambda: _erased(app, split))

    await fake.gateway.drop(resumable=False, hold=True)
    clock.advance(timedelta(minutes=1))
    await fake.edit(int(away["id"]), "\u2060")
    await fake.edit(int(away["id"]), "Away words, restored.")
    await fake.edit(int(split["id"]), "Split words, restored.")
    await fake.edit(int(withdrawn["id"]), "\u200b")
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)
    assert [row[2:] for row in await rows(app)] == [
        ("Live words, restored.", 1, 0), ("Away words, restored.", 1, 0),
        ("Split words, restored.", 1, 0), ("", 0, 1)]
    assert await app.db.scalar("SELECT COUNT(*) FROM response_edits WHERE previous_body"
                               " LIKE '%words.'") == 1  # only bob's, never taken back


async def test_a_respond_with_only_control_characters_is_told_there_is_nothing_visible(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    await first_session_posted(fake, app, clock)
    for text in ("\x00\x07", "\u3164"):
        answer = everything(await fake.slash("ann", "seminar respond", prompt="1.1", text=text))
        assert "a response with visible text in it" in answer, text
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 0
