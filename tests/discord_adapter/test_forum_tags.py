"""Forum tags the bot must reckon with: a forum that requires a tag on every post (channel
flag REQUIRE_TAG), moderated tags (applied only with Manage Threads), a forum with little
room for tags; and which channel setup means when it is typed in a prompt's thread or a forum
post, or names a channel Discord does not know."""

from __future__ import annotations

from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect
from tests.discord_adapter.seminar import FIRST_SLOT, SECOND_SLOT, start_seminar
from tests.discord_fake import FakeDiscord
from tests.discord_fake.state import BOT_NEEDS, MANAGE_CHANNELS, MANAGE_THREADS, REQUIRE_TAG, Json


async def setup_in(fake: FakeDiscord, *, channel: str | None = None,
                   in_channel: int | None = None) -> Json:
    options = {"channel": channel} if channel is not None else {}
    log = await fake.slash("ann", "seminar-mod setup", in_channel=in_channel,
                           weekday="tuesday", time="19:00", timezone="UTC", **options)
    shown: Json = log.message["embeds"][0]
    return shown


async def cohorts(app: Services) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await app.db.fetchall("SELECT id, channel_id FROM cohorts")]


async def test_a_forum_requiring_tags_is_refused_when_the_bot_cannot_tag(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    bare = fake.world.add_forum("reading-room", require_tag=True)
    moderated = fake.world.add_forum("moderated", require_tag=True,
                                     moderated=("Session 1", "Session 2"))
    await connect()
    shown = await setup_in(fake, channel=str(bare))
    assert shown["title"] == "Missing permissions"
    assert shown["description"].startswith(
        f"<#{bare}> requires a tag on every post, and the bot cannot tag the posts of sessions "
        "1 and 2: grant it Manage Channels")
    shown = await setup_in(fake, channel=str(moderated))
    assert "cannot tag the posts of sessions 1 and 2" in shown["description"]
    assert "Manage Threads to apply moderated ones" in shown["description"]
    assert await cohorts(app) == []
    assert not fake.requests("POST", f"/channels/{bare}/threads")


async def test_a_forum_requiring_tags_is_set_up_when_the_bot_may_tag(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    forum = fake.world.add_forum("reading-room", require_tag=True)
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_CHANNELS
    await connect()
    assert (await setup_in(fake, channel=str(forum)))["title"] == "Seminar set up"
    clock.set(FIRST_SLOT)
    assert [o.state for o in await app.scheduler.run_due()] == [OutboxState.POSTED] * 3


async def test_moderated_tags_are_applied_only_with_manage_threads(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    plain = fake.world.add_forum("plain", moderated=("Session 1", "Session 2"))
    allowed = fake.world.add_forum("allowed", moderated=("Session 1", "Session 2"))
    fake.world.channels[allowed]["permission_overwrites"] = [
        {"id": str(fake.world.bot_role), "type": 0, "allow": str(MANAGE_THREADS), "deny": "0"}]
    await connect()
    shown = await setup_in(fake, channel=str(plain))
    assert ("The session tags of <#" + str(plain) + "> are moderated, and applying them needs "
            "Manage Threads: sessions 1 and 2 are posted untagged.") in shown["description"]
    await setup_in(fake, channel=str(allowed))
    clock.set(FIRST_SLOT)
    assert [o.state for o in await app.scheduler.run_due()] == [OutboxState.POSTED] * 6
    assert [p["applied_tags"] for p in fake.threads(parent=plain)] == [[], [], []]
    tag = fake.world.channels[allowed]["available_tags"][0]["id"]
    assert [p["applied_tags"] for p in fake.threads(parent=allowed)] == [[tag]] * 3


async def test_a_tag_required_after_setup_fails_the_posts_with_one_notice(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    forum = fake.world.add_forum("reading-room")
    await connect()
    await setup_in(fake, channel=str(forum))
    await fake.update_channel(forum, flags=REQUIRE_TAG)  # a moderator turns it on later
    clock.set(FIRST_SLOT)
    assert [o.state for o in await app.scheduler.run_due()] == [OutboxState.FAILED] * 3
    told = [m["content"] for m in fake.messages_in(fake.world.system_channel)]
    assert len(told) == 1
    assert told[0].startswith(f"**For the moderators of <#{forum}>:** Session 1 prompts ")
    # Why the post is untagged, whatever made the forum refuse it (helper-141's 4: a tag
    # deleted was told as the requirement turned on)
    assert ("#reading-room requires a tag on every post, and the forum has no “Session 1” tag, "
            "and creating one needs Manage Channels (error 40067)") in told[0]
    assert "/seminar-mod post 1" in told[0]
    assert len(await app.audit.recent()) >= 3  # each failed post is audited


async def test_the_plural_of_sessions_posted_untagged(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    forum = fake.world.add_forum("reading-room", tags=tuple(f"Tag {n}" for n in range(19)))
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_CHANNELS
    await connect()
    shown = await setup_in(fake, channel=str(forum))
    assert "(Discord allows 20): session 2 is posted untagged." in shown["description"]


async def test_setup_typed_in_a_thread_or_post_sets_up_its_parents_seminar(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    forum = fake.world.add_forum("reading-room")
    await connect()
    await start_seminar(fake)
    await setup_in(fake, channel=str(forum))
    clock.set(FIRST_SLOT)
    await app.scheduler.run_due()
    seminar = fake.world.seminar_channel
    thread = int(fake.threads(parent=seminar)[0]["id"])
    post = int(fake.threads(parent=forum)[0]["id"])
    for typed_in, parent in ((thread, seminar), (post, forum)):
        log = await fake.slash("ann", "seminar-mod setup", in_channel=typed_in,
                               weekday="wednesday", time="19:00", timezone="UTC")
        assert log.message["embeds"][0]["title"] != "Bad argument", typed_in
        cohort = await app.cohorts.find("discord", str(fake.world.guild_id), str(parent))
        assert cohort is not None and cohort.rule.weekdays == (2,), typed_in
    assert await cohorts(app) == [(1, str(seminar)), (2, str(forum))]


async def test_an_unknown_channel_is_refused_in_one_sentence(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    await connect()
    shown = await setup_in(fake, channel="123")
    assert shown["title"] == "Not found"
    assert shown["description"] == ("Discord shows the bot no channel '123' (error 10003: "
                                    "Unknown Channel): name a text or forum channel of this "
                                    "server.")
    assert fake.requests("GET", "/channels/123")  # asked Discord, which does not know it
    assert await cohorts(app) == []


async def test_tags_deleted_or_crowded_out_after_setup_are_told_once_for_each_reason(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-126's 4: posts went out untagged after a moderator deleted the session tags
    (the bot may not create them) or filled the forum's 20, and no one was told."""
    forum = fake.world.add_forum("reading-room", tags=("Session 1", "Session 2"))
    await connect()
    await setup_in(fake, channel=str(forum))
    clock.set(FIRST_SLOT)
    await app.scheduler.run_due()
    assert all(p["applied_tags"] for p in fake.threads(parent=forum))
    assert not fake.messages_in(fake.world.system_channel)  # tagged: nothing to tell
    await fake.update_channel(forum, available_tags=[])  # a moderator deletes them
    clock.set(SECOND_SLOT)
    await app.scheduler.run_due()
    later = [p for p in fake.threads(parent=forum) if p["name"].startswith("2.")]
    assert later and all(p["applied_tags"] == [] for p in later)
    [told] = [m["content"] for m in fake.messages_in(fake.world.system_channel)
              if "untagged" in m["content"]]
    assert told == (f"**For the moderators of <#{forum}>:** Session 2's posts go out "
                    "untagged: the forum has no “Session 2” tag, and creating one needs "
                    "Manage Channels.")  # once, not once for each of its posts


async def test_a_forum_filled_to_twenty_tags_after_setup_is_told(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    forum = fake.world.add_forum("reading-room")
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_CHANNELS
    await connect()
    await setup_in(fake, channel=str(forum))
    tags = [t for t in fake.world.channels[forum]["available_tags"]
            if t["name"] != "Session 2"]
    await fake.update_channel(forum, available_tags=[
        *tags, *(fake.world.tag(f"Topic {n}") for n in range(20 - len(tags)))])
    clock.set(SECOND_SLOT)
    await app.scheduler.run_due()
    told = [m["content"] for m in fake.messages_in(fake.world.system_channel)]
    assert any("Session 2's posts go out untagged: the forum has no room for a “Session 2” "
               "tag (Discord allows 20)." in t for t in told)
