"""A forward jump of the clock while the bot runs (a suspended machine, NTP stepping it): a post
it jumps past is sent if still within the grace window, and otherwise skipped with the true
reason, not "the bot was down"."""

from __future__ import annotations

from datetime import timedelta

from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxState
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver


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


async def test_a_reminder_and_digest_that_come_back_are_not_told_as_lost(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-173's 2: the notice called session 1's reminder and digest skipped, and a post
    of session 2 then sent both: session 1 closed only as nothing after it was to open."""
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar reminders 1d")
    first = min(i.due_at for i in await app.outbox.for_cohort(1))
    await console.say(f"/clock advance {int((first - clock.now()).total_seconds()) // 60 + 1}m")
    start = len(console.out.getvalue())
    clock.set(first + timedelta(days=120))
    await app.scheduler.run_due()
    told = " ".join(console.out.getvalue()[start:].split())
    assert "session 1's reminder and digest (they come if a later session is posted, as it " \
           "closes then); session 2's prompts" in told, told
    await console.say("/seminar post 2")
    await app.scheduler.run_due()
    session = app.syllabus.plan.sessions[0].id
    sent = {i.kind for i in await app.outbox.for_cohort(1)
            if i.session_id == session and i.state is OutboxState.POSTED}
    assert sent == {"prompt", "reminder", "digest"}
