"""A forward jump of the clock while the bot runs (a suspended machine, NTP stepping it): a post
it jumps past is sent if still within the grace window, and otherwise skipped with the true
reason, not "the bot was down"."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.services.container import Services
from tests.conftest import START, ConsoleDriver


async def _first_prompts(app: Services) -> list[OutboxState]:
    return [i.state for i in await app.outbox.for_cohort(1)
            if i.kind == "prompt" and i.session_id == app.syllabus.plan.sessions[0].id]


async def test_a_jump_past_a_post_while_running_says_so(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await console.say("/seminar setup tue 19:00 UTC")  # the loop has run: the bot is up
    first = min(i.due_at for i in await app.outbox.for_cohort(1))
    clock.set(first + timedelta(days=2))  # suspended over the post, far past the grace window
    await app.scheduler.run_due()
    skipped = [i for i in await app.outbox.for_cohort(1)
               if i.kind == "prompt" and i.state is OutboxState.SKIPPED]
    assert skipped and all("the clock jumped forward past it while the bot was running"
                           in (i.last_error or "") for i in skipped)


async def test_a_jump_within_the_grace_window_still_posts(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    first = min(i.due_at for i in await app.outbox.for_cohort(1))
    clock.set(first + timedelta(hours=2))
    await app.scheduler.run_due()
    assert set(await _first_prompts(app)) == {OutboxState.POSTED}


class Ticking(ManualClock):
    """A clock that also moves a millisecond at each reading, as real time does between two."""

    def now(self) -> datetime:
        self.set(super().now() + timedelta(milliseconds=1))
        return super().now()


@pytest.fixture(params=["frozen", "ticking"])
def clock(request: pytest.FixtureRequest) -> ManualClock:
    return ManualClock(START) if request.param == "frozen" else Ticking(START)


@pytest.mark.parametrize("early", [False, True])
async def test_a_reminder_and_digest_that_come_back_are_not_told_as_lost(
        console: ConsoleDriver, app: Services, clock: ManualClock, early: bool) -> None:
    """helper-173's 2: the notice called session 1's reminder and digest skipped, and a post
    of session 2 then sent both: session 1 closed only as nothing after it was to open. Told
    so now, and kept on a clock that moves (helper-175's 1), for the session that opened
    last, whatever its number (helper-175's 2: a session posted early, the others missed)."""
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar reminders 1d")
    last, then = (2, 1) if early else (1, 2)
    if early:
        await console.say("/seminar post 2")
    else:
        first = min(i.due_at for i in await app.outbox.for_cohort(1))
        minutes = int((first - clock.now()).total_seconds()) // 60 + 1
        await console.say(f"/clock advance {minutes}m")
    start = len(console.out.getvalue())
    clock.set(clock.now() + timedelta(days=120))
    await app.scheduler.run_due()
    told = " ".join(console.out.getvalue()[start:].split())
    assert f"session {last}'s reminder and digest (they come if another session is posted, " \
           f"as it closes then); session {then}'s prompts" in told or \
           f"session {then}'s prompts (due Tue 06 Jan 2026 19:00 UTC); session {last}'s " \
           "reminder and digest (they come if another session is posted, as it closes then)" \
           in told, told
    await console.say(f"/seminar post {then}")
    await app.scheduler.run_due()
    session = app.syllabus.plan.sessions[last - 1].id
    sent = {i.kind for i in await app.outbox.for_cohort(1)
            if i.session_id == session and i.state is OutboxState.POSTED}
    assert sent == {"prompt", "reminder", "digest"}


async def test_no_digest_for_a_session_never_posted(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-175's 12: back after a week, the bot sent session 1's digest ("0 participants
    responded"), still within the grace window, then skipped session 1's prompts as late."""
    await console.say("/seminar setup tue 19:00 UTC")
    first = min(i.due_at for i in await app.outbox.for_cohort(1))
    start = len(console.out.getvalue())
    clock.set(first + timedelta(days=7, hours=4))
    await app.scheduler.run_due()
    told = console.out.getvalue()[start:]
    assert "Digest for session 1" not in told and "session 1's prompts" in told
    digests = [i for i in await app.outbox.for_cohort(1)
               if i.kind == "digest" and i.session_id == app.syllabus.plan.sessions[0].id]
    assert [i.state for i in digests] == [OutboxState.SKIPPED]
