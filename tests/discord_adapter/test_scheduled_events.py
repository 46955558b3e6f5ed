"""Scheduled events: `/seminar-mod events on` lists each session as one of the server's events
(an external event at the channel, from its start to its close), the events follow every
schedule change, are cancelled when the seminar pauses or events go off, and the bot says
when it lacks Manage Events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.domain.session_events import SessionEvent
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect, eventually
from tests.discord_adapter.seminar import FIRST_SLOT, start_seminar
from tests.discord_fake import FakeDiscord
from tests.discord_fake.scheduled import ACTIVE, CANCELED, SCHEDULED
from tests.discord_fake.state import BOT_NEEDS, MANAGE_EVENTS, MANAGE_GUILD, MEMBER, Json

WEEK = timedelta(days=7)


def listed(fake: FakeDiscord, status: int = SCHEDULED) -> list[Json]:
    """The server's events in this status, as its event list shows them now."""
    fake.rest.scheduled.start_due()  # Discord starts and ends external events by itself
    return sorted((e for e in fake.world.events.values() if e["status"] == status),
                  key=lambda e: e["scheduled_start_time"])


def times(events: list[Json]) -> list[tuple[str, datetime, datetime]]:
    return [(e["name"], datetime.fromisoformat(e["scheduled_start_time"]),
             datetime.fromisoformat(e["scheduled_end_time"])) for e in events]


async def planned(app: Services) -> list[tuple[str, datetime, datetime]]:
    """What the outbox says: each session from its first prompt's time to the next one's."""
    starts: dict[str, datetime] = {}
    for item in await app.outbox.for_cohort(1):
        if item.kind == "prompt" and item.state.value == "pending":
            starts[item.session_id] = min(item.due_at, starts.get(item.session_id, item.due_at))
    order = sorted(starts, key=starts.__getitem__)
    names = {s.id: f"Session {s.number}: {s.title}" for s in app.syllabus.plan.sessions}
    return [(names[s], starts[s], starts[order[i + 1]] if i + 1 < len(order)
             else starts[s] + WEEK) for i, s in enumerate(order)]


async def moderator(fake: FakeDiscord, command: str, **options: str) -> str:
    log = await fake.slash("ann", f"seminar-mod {command}", **options)
    return str(log.message["embeds"][0].get("description", ""))


async def test_each_session_is_an_event_that_follows_every_schedule_change(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    answer = await moderator(fake, "events", state="on")
    assert "2 events to come, 2 new" in answer
    first, second = listed(fake)
    assert times([first, second]) == [
        ("Session 1: Beginnings", FIRST_SLOT, FIRST_SLOT + WEEK),
        ("Session 2: Later years", FIRST_SLOT + WEEK, FIRST_SLOT + 2 * WEEK)]
    channel = f"https://discord.com/channels/{fake.world.guild_id}/{fake.world.seminar_channel}"
    assert first["entity_metadata"] == {"location": channel}
    assert (first["entity_type"], first["privacy_level"], first["channel_id"]) == (3, 2, None)
    assert first["description"].startswith("Beginnings. Reading: On Councils (Writer; me-early)")
    ids = {e["id"] for e in listed(fake)}

    for command, options in (("skip", {}), ("move", {"session": "2", "date": "2026-01-22",
                                                      "time": "18:30"}),
                             ("reschedule", {"weekday": "thursday", "time": "18:00",
                                             "timezone": "Europe/Berlin"})):
        await moderator(fake, command, **options)
        await app.scheduler.run_due()  # the loop's pass after the change
        assert times(listed(fake)) == await planned(app), command
        assert {e["id"] for e in listed(fake)} == ids, command  # the same events, moved

    await moderator(fake, "pause")
    await app.scheduler.run_due()
    assert listed(fake) == [] and len(listed(fake, CANCELED)) == 2
    await moderator(fake, "resume")
    await app.scheduler.run_due()
    assert times(listed(fake)) == await planned(app) and not ids & {e["id"] for e in
                                                                      listed(fake)}

    clock.set(times(listed(fake))[0][1])  # session 1 starts: Discord starts its event
    await app.scheduler.run_due()
    assert [e["name"] for e in listed(fake, ACTIVE)] == ["Session 1: Beginnings"]
    assert "1 event cancelled" in await moderator(fake, "events", state="off")
    assert listed(fake) == [] and [e["name"] for e in listed(fake, ACTIVE)] == [
        "Session 1: Beginnings"]  # under way: it ends at its close by itself


async def test_without_manage_events_setup_says_so_and_events_are_refused(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    await connect()
    log = await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="19:00",
                           timezone="UTC")
    shown = log.message["embeds"][0]["description"]
    assert ("To list the sessions as server events (/seminar-mod events on), the bot also "
            "needs Manage Events.") in shown
    refused = await fake.slash("ann", "seminar-mod events", state="on")
    assert refused.ephemeral and "the bot needs Manage Events in this server" in \
        refused.message["embeds"][0]["description"]
    assert not fake.requests("POST", f"/guilds/{fake.world.guild_id}/scheduled-events")
    assert await app.session_events.enabled(1) is False


async def test_a_refusal_later_turns_events_off_and_the_moderators_are_told(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    await moderator(fake, "events", state="on")
    fake.world.bot_permissions = BOT_NEEDS  # a server admin takes Manage Events away
    await moderator(fake, "skip")
    await app.scheduler.run_due()
    assert await app.session_events.enabled(1) is False
    told = fake.messages_in(fake.world.seminar_channel)[-1]["content"]
    assert told.startswith("**For the moderators:** Listing the sessions as server events "
                           "stopped: Discord refused") and "/seminar-mod events on" in told
    audit = (await app.audit.recent())[0]
    assert (audit.action, audit.outcome) == ("events failed", "failed")
    await app.scheduler.run_due()  # nothing is tried again until a moderator turns them on
    assert fake.rest.scheduled.requests == 3


async def test_an_event_made_before_a_crash_is_found_not_listed_twice(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    bot = await connect()
    await start_seminar(fake)
    await app.session_events.set_enabled(1, True, clock.now())
    event = SessionEvent("beginnings", "Session 1: Beginnings",
                         app.event_sync.describe(app.syllabus.plan.sessions[0]), FIRST_SLOT,
                         FIRST_SLOT + WEEK)
    cohort = await app.cohorts.get(1)
    await app.session_events.record(1, event, None)  # claimed, then created, then the crash
    made = await bot.handlers.calendar.create(cohort, event)
    await app.scheduler.run_due()
    assert len(listed(fake)) == 2 and made in {e["id"] for e in listed(fake)}
    assert (await app.session_events.recorded(1))["beginnings"].event_id == made


async def test_a_platform_without_events_says_so(app: Services, console: object) -> None:
    from tests.conftest import ConsoleDriver

    assert isinstance(console, ConsoleDriver)
    await console.say("/seminar setup tuesday 19:00 UTC")
    answer = await console.say("/seminar events on")
    assert "runs on the console, which has no server events for the bot to list" in answer
    assert await app.session_events.enabled(1) is False
    assert datetime.now(UTC)  # the console changed nothing


async def test_an_event_deleted_by_hand_is_listed_again_and_never_recorded_moved(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    bot = await connect()
    await start_seminar(fake)
    await moderator(fake, "events", state="on")
    _, second = listed(fake)
    fake.delete_event(int(second["id"]))  # a moderator deletes it in their client
    recorded = (await app.session_events.recorded(1))[app.syllabus.plan.sessions[1].id]
    calendar = bot.handlers.calendar
    assert await calendar.update(await app.cohorts.get(1), second["id"], recorded.event,
                                 end_only=False) is False  # 10070: nothing to move
    await app.scheduler.run_due()  # the next pass lists it again
    again = listed(fake)
    assert times(again) == await planned(app) and again[1]["id"] != second["id"]

    fake.delete_event(int(again[1]["id"]))
    await moderator(fake, "skip")  # moves both: one exists, the other was deleted meanwhile
    await app.scheduler.run_due()
    assert times(listed(fake)) == await planned(app)
    recorded = {r.event_id for r in (await app.session_events.recorded(1)).values()}
    assert recorded == {e["id"] for e in listed(fake)}  # every recorded event exists
    assert not fake.problems


async def test_events_on_during_a_session_says_it_gets_no_event(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    clock.set(FIRST_SLOT + timedelta(hours=1))
    await app.scheduler.run_due()
    answer = await moderator(fake, "events", state="on")
    assert answer.endswith("1 event to come, 1 new. “Session 1: Beginnings” is under way and "
                           "gets no event: Discord cannot list one that has already begun.")
    assert [e["name"] for e in listed(fake)] == ["Session 2: Later years"]


async def test_events_off_while_the_loop_syncs_leaves_none_listed(
        connect: Connect, fake: FakeDiscord, app: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop's pass is moving the events (a reschedule) when a moderator turns them off:
    the command's sync waits for the pass's, then cancels all, and the pass lists nothing
    after it."""
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    await moderator(fake, "events", state="on")
    await moderator(fake, "reschedule", weekday="thursday", time="18:00",
                    timezone="Europe/Berlin")
    calendar = app.calendars["discord"]
    update, gate, entered = calendar.update, asyncio.Event(), asyncio.Event()

    async def held(*args: Any, **options: Any) -> bool:
        entered.set()
        await gate.wait()
        return await update(*args, **options)

    monkeypatch.setattr(calendar, "update", held)
    moving = asyncio.create_task(app.scheduler.run_due())
    await entered.wait()
    off = asyncio.create_task(moderator(fake, "events", state="off"))
    await asyncio.sleep(0.3)  # the command has arrived, and waits
    gate.set()
    await moving
    assert "2 events cancelled" in await off
    assert listed(fake) == [] and await app.session_events.recorded(1) == {}


async def test_a_session_posted_early_starts_its_event_and_the_others_stay_listed(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-126's 1: its event was moved to the posting time, in the past, which Discord
    refuses ("Cannot schedule event in the past"), and that turned every event off."""
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    await moderator(fake, "events", state="on")
    first, _ = listed(fake)
    await moderator(fake, "post")  # session 1, a day before its time
    await app.scheduler.run_due()
    assert await app.session_events.enabled(1) is True and not fake.problems
    [begun] = listed(fake, ACTIVE)
    assert begun["id"] == first["id"]
    assert times(listed(fake)) == (await planned(app))  # the next one, moved to follow
    await moderator(fake, "skip")  # the events still follow every change
    await app.scheduler.run_due()
    assert times(listed(fake)) == await planned(app) and not fake.problems
    told = [m["content"] for m in fake.messages_in(fake.world.seminar_channel)]
    assert not any("Listing the sessions as server events stopped" in t for t in told)


async def test_an_event_a_person_cancelled_is_listed_again_not_a_reason_to_stop(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    """helper-126's 5: a moderator cancelled one event in Discord; the next change to it was
    refused (the event has ended or was cancelled) and turned every event off."""
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    await moderator(fake, "events", state="on")
    first, _ = listed(fake)
    first["status"] = CANCELED  # cancelled in the server's event list
    await moderator(fake, "skip")
    await app.scheduler.run_due()
    assert await app.session_events.enabled(1) is True and not fake.problems
    assert times(listed(fake)) == await planned(app)
    assert first["id"] not in {e["id"] for e in listed(fake)}


async def test_an_event_a_person_started_by_hand_is_left_to_them_not_a_reason_to_stop(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    """helper-129's 6: Discord refused to move an event a moderator had started by hand
    (400, "the event has started"), and that turned every event off."""
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    await moderator(fake, "events", state="on")
    first, second = listed(fake)
    first["status"] = ACTIVE  # "Start event" in the client
    await moderator(fake, "skip")
    await app.scheduler.run_due()
    assert await app.session_events.enabled(1) is True
    assert [e["id"] for e in listed(fake, ACTIVE)] == [first["id"]]  # left as they made it
    assert [e["id"] for e in listed(fake)] == [second["id"]]  # the other one, moved
    told = [m["content"] for m in fake.messages_in(fake.world.seminar_channel)]
    assert not any("Listing the sessions as server events stopped" in t for t in told)
    fake.problems.clear()  # the fake notes the refusal it answered, as Discord would give it
    caplog.clear()


async def test_a_session_closed_early_by_the_next_one_s_post_ends_its_event(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-129's 7: session 2 posted early started its event, and session 1's ran on
    beside it for a week."""
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    await moderator(fake, "events", state="on")
    clock.set(FIRST_SLOT + timedelta(hours=26))
    await app.scheduler.run_due()
    [under_way] = listed(fake, ACTIVE)
    await moderator(fake, "post")  # session 2, days early
    await app.scheduler.run_due()
    assert [e["name"] for e in listed(fake, ACTIVE)] == ["Session 2: Later years"]
    assert fake.world.events[int(under_way["id"])]["status"] == 3  # completed
    assert await app.session_events.enabled(1) is True and not fake.problems
    requests = fake.rest.scheduled.requests
    await app.scheduler.run_due()  # done with: nothing more asked of it
    assert fake.rest.scheduled.requests == requests and not fake.problems


async def test_a_session_posted_early_ends_the_event_of_one_posted_early_before_it(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-131's 4: session 1 posted early, then session 2: both events stayed under way."""
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    await moderator(fake, "events", state="on")
    await moderator(fake, "post")  # session 1, early
    await app.scheduler.run_due()
    clock.set(FIRST_SLOT + timedelta(hours=26))
    await moderator(fake, "post")  # session 2, early
    await app.scheduler.run_due()
    assert [e["name"] for e in listed(fake, ACTIVE)] == ["Session 2: Later years"]
    assert await app.session_events.enabled(1) is True and not fake.problems


async def test_a_deleted_channel_finishes_its_seminar_and_cancels_its_events(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-185's 1: the seminar whose channel was deleted stayed running, its events of
    sessions to come listed at a channel that was gone, its posts due, and `/seminar schedule`
    elsewhere counted it among the server's seminars."""
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    await moderator(fake, "events", state="on")
    assert len(listed(fake)) == 2
    await fake.delete_channel(fake.world.seminar_channel)
    await eventually(lambda: _state(app, "finished"))
    await app.scheduler.run_due()
    assert listed(fake) == [] and len(listed(fake, CANCELED)) == 2
    audit = (await app.audit.recent())[0]
    assert (audit.action, audit.outcome) == ("channel deleted", "ok")
    elsewhere = await fake.slash("ann", "seminar schedule", in_channel=fake.world.system_channel)
    said = elsewhere.message["embeds"][0]["description"]
    assert "No seminar runs in this channel yet" in said and "elsewhere" not in said
    clock.set(FIRST_SLOT)
    assert await app.scheduler.run_due() == []  # session 1's time: nothing is posted


async def test_a_bot_removed_from_the_server_pauses_its_seminars_there(
        connect: Connect, fake: FakeDiscord, app: Services) -> None:
    """The kind of helper-185's 1: removed from a server (GUILD_DELETE, not an outage), the
    bot went on trying to post there every week; Matrix paused a room's seminar already."""
    fake.world.bot_permissions = BOT_NEEDS | MANAGE_EVENTS
    await connect()
    await start_seminar(fake)
    await fake.remove_bot(fake.world.guild_id)
    await eventually(lambda: _state(app, "paused"))
    audit = (await app.audit.recent())[0]
    assert (audit.action, audit.actor_id) == ("bot removed", "seminarbot")


async def test_a_bot_removed_while_away_pauses_its_seminars_there_at_the_next_ready(
        bot: SeminarClient, fake: FakeDiscord, app: Services) -> None:
    """No GUILD_DELETE reaches a bot that is away: READY, which lists every server the bot is
    in, no longer lists that one."""
    await start_seminar(fake)
    other = fake.world.add_guild("Other", "elsewhere", {"zed": MEMBER | MANAGE_GUILD})
    await fake.gateway.drop(resumable=False, hold=True)
    await fake.remove_bot(fake.world.guild_id, told=False)
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)
    assert await _state(app, "paused")
    assert other.id in {g.id for g in bot.guilds}


async def test_a_channel_deleted_while_away_before_any_post_finishes_its_seminar(
        bot: SeminarClient, fake: FakeDiscord, app: Services) -> None:
    """helper-187's 2: with no prompt's thread yet, the catch-up never read the channel: the
    seminar stayed active, each week's posts failing (Unknown Channel)."""
    await start_seminar(fake)
    await fake.gateway.drop(resumable=False, hold=True)
    await fake.delete_channel(fake.world.seminar_channel)
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)
    assert await _state(app, "finished")


async def _state(app: Services, wanted: str) -> bool:
    return bool(await app.db.scalar("SELECT state FROM cohorts WHERE id = 1") == wanted)
