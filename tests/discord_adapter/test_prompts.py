"""Prompts on Discord: an embed with its own thread, replies recorded, edits and deletions
followed, threads kept open, refusals at post time reported, crashes reconciled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.domain.models import OutboxState
from seminarbot.scheduling.delivery import prompt_post
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_message
from tests.discord_adapter.conftest import Connect, eventually
from tests.discord_adapter.seminar import (
    FIRST_SLOT,
    SECOND_SLOT,
    first_session_posted,
    has_row,
    prompt_posts,
    response_count_is,
    rows,
    session_items,
    start_seminar,
)
from tests.discord_fake import FakeDiscord
from tests.discord_fake.state import BOT_NEEDS, CREATE_PUBLIC_THREADS


async def test_a_scheduled_prompt_becomes_an_embed_with_its_own_thread(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    await start_seminar(fake)
    clock.set(FIRST_SLOT)
    outcomes = await app.scheduler.run_due()
    assert [o.state for o in outcomes] == [OutboxState.POSTED] * 3

    items, posts = await session_items(app), prompt_posts(fake)
    assert [m["embeds"][0]["title"] for m in posts] == [
        f"Session 1: Beginnings · prompt 1.{n}" for n in (1, 2, 3)]
    assert posts[1]["embeds"][0]["description"] == (
        "Was the council democratic?\n\n– Who elected the chair?\n\n*About 150 words.*")
    assert [m["nonce"] for m in posts] == [i.idempotency_key for i in items]
    assert all(i.idempotency_key in m["embeds"][0]["footer"]["text"]
               for i, m in zip(items, posts, strict=True))
    threads = fake.threads()
    assert [(t["id"], t["parent_id"], t["thread_metadata"]["auto_archive_duration"])
            for t in threads] == [(m["id"], str(fake.world.seminar_channel), 10080)
                                  for m in posts]
    assert threads[0]["name"] == "1.1 · What did the council keep, and who read it?"
    assert [(i.message_id, i.thread_id) for i in items] == [(m["id"], m["id"]) for m in posts]
    assert await app.scheduler.run_due() == []  # nothing twice
    assert len(prompt_posts(fake)) == 3


async def test_replies_are_recorded_then_edited_and_deleted(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    items = await first_session_posted(fake, app, clock)
    seminar = fake.world.seminar_channel

    in_thread = await fake.say("bob", int(items[0].thread_id or 0), "It kept minutes.")
    reply = await fake.say("ann", seminar, "A reply to the prompt itself.",
                           reply_to=int(items[1].message_id or 0))
    await fake.say("bob", seminar, "Chatter in the channel, answering nothing.")
    await eventually(lambda: response_count_is(app, 2))

    await fake.edit(int(in_thread["id"]), "It kept minutes, and read them aloud.")
    await eventually(lambda: has_row(app, "SELECT 1 FROM responses WHERE edited_at IS NOT NULL"))
    await fake.edit(int(reply["id"]), "A reply to the prompt itself, revised.")
    await eventually(lambda: has_row(
        app, "SELECT COUNT(*) FROM response_edits HAVING COUNT(*) = 2"))
    await fake.delete(int(reply["id"]))
    await eventually(lambda: has_row(app, "SELECT 1 FROM responses WHERE deleted_at IS NOT NULL"))

    # The deleted reply is a tombstone: its text and its earlier version are gone.
    assert await rows(app) == [
        ("beginnings-comprehension", "bob", "It kept minutes, and read them aloud.", 1, 0),
        ("beginnings-interpretation", "ann", "", 1, 1),
    ]
    history = await app.db.fetchall("SELECT previous_body FROM response_edits")
    assert [r[0] for r in history] == ["It kept minutes."]
    ids = await app.db.fetchall("SELECT message_id FROM responses"
                                " ORDER BY length(message_id), message_id")
    assert [r[0] for r in ids] == [in_thread["id"], reply["id"]]
    # A replay of the deleted message (a resumed session sends it again) records nothing.
    await fake.gateway.dispatch("MESSAGE_CREATE", {**reply, "member": {
        "roles": [], "joined_at": reply["timestamp"], "deaf": False, "mute": False}})
    await fake.say("bob", int(items[0].thread_id or 0), "A barrier after the replay.")
    await eventually(lambda: response_count_is(app, 3))
    assert (await rows(app))[1] == ("beginnings-interpretation", "ann", "", 1, 1)


async def test_a_thread_of_the_open_session_is_unarchived_and_a_closed_one_is_not(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    first = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)

    await fake.archive(first)
    await eventually(lambda: not fake.world.channels[first]["thread_metadata"]["archived"])
    assert [c.body for c in fake.requests("PATCH", f"/channels/{first}")] == [
        {"archived": False}]

    clock.set(SECOND_SLOT)
    await app.scheduler.run_due()  # session 2 opens; session 1 is over
    second = int((await session_items(app, "later"))[0].thread_id or 0)
    await fake.archive(first)
    await fake.archive(second)
    await eventually(lambda: not fake.world.channels[second]["thread_metadata"]["archived"])
    assert fake.world.channels[first]["thread_metadata"]["archived"]
    assert len(fake.requests("PATCH", f"/channels/{first}")) == 1


@pytest.mark.parametrize(("code", "text"), [(50013, "Missing Permissions"),
                                            (50001, "Missing Access")])
async def test_a_refusal_at_post_time_is_recorded_reported_and_the_schedule_goes_on(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        code: int, text: str) -> None:
    await start_seminar(fake)
    fake.rest.refused[fake.world.seminar_channel] = (code, text)
    clock.set(FIRST_SLOT)
    outcomes = [o for o in await app.scheduler.run_due() if o.item.kind == "prompt"]
    assert [o.state for o in outcomes] == [OutboxState.FAILED] * 3
    item = (await session_items(app))[0]
    assert item.state is OutboxState.FAILED and item.last_error is not None
    assert f"(error {code}: {text})" in item.last_error
    audit = await app.db.fetchall(
        "SELECT action, outcome, detail FROM audit_log WHERE actor_id = 'seminarbot'")
    assert [(r[0], r[1]) for r in audit] == [("prompt failed", "failed")] * 3
    assert f"error {code}" in audit[0][2]
    # The seminar channel refuses the bot, so moderators hear of it in the system channel.
    # One notice for the three prompts that failed alike.
    notices = fake.messages_in(fake.world.system_channel)
    assert len(notices) == 1
    assert notices[0]["content"].startswith(
        f"**For the moderators of <#{fake.world.seminar_channel}>:** Session 1 prompts 1.1, "
        "1.2 and 1.3: prompt failed — Discord refused to post the prompt")
    assert "not retried" in notices[0]["content"]

    del fake.rest.refused[fake.world.seminar_channel]
    clock.set(SECOND_SLOT)
    assert [o.state for o in await app.scheduler.run_due()
            if o.item.kind == "prompt"] == [OutboxState.POSTED] * 3


async def test_a_moderator_s_post_refused_is_one_notice_and_said_not_posted(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-185's 2 and 3: `/seminar-mod post` refused for every prompt told the moderators
    once per prompt, where the loop's pass tells once for the posts that failed alike, and
    its reply said "only partly posted" with each prompt's reason, when none had gone out."""
    await start_seminar(fake)
    fake.rest.refused[fake.world.seminar_channel] = (50013, "Missing Permissions")
    done = await fake.slash("ann", "seminar-mod post")
    said = done.message["embeds"][0]["description"]
    assert said.startswith("Session 1 was not posted: none of its 3 prompts went out (prompts "
                           "1.1, 1.2 and 1.3: Discord refused to post the prompt"), said
    assert said.count("Discord refused") == 1
    notices = fake.messages_in(fake.world.system_channel)
    assert len(notices) == 1, [n["content"] for n in notices]
    assert "Session 1 prompts 1.1, 1.2 and 1.3: prompt failed" in notices[0]["content"]


async def test_threads_refused_after_the_posts_are_told_once(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-187's 8: with thread creation refused, each prompt went out without a thread
    and only the log said so; the moderators heard nothing."""
    await start_seminar(fake)
    fake.rest.threads_refused[fake.world.seminar_channel] = (50013, "Missing Permissions")
    clock.set(FIRST_SLOT)
    outcomes = [o for o in await app.scheduler.run_due() if o.item.kind == "prompt"]
    assert [o.state for o in outcomes] == [OutboxState.POSTED] * 3
    told = [m["content"] for m in fake.messages_in(fake.world.seminar_channel)
            if m["content"].startswith("**For the moderators:**")]
    assert told == ["**For the moderators:** Session 1's prompts are posted, but Discord "
                    "refused to start their threads: missing permissions (error 50013: Missing "
                    "Permissions); check the bot's permissions in the channel; replies to a "
                    "prompt's post are recorded all the same."]


async def test_a_permission_missing_in_the_channel_is_named_before_sending(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    seminar = fake.world.channels[fake.world.seminar_channel]
    seminar["permission_overwrites"] = [{"id": str(fake.world.bot_role), "type": 0,
                                         "allow": "0", "deny": str(CREATE_PUBLIC_THREADS)}]
    await connect()
    await start_seminar(fake)
    clock.set(FIRST_SLOT)
    outcomes = await app.scheduler.run_due()
    assert outcomes[0].detail == ("could not post the prompt in #soviet-democracy: the bot is "
                                  "missing Create Public Threads")
    assert prompt_posts(fake) == []  # nothing half-posted


async def test_setup_says_which_permissions_the_bot_lacks(
        bot: SeminarClient, fake: FakeDiscord, app: Services) -> None:
    fake.world.app_permissions = BOT_NEEDS & ~CREATE_PUBLIC_THREADS & ~(1 << 14)  # Embed Links
    refused = await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="19:00",
                               timezone="UTC")
    assert refused.ephemeral
    shown = refused.message["embeds"][0]
    assert shown["title"] == "Missing permissions"
    assert shown["fields"] == [{"name": "Missing", "value": "Embed Links\nCreate Public Threads",
                                "inline": False}]
    assert "run /seminar-mod setup again" in shown["description"]
    assert await app.db.scalar("SELECT COUNT(*) FROM cohorts") == 0
    audit = await app.db.fetchone("SELECT action, outcome, detail FROM audit_log")
    assert audit is not None and audit[:2] == ("seminar setup", "failed")
    assert "Create Public Threads" in audit[2]

    fake.world.app_permissions = BOT_NEEDS
    done = await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="19:00",
                            timezone="UTC")
    assert done.message["embeds"][0]["title"] == "Seminar set up"


async def test_a_crash_between_sending_and_recording_is_reconciled_after_a_restart(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    first = await connect()
    await start_seminar(fake)
    clock.set(FIRST_SLOT)
    cohort = await app.cohorts.get(1)
    items = await app.outbox.due(clock.now())
    # Sent, then the process died before recording it.
    assert await app.outbox.claim(items[0].id, clock.now())
    sent = await first.handlers.poster.post_prompt(
        prompt_post(app.scheduler.plan, cohort, items[0]))
    # Sent, but died before its thread was started: the message is on Discord, alone.
    assert await app.outbox.claim(items[1].id, clock.now())
    alone = fake.world.message(fake.world.seminar_channel, fake.world.bot, "", embeds=[
        {"title": "Session 1: Beginnings · prompt 1.2",
         "footer": {"text": f"Answer in this thread · {items[1].idempotency_key}"}}])
    # A later prompt whose key merely starts with that one's must not be mistaken for it.
    fake.world.message(fake.world.seminar_channel, fake.world.bot, "", embeds=[
        {"title": "Session 9", "footer": {"text": f"… · {items[1].idempotency_key}0"}}])
    # Claimed, never sent.
    assert await app.outbox.claim(items[2].id, clock.now())
    await first.close()
    # Someone answers in the first one's thread while the bot is down.
    fake.world.message(int(sent.thread_id or 0), fake.person("bob"), "In the window.")

    await connect()  # the restarted bot attaches a new poster: claimed rows are reconciled
    outcomes = await app.scheduler.run_due()
    assert [o.state for o in outcomes] == [OutboxState.POSTED]  # only the unsent one is sent
    # The thread it found is read back, though the start's catch-up did not know it yet.
    await eventually(lambda: has_row(app, "SELECT 1 FROM responses WHERE body = 'In the window.'"))
    after = await session_items(app)
    assert [(i.state, i.message_id, i.thread_id) for i in after[:2]] == [
        (OutboxState.POSTED, sent.message_id, sent.thread_id),
        (OutboxState.POSTED, alone["id"], alone["id"])]
    assert len(prompt_posts(fake)) == 4 and len(fake.threads()) == 3


async def test_a_notice_in_an_archived_thread_reopens_it_and_pings_nobody(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    await start_seminar(fake)
    clock.set(FIRST_SLOT)
    await app.scheduler.run_due()
    clock.set(SECOND_SLOT)
    await app.scheduler.run_due()  # session 1 is over: its threads may rest archived
    thread = int((await session_items(app))[0].thread_id or 0)
    await fake.archive(thread)
    await eventually(lambda: bot.get_channel(thread) is None)  # the bot saw it archived

    ref = await bot.handlers.poster.post_in_thread(await app.cohorts.get(1), str(thread),
                                          "Reminder, @everyone: two days left.")
    assert [c.body for c in fake.requests("PATCH", f"/channels/{thread}")] == [
        {"archived": False}]
    sent = fake.world.messages[int(ref.message_id)]
    assert (sent["channel_id"], sent["content"]) == (str(thread),
                                                     "Reminder, @everyone: two days left.")
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 0


async def test_a_reminder_naming_many_people_fits_one_message_and_says_how_many_more(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    # Issue 13's second try-out, finding 5: the name list was cut at 2,000 characters, silently.
    thread = (await first_session_posted(fake, app, clock))[0].thread_id or ""
    await asyncio.gather(*(record_message(app, InboundMessage(
        "discord", str(900_000 + n), Actor("discord", str(700_000 + n), f"Reader {n:03} of it"),
        "A short answer.", clock.now(), thread_id=thread)) for n in range(300)))
    await fake.slash("ann", "seminar-mod reminders", before="1d", names=True)
    clock.set(datetime(2026, 1, 12, 19, 0, tzinfo=UTC))
    await app.scheduler.run_due()
    (reminder,) = [m["content"] for m in fake.messages_in(int(thread))
                   if m["content"].startswith("Reminder:")]
    shown = reminder.count("Reader ")
    assert len(reminder) <= 2_000 and reminder.endswith(f" and {300 - shown} others.")
    assert 50 < shown < 300


@pytest.mark.parametrize("thread_starts", [True, False])
async def test_a_reply_made_while_the_prompt_s_thread_starts_is_recorded_at_once(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        thread_starts: bool) -> None:
    """helper-164's 1: Discord shows the prompt once its message is out, but the bot knows its
    post only once the thread is started too; a reply made meanwhile (a slow or rate-limited
    thread, or one that cannot be started) answered a post it did not know, and waited for a
    reconnect or a restart. A post just recorded is read back: its thread, and the replies
    to its message."""
    from tests.discord_fake.rest import error

    early: list[str] = []
    routes = fake.rest.routes
    start = next(handler for _, pattern, handler in routes
                 if pattern.pattern.endswith("/messages/(?P<message>\\d+)/threads$"))

    async def slow_start(request: object, call: object, args: dict[str, str]) -> object:
        said = await fake.say("bob", fake.world.seminar_channel, "Said while it starts.",
                              reply_to=int(args["message"]))
        early.append(said["id"])
        await asyncio.sleep(0.2)
        if not thread_starts:
            return error(403, 50001, "Missing Access")
        return await start(request, call, args)

    fake.rest.routes = [(m, p, slow_start if h is start else h) for m, p, h in routes]
    await start_seminar(fake)
    clock.set(FIRST_SLOT)
    outcomes = await app.scheduler.run_due()
    assert [o.state for o in outcomes] == [OutboxState.POSTED] * 3
    assert len(early) == 3
    await eventually(lambda: response_count_is(app, 3))
    assert {row[0] for row in await app.db.fetchall("SELECT message_id FROM responses")} \
        == set(early)
