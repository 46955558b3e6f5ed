"""Forum channels: setup names a forum with its `channel` option, each prompt is a forum post
titled "1.2 · short title" and tagged with its session, and everything a text channel does
works in the posts: replies, edits, deletions, backfill, un-archiving, /seminar respond,
reminders, digests and exports."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta

import pytest

from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.scheduling.delivery import prompt_post
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect, eventually
from tests.discord_adapter.seminar import (
    FIRST_SLOT,
    SECOND_SLOT,
    has_row,
    response_count_is,
    rows,
    session_items,
)
from tests.discord_fake import FakeDiscord
from tests.discord_fake.state import (
    BOT_NEEDS,
    MANAGE_CHANNELS,
    SEND_MESSAGES_IN_THREADS,
    Json,
)

TITLES = ["1.1 · What did the council keep, and who read it?",
          "1.2 · Was the council democratic?",
          "1.3 · Do the notes agree with the essay about the committee?"]


async def forum_seminar(fake: FakeDiscord, forum: int) -> Json:
    log = await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="19:00",
                           timezone="UTC", channel=str(forum))
    return log.message["embeds"][0]


def tags_of(fake: FakeDiscord, forum: int) -> dict[str, str]:
    return {t["name"]: t["id"] for t in fake.world.channels[forum]["available_tags"]}


async def test_each_prompt_is_a_forum_post_titled_and_tagged_with_its_session(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    forum = fake.world.add_forum("reading-room", tags=("Questions",))
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_CHANNELS
    await connect()
    shown = await forum_seminar(fake, forum)
    assert shown["title"] == "Seminar set up"
    assert "tagged “Session 1”, “Session 2”" in shown["description"]
    # A forum takes no messages: where its commands go is said at once, and a command typed
    # where setup was (helper-141's 1) names the seminar's forum.
    assert f"type this seminar's commands in one of the posts in <#{forum}>" in \
        shown["description"]
    refused = (await fake.slash("ann", "seminar-mod pause")).message["embeds"][0]
    assert "No seminar runs in this channel yet" in refused["description"]
    assert "A seminar runs elsewhere here: type a seminar's commands in its channel (in a " \
        "forum, in one of its posts)." in refused["description"]
    assert "reading-room" not in refused["description"]  # a channel they may not see
    assert list(tags_of(fake, forum)) == ["Questions", "Session 1", "Session 2"]
    assert await app.db.scalar("SELECT channel_id FROM cohorts") == str(forum)

    clock.set(FIRST_SLOT)
    assert [o.state for o in await app.scheduler.run_due()] == [OutboxState.POSTED] * 3
    posts = fake.threads(parent=forum)
    assert [p["name"] for p in posts] == TITLES
    assert all(p["applied_tags"] == [tags_of(fake, forum)["Session 1"]] for p in posts)
    items = await session_items(app)
    assert [(i.message_id, i.thread_id) for i in items] == [(p["id"], p["id"]) for p in posts]
    starters = [fake.world.messages[int(p["id"])] for p in posts]
    assert all(i.idempotency_key in s["embeds"][0]["footer"]["text"]
               for i, s in zip(items, starters, strict=True))
    assert fake.messages_in(forum) == []  # a forum holds posts, not messages

    clock.set(SECOND_SLOT)
    await app.scheduler.run_due()
    later = fake.threads(parent=forum)[3:]
    assert {tuple(p["applied_tags"]) for p in later} == {(tags_of(fake, forum)["Session 2"],)}


async def test_replies_edits_deletions_respond_and_unarchiving_work_in_posts(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    forum = fake.world.add_forum("reading-room")
    await connect()
    await forum_seminar(fake, forum)
    clock.set(FIRST_SLOT)
    await app.scheduler.run_due()
    first, second = (int(p["id"]) for p in fake.threads(parent=forum)[:2])

    said = await fake.say("bob", first, "It kept minutes.")
    await fake.slash("tia", "seminar respond", in_channel=second, prompt="1.2",
                     text="Only in name.")
    await eventually(lambda: response_count_is(app, 2))
    await fake.edit(int(said["id"]), "It kept minutes, and read them aloud.")
    await eventually(lambda: has_row(app, "SELECT 1 FROM responses WHERE edited_at IS NOT NULL"))
    await fake.delete(int(said["id"]))
    await eventually(lambda: has_row(app, "SELECT 1 FROM responses WHERE deleted_at IS NOT NULL"))
    assert await rows(app) == [  # the deleted one is erased: only its tombstone stays
        ("beginnings-comprehension", "bob", "", 1, 1),
        ("beginnings-interpretation", "tia", "Only in name.", 0, 0)]

    await fake.archive(first)  # Discord archives a quiet post; the session is still open
    await eventually(lambda: not fake.world.channels[first]["thread_metadata"]["archived"])


async def test_posts_are_backfilled_after_a_new_session(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    forum = fake.world.add_forum("reading-room")
    bot = await connect()
    await forum_seminar(fake, forum)
    clock.set(FIRST_SLOT)
    await app.scheduler.run_due()
    first = int(fake.threads(parent=forum)[0]["id"])
    await fake.gateway.drop(resumable=False, hold=True)  # Discord will replay nothing
    await fake.say("bob", first, "Written while the bot was away.")
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)
    assert [r[:3] for r in await rows(app)] == [
        ("beginnings-comprehension", "bob", "Written while the bot was away.")]


async def test_a_crash_between_posting_and_recording_finds_the_post_again(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    forum = fake.world.add_forum("reading-room")
    first = await connect()
    await forum_seminar(fake, forum)
    clock.set(FIRST_SLOT)
    cohort = await app.cohorts.get(1)
    item = (await app.outbox.due(clock.now()))[0]
    assert await app.outbox.claim(item.id, clock.now())  # posted, then the process died
    sent = await first.handlers.poster.post_prompt(prompt_post(app.scheduler.plan, cohort, item))
    await first.close()
    await connect()  # a new process: it reconciles the claimed row before posting again
    await app.scheduler.run_due()
    found = await app.outbox.get(item.id)
    assert (found.state, found.message_id, found.thread_id) == (
        OutboxState.POSTED, sent.message_id, sent.thread_id)
    assert [p["name"] for p in fake.threads(parent=forum)] == TITLES  # nothing twice


async def test_without_manage_channels_posts_go_untagged_and_setup_says_why(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    forum = fake.world.add_forum("reading-room")
    await connect()
    shown = await forum_seminar(fake, forum)
    assert shown["title"] == "Seminar set up"
    assert "carry no session tags: creating them needs Manage Channels" in shown["description"]
    assert tags_of(fake, forum) == {}
    clock.set(FIRST_SLOT)
    assert [o.state for o in await app.scheduler.run_due()] == [OutboxState.POSTED] * 3
    assert [p["applied_tags"] for p in fake.threads(parent=forum)] == [[], [], []]
    assert not fake.requests("PATCH", f"/channels/{forum}")  # it did not try


async def test_setup_names_what_a_forum_needs_and_sets_nothing_up_without_it(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    forum = fake.world.add_forum("reading-room")
    fake.world.channels[forum]["permission_overwrites"] = [
        {"id": str(fake.world.bot_role), "type": 0, "allow": "0",
         "deny": str(SEND_MESSAGES_IN_THREADS)}]
    await connect()
    refused = await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="19:00",
                               timezone="UTC", channel=str(forum))
    assert refused.ephemeral
    shown = refused.message["embeds"][0]
    assert shown["title"] == "Missing permissions"
    assert shown["description"].startswith(f"In <#{forum}> the bot lacks: Send Messages in "
                                           "Threads.")
    assert await app.db.scalar("SELECT COUNT(*) FROM cohorts") == 0
    # A voice-like channel or another server's is not offered by Discord; an id typed by hand
    # that is no channel here is refused by name.
    stray = await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="19:00",
                             timezone="UTC", channel=str(fake.world.seminar_channel))
    assert stray.message["embeds"][0]["title"] == "Seminar set up"  # a text channel is fine


async def test_reminders_digests_and_exports_of_a_forum_seminar(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    forum = fake.world.add_forum("reading-room")
    await connect()
    await forum_seminar(fake, forum)
    clock.set(FIRST_SLOT)
    await app.scheduler.run_due()
    first = int(fake.threads(parent=forum)[0]["id"])
    # Moderators' commands typed in a post belong to the forum's seminar.
    done = await fake.slash("ann", "seminar-mod reminders", in_channel=first, before="1d",
                            digest="on")
    assert done.message["embeds"][0]["description"].startswith("A reminder 24 hours before")
    said = await fake.say("bob", first, "It kept minutes.")
    await eventually(lambda: response_count_is(app, 1))

    clock.set(SECOND_SLOT - timedelta(days=1))
    await app.scheduler.run_due()
    reminder = fake.messages_in(first)[-1]
    assert reminder["author"]["id"] == fake.world.bot["id"] and "1 response" in \
        reminder["content"]
    clock.set(SECOND_SLOT)
    await app.scheduler.run_due()  # session 1's digest: a forum takes no message, so the
    system = fake.messages_in(fake.world.system_channel)  # system channel has it
    assert system and system[-1]["content"].startswith(f"**For the moderators of <#{forum}>:**")

    export = await fake.slash("ann", "seminar-mod export", in_channel=first, format="html")
    page = export.files[0][1].decode()
    guild = fake.world.guild_id
    assert f'href="https://discord.com/channels/{guild}/{first}/{said["id"]}"' in page
    assert re.search(rf'<h4><a href="https://discord.com/channels/{guild}/{first}" '
                     r'rel="noreferrer">Thread of 1\.1 · What did the council keep', page)


async def test_exports_link_each_response_to_its_message_in_a_text_channel(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    await connect()
    await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="19:00",
                     timezone="UTC")
    clock.set(FIRST_SLOT)
    await app.scheduler.run_due()
    first, second, _ = await session_items(app)
    seminar, guild = fake.world.seminar_channel, fake.world.guild_id
    in_thread = await fake.say("bob", int(first.thread_id or 0), "In the thread.")
    replied = await fake.say("ann", seminar, "A reply in the channel.",
                             reply_to=int(second.message_id or 0))
    await fake.slash("tia", "seminar respond", prompt="1.1", text="By command.")
    await eventually(lambda: response_count_is(app, 3))
    export = await fake.slash("ann", "seminar-mod export", format="jsonl")
    lines = [json.loads(line) for line in export.files[0][1].decode().splitlines()]
    base = f"https://discord.com/channels/{guild}"
    assert {r["text"]: r["link"] for r in lines} == {
        "In the thread.": f"{base}/{first.thread_id}/{in_thread['id']}",
        "By command.": f"{base}/{first.thread_id}",  # no message of its own: its thread
        "A reply in the channel.": f"{base}/{seminar}/{replied['id']}"}


async def test_a_forum_in_a_server_without_a_system_channel_says_so_and_keeps_its_digest(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    """helper-126's 3: with nowhere to post it, a forum's digest was marked posted (only an
    ERROR in the log had it), and neither setup nor the reminders said so."""
    forum = fake.world.add_forum("reading-room")
    guild = fake.world.guilds[fake.world.guild_id]
    fake.world.guilds[guild.id] = dataclasses.replace(guild, system_channel=None)
    await connect()
    shown = (await forum_seminar(fake, forum))["description"]
    assert "notices for the moderators (digests, failed posts) go to the server's system " \
           "channel, and this server has none" in " ".join(shown.split())
    clock.set(FIRST_SLOT)
    await app.scheduler.run_due()
    first = int(fake.threads(parent=forum)[0]["id"])
    await fake.slash("ann", "seminar-mod reminders", in_channel=first, before="1d",
                     digest="on")
    clock.set(SECOND_SLOT)
    await app.scheduler.run_due()
    [digest] = [i for i in await app.outbox.for_cohort(1) if i.kind == "digest"
                and i.session_id == app.syllabus.plan.sessions[0].id]
    assert digest.state is OutboxState.PENDING  # not taken for posted: tried again
    assert any("could not be told: Digest for session 1" in r.getMessage()
               for r in caplog.records)
    caplog.clear()  # the errors this test expects
    fake.world.guilds[guild.id] = guild  # a moderator sets a system channel
    await fake.update_guild(guild.id)
    clock.set(SECOND_SLOT + timedelta(minutes=5))
    await app.scheduler.run_due()
    told = fake.messages_in(guild.system_channel)
    assert told and told[-1]["content"].startswith("**For the moderators of")
    assert "Digest for session 1" in told[-1]["content"]


async def test_a_media_channel_is_refused_as_a_seminar_s_channel(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    """helper-141's 2: discord.py reads a media channel (type 16) as a forum, so setup typed
    in one of its posts, or naming it, was taken, and every prompt then failed (a media post
    must carry a file). Refused as the wrong kind of channel, nothing set up."""
    media = fake.world.add_forum("gallery", media=True)
    post = fake.world.forum_post(media, "my photo", 4320, [], {"content": "look"})
    fake.world.channels[int(post["id"])]["owner_id"] = fake.person("ann")["id"]
    await connect()
    # (The channel option's list leaves media channels out: Discord offers none.)
    refused = await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="19:00",
                               timezone="UTC", in_channel=int(post["id"]))
    shown = refused.message["embeds"][0]
    assert "a media channel holds no prompts" in json.dumps(shown), shown
    assert await app.db.scalar("SELECT COUNT(*) FROM cohorts") == 0
