"""The outbox scheduler: once at the right instant, reconciled after a crash, never doubled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seminarbot.clock import ManualClock
from seminarbot.core.replies import PromptPost
from seminarbot.domain.models import Cohort, CohortState, OutboxState
from seminarbot.scheduling.delivery import prompt_post
from seminarbot.scheduling.poster import PostedRef, PostError
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver


class RecordingPoster:
    """A platform that remembers what reached it, keyed like a nonce."""

    platform = "console"

    def __init__(self) -> None:
        self.posts: list[PromptPost] = []
        self.by_key: dict[str, PostedRef] = {}
        self.notices: list[str] = []
        self.read_back_threads: list[str] = []
        self.fail_with: PostError | None = None

    async def post_prompt(self, post: PromptPost) -> PostedRef:
        if self.fail_with:
            raise self.fail_with
        self.posts.append(post)
        ref = PostedRef(f"m{len(self.posts)}", f"t{len(self.posts)}")
        self.by_key[post.idempotency_key] = ref
        return ref

    async def find_post(self, channel_id: str, idempotency_key: str) -> PostedRef | None:
        return self.by_key.get(idempotency_key)

    async def notify_moderators(self, cohort: Cohort, message: str) -> bool:
        self.notices.append(message)
        return True

    async def read_back(self, cohort: Cohort, thread_id: str) -> None:
        self.read_back_threads.append(thread_id)


async def _setup(console: ConsoleDriver, app: Services) -> RecordingPoster:
    await console.say("/seminar setup tue 19:00 Europe/London")
    poster = RecordingPoster()
    app.posters["console"] = poster
    return poster


async def test_each_prompt_is_posted_once_at_its_instant(console: ConsoleDriver, app: Services,
                                                         clock: ManualClock) -> None:
    poster = await _setup(console, app)
    clock.advance(timedelta(days=1, hours=9, minutes=59, seconds=59))  # 18:59:59 Tuesday
    assert await app.scheduler.run_due() == []
    clock.advance(timedelta(seconds=1))
    assert len(await app.scheduler.run_due()) == 3
    assert len(await app.scheduler.run_due()) == 0
    assert [p.prompt_ref for p in poster.posts] == ["1.1", "1.2", "1.3"]
    assert await app.outbox.next_due_at() == clock.now() + timedelta(weeks=1)


async def test_a_crash_after_sending_is_reconciled_not_resent(console: ConsoleDriver,
                                                              app: Services,
                                                              clock: ManualClock) -> None:
    poster = await _setup(console, app)
    clock.advance(timedelta(days=1, hours=10, minutes=30))
    items = await app.outbox.due(clock.now())
    # Claimed and sent, then the process died before recording the message id.
    assert await app.outbox.claim(items[0].id, clock.now())
    await poster.post_prompt(prompt_post(app.scheduler.plan, await app.cohorts.get(1),
                                         items[0]))
    # Claimed, then died before sending.
    assert await app.outbox.claim(items[1].id, clock.now())
    outcomes = await app.scheduler.reconcile()
    assert [o.state for o in outcomes] == [OutboxState.POSTED, OutboxState.PENDING]
    await app.scheduler.run_due()
    assert [p.prompt_ref for p in poster.posts] == ["1.1", "1.2", "1.3"]
    states = {i.item: (i.state, i.message_id) for i in await app.outbox.for_cohort(1)
              if i.session_id == "beginnings"}
    assert states["beginnings-comprehension"] == (OutboxState.POSTED, "m1")
    # What was written in its thread meanwhile; and in each thread once its post is recorded
    assert poster.read_back_threads == ["t1", "t2", "t3"]


async def test_a_thread_that_cannot_be_read_back_leaves_its_post_settled(
        console: ConsoleDriver, app: Services, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    poster = await _setup(console, app)
    clock.advance(timedelta(days=1, hours=10, minutes=30))
    item = (await app.outbox.due(clock.now()))[0]
    assert await app.outbox.claim(item.id, clock.now())
    await poster.post_prompt(prompt_post(app.scheduler.plan, await app.cohorts.get(1), item))

    async def unreadable(cohort: Cohort, thread_id: str) -> None:
        raise ConnectionResetError("the platform went away")

    poster.read_back = unreadable  # type: ignore[method-assign]
    outcomes = await app.scheduler.reconcile()
    assert [o.state for o in outcomes] == [OutboxState.POSTED]
    assert "what was written to the post t1 before it was recorded was not read back" \
        in caplog.text


async def test_missed_slots_inside_grace_post_and_older_ones_are_skipped_and_reported(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    poster = await _setup(console, app)
    clock.advance(timedelta(days=1, hours=16))  # 6h after Tuesday 19:00: still inside grace
    assert len(await app.scheduler.run_due()) == 3
    clock.advance(timedelta(days=7, hours=1))  # session 2 is 7h late
    outcomes = await app.scheduler.run_due()
    # Session 1 stays open until a session opens: its digest is not skipped. Posted 6 hours
    # late, it closed (a week on) an hour ago, within the grace window: the digest comes now.
    assert {(o.item.kind, o.state) for o in outcomes} == {
        ("prompt", OutboxState.SKIPPED), ("digest", OutboxState.PENDING)}
    told = [n for n in poster.notices if "Skipped" in n]
    assert len(told) == 1, poster.notices  # one notice, however many prompts
    assert "more than 6 hours late (the clock jumped forward past it" in told[0]
    assert "/seminar post SESSION posts a skipped session now (e.g. /seminar post 2)" in told[0]
    digest = next(i for i in await app.outbox.for_cohort(1) if i.kind == "digest"
                  and i.session_id == outcomes[-1].item.session_id)
    assert digest.state is OutboxState.PENDING and digest.due_at == clock.now()
    assert [o.item.kind for o in await app.scheduler.run_due()] == ["digest"]
    audit = await app.db.fetchall("SELECT action, outcome FROM audit_log WHERE actor_id = ?"
                                  " AND action = 'prompt skipped'", ("seminarbot",))
    assert [tuple(r) for r in audit] == [("prompt skipped", "failed")] * 3


async def test_retryable_failures_back_off_and_permanent_ones_stop(console: ConsoleDriver,
                                                                   app: Services,
                                                                   clock: ManualClock) -> None:
    poster = await _setup(console, app)
    clock.advance(timedelta(days=1, hours=10))
    poster.fail_with = PostError("rate limited", retryable=True)
    await app.scheduler.run_due()
    item = (await app.outbox.for_cohort(1))[0]
    assert item.state is OutboxState.PENDING and item.due_at == clock.now() + timedelta(minutes=2)
    assert "retrying at" in poster.notices[0]
    poster.fail_with = PostError("missing permission: Send Messages", retryable=False)
    clock.advance(timedelta(minutes=2))
    await app.scheduler.run_due()
    assert (await app.outbox.get(item.id)).state is OutboxState.FAILED
    assert "not retried" in poster.notices[-1]
    poster.fail_with = None
    clock.advance(timedelta(weeks=1))
    await app.scheduler.run_due()
    assert [p.prompt_ref for p in poster.posts] == ["2.1", "2.2", "2.3"]  # schedule continues


async def test_an_outage_is_told_at_its_first_failure_and_its_last_not_each_retry(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-187's 9: a platform answering 503 to every post repeated the notice at every
    retry (2, 4, 8, 16 minutes): five notices for one outage."""
    poster = await _setup(console, app)
    clock.advance(timedelta(days=1, hours=10))
    poster.fail_with = PostError("Discord answered 503", retryable=True)
    for _ in range(8):
        await app.scheduler.run_due()
        clock.advance(timedelta(minutes=40))
    told = [n for n in poster.notices if "503" in n]
    assert len(told) == 2, poster.notices
    assert "retrying at" in told[0] and "not retried" in told[1]
    failed = await app.db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'prompt failed'")
    assert failed == 3 * 5  # every try of the three prompts is in the audit log


async def test_paused_cohorts_post_nothing(console: ConsoleDriver, app: Services,
                                           clock: ManualClock) -> None:
    poster = await _setup(console, app)
    await app.cohorts.set_state(1, CohortState.PAUSED, clock.now())
    clock.advance(timedelta(days=2))
    assert await app.scheduler.run_due() == [] and poster.posts == []
    assert await app.outbox.next_due_at() is None
