"""The scheduler's loop sleeps until a post that an attached platform can send."""

from __future__ import annotations

from datetime import timedelta

from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver


async def test_posts_for_platforms_without_a_poster_do_not_set_the_next_wake_up(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    due = await app.outbox.next_due_at()
    assert due is not None
    assert await app.outbox.next_due_at(platforms=["console"]) == due
    # With only another platform connected, nothing is due: the loop waits to be woken
    # (attaching a poster wakes it) instead of spinning on posts it cannot send.
    assert await app.outbox.next_due_at(platforms=["discord"]) is None
    assert await app.outbox.next_due_at(platforms=[]) is None
    clock.advance(timedelta(days=30))
    assert await app.outbox.next_due_at(platforms=["discord"]) is None
