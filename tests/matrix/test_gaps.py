"""A gap in the timeline (more happened while the bot was down than a sync returns) is read from
the room's history before its sync token is saved: a failed read handles the whole batch again
(issue 13's second try-out, finding 3), and a gap longer than what is kept in memory is read
again page by page, oldest first."""

from __future__ import annotations

from typing import Any

import pytest
from nio import AsyncClient, RoomMessagesError

from seminarbot.adapters.matrix import gap
from tests.matrix import element
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness
from tests.matrix.test_deletion import tombstone
from tests.matrix.test_restart import posted_seminar
from tests.matrix.test_words import barrier, stored


async def test_a_failed_history_read_in_a_gap_leaves_nothing_of_the_gap_behind(
        bot: BotHarness, people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    withdrawn = await ann.send(room, element.in_thread("To be redacted in the gap.", thread,
                                                       thread))
    assert await stored(app, withdrawn) == "To be redacted in the gap."
    await bot.stop()
    await ann.redact(room, withdrawn)
    during = [await ann.send(room, element.in_thread(f"In the gap {n}.", thread, thread))
              for n in range(12)]
    calls = 0
    original = AsyncClient.room_messages

    async def fails_once(self: AsyncClient, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:  # a 502 from a proxy in front of the homeserver, say
            return RoomMessagesError("502 Bad Gateway", "M_UNKNOWN")
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(AsyncClient, "room_messages", fails_once)
    app = await bot.start(timeline_limit=5)
    await barrier(ann, room, thread, app)
    assert calls >= 2
    assert [await stored(app, event_id) for event_id in during] == [
        f"In the gap {n}." for n in range(12)]
    assert await tombstone(app, withdrawn) == ("", 0)


async def test_a_gap_longer_than_what_is_kept_in_memory_is_read_again_oldest_first(
        bot: BotHarness, people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    first = await ann.send(room, element.in_thread("Written before the gap.", thread, thread))
    assert await stored(app, first) == "Written before the gap."
    await bot.stop()
    during = [await ann.send(room, element.in_thread(f"In the gap {n}.", thread, thread))
              for n in range(15)]
    # An edit of a message written earlier in the same gap: handled after it, in order.
    await ann.send(room, element.edit("In the gap 0, revised.", during[0]))
    await ann.redact(room, during[1])
    monkeypatch.setattr(gap, "KEEP", 6)
    monkeypatch.setattr(gap, "PAGE_SIZE", 4)
    app = await bot.start(timeline_limit=2)
    await barrier(ann, room, thread, app)
    assert await stored(app, during[0]) == "In the gap 0, revised."
    # Redacted before the bot read it: the history holds no text of it, and nothing is stored.
    assert await app.responses.get("matrix", during[1]) is None
    assert [await stored(app, event_id) for event_id in during[2:]] == [
        f"In the gap {n}." for n in range(2, 15)]
