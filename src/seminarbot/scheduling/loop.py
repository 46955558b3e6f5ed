"""One loop for every cohort: sleep until the earliest due post, claim it, send it, record it.

A post is an outbox row: a prompt (a thread's root), a reminder in its thread before its session
closes, or the moderators' digest at the close. A row is claimed (committed) before sending and
completed with the platform's message id after; one found claimed at start-up is reconciled.

What only a post due, a plan to change or a moderator's post needs (the modules beside this
one, the planning rules, the post's shape) loads with the first of them: a pass with nothing
due loads none of it (a bot that is only taking in responses).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from seminarbot.clock import Clock
from seminarbot.domain.backoff import Backoff
from seminarbot.domain.errors import Damaged, Unavailable
from seminarbot.domain.models import (
    NOT_IN_PLAN,
    SYSTEM_ACTOR,
    Cohort,
    CohortState,
    OutboxItem,
    OutboxState,
)
from seminarbot.domain.schedule import describe_local
from seminarbot.domain.syllabus import Plan, Session
from seminarbot.scheduling import claimed
from seminarbot.scheduling.notices import Notices
from seminarbot.scheduling.poster import Poster, PostError, tell_moderators
from seminarbot.storage.audit import AuditLog
from seminarbot.storage.cohorts import CohortRepository
from seminarbot.storage.damage import said
from seminarbot.storage.db import Database
from seminarbot.storage.outbox import OutboxRepository
from seminarbot.storage.post_requests import PostRequestRepository
from seminarbot.storage.responses import ResponseRepository

if TYPE_CHECKING:
    from seminarbot.domain.planning import Planned
    from seminarbot.scheduling.missed import Missed
    from seminarbot.scheduling.post_now import PostedNow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BUSY_RETRY_SECONDS = 5
# The idle loop wakes at least this often, so housekeeping runs even with no post due.
IDLE_WAKE = timedelta(hours=1)
LATE = timedelta(minutes=1)  # a post this late re-plans what its opening decides
Housekeeping = Callable[[datetime], Awaitable[object]]
OUR_FAULT = "an error on the bot's side (its log has the details); not retried"


class PostOutcome(NamedTuple):
    item: OutboxItem
    state: OutboxState
    detail: str = ""


class Scheduler:
    def __init__(self, *, db: Database, cohorts: CohortRepository, outbox: OutboxRepository,
                 responses: ResponseRepository, audit: AuditLog, plan: Plan, clock: Clock,
                 posters: dict[str, Poster], grace: timedelta = timedelta(hours=6),
                 requests: PostRequestRepository | None = None) -> None:
        self.db, self.cohorts, self.outbox, self.audit = db, cohorts, outbox, audit
        self.requests = requests or PostRequestRepository(db)
        # Sessions a moderator's /seminar post is sending in this process: the loop keeps off.
        self.posting_now: set[tuple[int, str]] = set()
        self.responses = responses
        self.plan, self.clock, self.posters, self.grace = plan, clock, posters, grace
        self._wake = asyncio.Event()
        self._to_reconcile: set[str] = set()
        self.passes = 0  # how often the loop looked for due rows: it must not poll
        # When this process's loop first looked: a post due after it was missed while the bot
        # was up (the clock jumped: a suspended machine, NTP), not while it was down.
        self.running_since: datetime | None = None
        self._plan_adopted = False
        # Tasks run on every pass of the loop, before posting (the retention sweep).
        self.housekeeping: list[Housekeeping] = []
        self.notices = Notices(self._notify)  # one notice for the posts that failed alike
        # How its writes fare, pass by pass, and its faults (services.connections: heartbeat).
        self.storage: Callable[[Unavailable | None], None] = lambda error: None
        self.faults: Callable[[str | None], None] = lambda fault: None

    def attach(self, poster: Poster) -> None:
        """An adapter is ready to post: its claimed rows are reconciled before it posts again.
        Attaching the same poster twice (a reconnect) changes nothing else."""
        if self.posters.get(poster.platform) is not poster:
            self.posters[poster.platform] = poster
            self._to_reconcile.add(poster.platform)
        self.wake()

    async def plan_cohort(self, cohort: Cohort, not_before: datetime, *,
                          refill: bool = False) -> Planned:
        """Re-plan what is not yet posted (scheduling.replan). Callers hold a transaction."""
        from seminarbot.scheduling.replan import replan

        return await replan(self, cohort, not_before, refill=refill)

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        """Pass after pass until cancelled; no error ends it (`run_guarded`)."""
        faults = Backoff(first=BUSY_RETRY_SECONDS, limit=IDLE_WAKE.total_seconds())
        while True:
            self._wake.clear()
            wake = self._wake
            try:
                if await self.run_guarded() is None:
                    # Waking at once (a command, a reconnect) would only fail again.
                    wake, delay = asyncio.Event(), faults.next_delay()
                    log.warning("the scheduler looks again in %g s", delay)
                    next_at: datetime | None = self.clock.now() + timedelta(seconds=delay)
                else:
                    faults.reset()  # only posts an attached poster can send: a cohort whose
                    # platform is not (yet) connected must not keep the loop spinning
                    next_at = await self.outbox.next_due_at(platforms=self.posters)
                    self.storage(None)
            except Unavailable as error:
                # Another process holds the database, or it cannot be written: look again
                # shortly, lose nothing.
                self.storage(error)
                log.warning("database unavailable; the scheduler retries in %s s",
                            BUSY_RETRY_SECONDS)
                next_at = self.clock.now() + timedelta(seconds=BUSY_RETRY_SECONDS)
            idle = self.clock.now() + IDLE_WAKE
            await self.clock.wait_until(idle if next_at is None else min(next_at, idle), wake)

    async def run_guarded(self) -> list[PostOutcome] | None:
        """A pass (`run_due`) in the one error boundary of every pass, the loop's and the
        console's: a fault of ours anywhere in it is logged and None returned; what it did not
        finish is left for the next. Raises Unavailable (storage): look again shortly."""
        try:
            outcomes = await self.run_due()
        except Unavailable:
            raise
        except Exception as error:  # ending the loop would end `seminarbot run`, at every start
            stopping = asyncio.current_task()
            if stopping is not None and stopping.cancelling():
                raise asyncio.CancelledError from error  # a stop, whatever error it became
            log.exception("a scheduler pass failed")
            self.faults(f"{type(error).__name__}: an error on the bot's side; its log has the "
                        "details")
            return None
        self.faults(None)
        return outcomes

    async def reconcile(self) -> list[PostOutcome]:
        """Settle rows a crash left claimed (scheduling.claimed)."""
        pending, self._to_reconcile = self._to_reconcile, set()
        try:
            return await claimed.settle_claimed(self, pending | set(self.posters))
        except BaseException:  # settled at the next pass, not never
            self._to_reconcile |= pending
            raise

    async def run_due(self) -> list[PostOutcome]:
        self.passes += 1
        if self.running_since is None:
            self.running_since = self.clock.now()
        if not self._plan_adopted:  # once per process (again if adopting it failed)
            if stale := await self.cohorts.to_adopt(self.plan.edition):
                from seminarbot.scheduling.plan_change import adopt_plan

                await adopt_plan(self, stale)
            self._plan_adopted = True
        if self._to_reconcile:
            await self.reconcile()
        await self.db.scrub()  # erased words a reader kept in the log (storage.scrub)
        await self._housekeep()
        async with self.notices.batch():
            return await self._post_due()

    async def _post_due(self) -> list[PostOutcome]:
        requests = await self.requests.all()
        in_hand: set[tuple[int, str]] = set()
        if requests:
            from seminarbot.scheduling.post_now import finish_interrupted

            in_hand = await finish_interrupted(self, requests)
        due = await self.outbox.due(self.clock.now())
        if not due:
            return []
        from seminarbot.scheduling.missed import Missed, settle

        outcomes, missed = [], Missed()
        for item in due:
            if (item.cohort_id, item.session_id) in in_hand | self.posting_now \
                    and item.kind == "prompt":
                continue  # a moderator's /seminar post has these
            try:
                cohort = await self.cohorts.get(item.cohort_id)
                if cohort.platform in self.posters:
                    outcomes.append(await self._handle(cohort, item, missed))
            except Damaged as error:  # its rows wait; the other cohorts' go on
                said(error)
        await settle(self, missed, self.clock.now())
        return outcomes

    async def _housekeep(self) -> None:
        for task in self.housekeeping:
            try:
                await task(self.clock.now())
            except Exception:
                log.exception("housekeeping task %s failed; posting goes on",
                              getattr(task, "__name__", type(task).__name__))

    async def post_session_now(self, cohort: Cohort, session: Session,
                               by: str = SYSTEM_ACTOR, prefix: str = "/") -> PostedNow:
        """A moderator's /seminar post (scheduling.post_now)."""
        from seminarbot.scheduling.post_now import post_session_now

        return await post_session_now(self, cohort, session, by, prefix)

    async def _handle(self, cohort: Cohort, item: OutboxItem, missed: Missed) -> PostOutcome:
        from seminarbot.scheduling.delivery import not_to_send
        from seminarbot.scheduling.missed import if_missed

        if self.plan.planned(item.session_id, "" if item.kind == "digest" else item.item) is None:
            await self.outbox.skip(item.id, NOT_IN_PLAN)
            await self._report(cohort, item, f"{item.kind} skipped", NOT_IN_PLAN)
            return PostOutcome(item, OutboxState.SKIPPED, NOT_IN_PLAN)
        if (outcome := await if_missed(self, cohort, item, missed)) is not None:
            return outcome
        if (reason := await not_to_send(self.outbox, cohort, item)) is not None:
            await self.outbox.skip(item.id, reason)
            return PostOutcome(item, OutboxState.SKIPPED, reason)
        outcome = await self.send(cohort, item)
        if item.kind == "prompt" and outcome.state is OutboxState.POSTED \
                and self.clock.now() - item.due_at >= LATE:
            # Opened late (after downtime): the last session closes a week after it opens, so
            # its reminder and digest are planned again from then (helper-196's 4).
            missed.replan(cohort)
        return outcome

    async def send(self, cohort: Cohort, item: OutboxItem) -> PostOutcome:
        """The one way a row is sent (the loop, a moderator's post, an interrupted one)."""
        from seminarbot.scheduling.delivery import deliver

        if self.plan.planned(item.session_id, "" if item.kind == "digest" else item.item) is None:
            await self.outbox.skip(item.id, NOT_IN_PLAN)  # nothing to send: never a crash
            return PostOutcome(item, OutboxState.SKIPPED, NOT_IN_PLAN)
        if not await self.outbox.claim(item.id, self.clock.now()):
            return PostOutcome(item, item.state, "claimed elsewhere")
        try:
            ref = await deliver(self, cohort, item)
        except PostError as error:
            attempts = item.attempts + 1
            retry = None
            if error.retryable and attempts < MAX_ATTEMPTS:
                retry = self.clock.now() + timedelta(minutes=2 ** attempts)
            await self.outbox.release(item.id, error.reason, retry)
            when = f"; retrying at {describe_local(retry, cohort.rule.zone)}" if retry else \
                "; not retried"
            # Told at the first failure and the last, not at each try between (helper-187's 9:
            # an outage repeated its notice at every retry); each is in the audit log.
            await self._report(cohort, item, f"{item.kind} failed", error.reason + when,
                               tell=attempts == 1 or retry is None)
            return PostOutcome(item, OutboxState.PENDING if retry else OutboxState.FAILED,
                               error.reason)
        except Unavailable:
            raise  # the loop looks again shortly; the row is released at the next start
        except Exception:  # a fault of ours in one row must not stop every seminar's posts
            log.exception("sending outbox row %s failed", item.id)
            await self.outbox.release(item.id, OUR_FAULT, None)
            await self._report(cohort, item, f"{item.kind} failed", OUR_FAULT)
            return PostOutcome(item, OutboxState.FAILED, OUR_FAULT)
        await self.outbox.complete(item.id, ref.message_id, ref.thread_id, self.clock.now())
        if item.kind == "prompt":  # what was written to it before it was recorded
            await claimed.read_back(self.posters[cohort.platform], cohort,
                                    ref.thread_id or ref.message_id)
        return PostOutcome(item, OutboxState.POSTED)

    async def _report(self, cohort: Cohort, item: OutboxItem, action: str, reason: str, *,
                      tell: bool = True) -> None:
        await self.audit.record(at=self.clock.now(), platform=cohort.platform,
                                actor_id=SYSTEM_ACTOR, actor_name=SYSTEM_ACTOR, action=action,
                                outcome="failed", cohort_id=cohort.id,
                                detail={"session": item.session_id, "kind": item.kind,
                                        "item": item.item, "reason": reason})
        if tell:
            await self.notices.failed(cohort, item, action, reason)

    async def _notify(self, cohort: Cohort, items: list[OutboxItem], action: str,
                      reason: str) -> None:
        from seminarbot.scheduling.messages import fitted, items_named

        if cohort.state is not CohortState.FINISHED:
            await tell_moderators(self.posters, cohort, fitted(
                f"{items_named(self.plan, items)}: {action} — {reason}"))

