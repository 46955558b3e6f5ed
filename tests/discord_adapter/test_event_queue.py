"""Gateway events are queued as discord.py parses them (bot.Handlers.queued): in the order
Discord sent them, with no task per message, and one event's error stops at that event."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Generator
from typing import Any

import pytest

from seminarbot.adapters.discord import events
from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.seminar import first_session_posted, response_count_is, rows
from tests.discord_fake import FakeDiscord


async def test_a_burst_of_messages_makes_no_task_per_message_and_keeps_its_order(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    made: list[asyncio.Task[Any]] = []  # named after the factory returns
    loop = asyncio.get_running_loop()

    def factory(loop: asyncio.AbstractEventLoop, coro: Generator[Any, None, Any]
                | Coroutine[Any, Any, Any], **kwargs: Any) -> asyncio.Task[Any]:
        task = asyncio.Task(coro, loop=loop, **kwargs)
        made.append(task)
        return task

    loop.set_task_factory(factory)
    try:
        for n in range(40):
            await fake.say("ann" if n % 2 else "bob", thread, f"Point {n}.")
        await eventually(lambda: response_count_is(app, 40))
    finally:
        loop.set_task_factory(None)

    assert [row[2] for row in await rows(app)] == [f"Point {n}." for n in range(40)]
    names = [task.get_name() for task in made]
    assert not [name for name in names if "message" in name], names


async def test_a_message_that_cannot_be_taken_in_leaves_the_connection_and_the_next_ones(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    real = events.inbound

    def inbound(message: Any) -> Any:
        if message.content == "Unreadable.":
            raise KeyError("author")  # a payload discord.py parsed but we cannot read
        return real(message)

    monkeypatch.setattr(events, "inbound", inbound)
    caplog.set_level(logging.ERROR, "seminarbot")
    await fake.say("bob", thread, "Unreadable.")
    await fake.say("ann", thread, "Read as usual.")
    await eventually(lambda: response_count_is(app, 1))

    assert [row[2] for row in await rows(app)] == ["Read as usual."]
    assert (fake.gateway.identifies, fake.gateway.resumes) == (1, 0)  # never reconnected
    assert "a Discord message event could not be taken in" in caplog.text
    caplog.clear()  # the one error this test expects


async def test_a_resumed_catch_up_is_queued_before_the_messages_that_follow_it(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """Discord replays what was missed, then RESUMED, then new events: the catch-up reads on
    from the last message recorded, so nothing newer may be stored before it has read."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await fake.gateway.drop(resumable=True, hold=True)
    await fake.say("bob", thread, "Missed, and replayed.")
    order: list[str] = []
    real_put, real_join = bot.handlers.inbound.put, bot.handlers.inbound.join
    monkey = pytest.MonkeyPatch()
    monkey.setattr(bot.handlers.inbound, "put", lambda job, **options: (
        order.append("job" if options.get("joins_pass") else "job, waited for"),
        real_put(job, **options)))
    monkey.setattr(bot.handlers.inbound, "join",
                   lambda item: (order.append(item.text), real_join(item)))
    try:
        fake.gateway.release()
        await eventually(lambda: bot.handlers.catch_ups == 2)
        await fake.say("ann", thread, "Written after the resume.")
        await eventually(lambda: response_count_is(app, 2))
    finally:
        monkey.undo()

    assert order == ["Missed, and replayed.", "job, waited for", "Written after the resume."]
