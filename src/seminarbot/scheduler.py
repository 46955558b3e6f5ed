"""One loop for every cohort: sleep until the earliest due post, claim it, send it, record it.

A post is an outbox row. It is claimed (committed) before sending and completed with the
platform's message id after; a row found claimed at start-up is reconciled with the platform,
never blindly sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from seminarbot.clock import Clock
from seminarbot.core.responses import PromptPost
from seminarbot.domain.models import Cohort, CohortState, OutboxItem, OutboxState
from seminarbot.domain.progress import SessionState, progress
from seminarbot.domain.schedule import describe_local
from seminarbot.domain.syllabus import Plan, Session
from seminarbot.posting import Poster, PostError
from seminarbot.storage.audit import AuditLog
from seminarbot.storage.cohorts import CohortRepository
from seminarbot.storage.db import Database
from seminarbot.storage.outbox import OutboxRepository

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SYSTEM_ACTOR = "seminarbot"
# The idle loop wakes at least this often, so housekeeping runs even with no post due.
IDLE_WAKE = timedelta(hours=1)
Housekeeping = Callable[[datetime], Awaitable[object]]


@dataclass(frozen=True)
class PostOutcome:
    item: OutboxItem
    state: OutboxState
    detail: str = ""


class Scheduler:
    def __init__(self, *, db: Database, cohorts: CohortRepository, outbox: OutboxRepository,
                 audit: AuditLog, plan: Plan, clock: Clock, posters: dict[str, Poster],
                 grace: timedelta = timedelta(hours=6)) -> None:
        self.db, self.cohorts, self.outbox, self.audit = db, cohorts, outbox, audit
        self.plan, self.clock, self.posters, self.grace = plan, clock, posters, grace
        self._wake = asyncio.Event()
        self._to_reconcile: set[str] = set()
        # Tasks run on every pass of the loop, before posting (the retention sweep).
        self.housekeeping: list[Housekeeping] = []

    def attach(self, poster: Poster) -> None:
        """An adapter is ready to post: its claimed rows are reconciled before it posts again.
        Attaching the same platform twice (a reconnect) changes nothing else."""
        if self.posters.get(poster.platform) is not poster:
            self.posters[poster.platform] = poster
            self._to_reconcile.add(poster.platform)
        self.wake()

    # -- planning -----------------------------------------------------------------------

    async def plan_cohort(self, cohort: Cohort, not_before: datetime) -> None:
        """Give every session not yet posted the next free weekly slot at or after not_before.

        Posted, skipped and failed sessions keep their rows. Call inside a transaction.
        """
        items = await self.outbox.for_cohort(cohort.id)
        entries = progress(self.plan, items)
        last_taken = max((e.due_at for e in entries
                          if e.due_at and e.state not in (SessionState.SCHEDULED,
                                                          SessionState.UNSCHEDULED)),
                         default=None)
        floor = not_before
        if last_taken is not None:
            floor = max(not_before, last_taken + timedelta(days=1))
        week = cohort.rule.first_week_at_or_after(floor)
        for entry in entries:
            if entry.state not in (SessionState.SCHEDULED, SessionState.UNSCHEDULED):
                continue
            await self.outbox.schedule(cohort.id, entry.session.id, "prompt",
                                       [p.id for p in entry.session.prompts],
                                       cohort.rule.slot(week))
            week += 1
        self.wake()

    # -- the loop -----------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        while True:
            self._wake.clear()
            await self.run_due()
            next_at = await self.outbox.next_due_at()
            timeout = IDLE_WAKE.total_seconds()
            if next_at is not None:
                timeout = min(timeout, max(0.0, (next_at - self.clock.now()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def reconcile(self) -> list[PostOutcome]:
        """Settle rows a crash left claimed: recorded if the platform has them, else pending."""
        platforms, self._to_reconcile = set(self._to_reconcile) | set(self.posters), set()
        outcomes = []
        for item in await self.outbox.claimed():
            cohort = await self.cohorts.get(item.cohort_id)
            poster = self.posters.get(cohort.platform)
            if poster is None or cohort.platform not in platforms:
                continue
            found = await poster.find_post(cohort.channel_id, item.idempotency_key)
            if found is not None:
                await self.outbox.complete(item.id, found.message_id, found.thread_id,
                                           self.clock.now())
                outcomes.append(PostOutcome(item, OutboxState.POSTED, "found on the platform"))
            else:
                await self.outbox.release(item.id, "interrupted before it was sent", item.due_at)
                outcomes.append(PostOutcome(item, OutboxState.PENDING, "not found; will send"))
        return outcomes

    async def run_due(self) -> list[PostOutcome]:
        if self._to_reconcile:
            await self.reconcile()
        await self._housekeep()
        outcomes = []
        for item in await self.outbox.due(self.clock.now()):
            cohort = await self.cohorts.get(item.cohort_id)
            if cohort.platform in self.posters:
                outcomes.append(await self._handle(cohort, item))
        return outcomes

    async def _housekeep(self) -> None:
        for task in self.housekeeping:
            try:
                await task(self.clock.now())
            except Exception:
                log.exception("housekeeping task %r failed; posting goes on", task)

    async def post_session_now(self, cohort: Cohort, session: Session) -> list[PostOutcome]:
        """A moderator's /seminar post: move the session's pending rows to now and send them."""
        now = self.clock.now()
        await self.outbox.schedule(cohort.id, session.id, "prompt",
                                   [p.id for p in session.prompts], now)
        outcomes = []
        for item in await self.outbox.for_cohort(cohort.id):
            if item.session_id == session.id and item.state is OutboxState.PENDING:
                outcomes.append(await self._send(cohort, item))
        return outcomes

    async def _handle(self, cohort: Cohort, item: OutboxItem) -> PostOutcome:
        late = self.clock.now() - item.due_at
        if late > self.grace:
            reason = (f"missed: due {describe_local(item.due_at, cohort.rule.zone)}, more than "
                      f"{_hours(self.grace)} ago (the bot was down)")
            await self.outbox.skip(item.id, reason)
            await self._report(cohort, item, "post skipped", reason)
            return PostOutcome(item, OutboxState.SKIPPED, reason)
        return await self._send(cohort, item)

    async def _send(self, cohort: Cohort, item: OutboxItem) -> PostOutcome:
        poster = self.posters[cohort.platform]
        if not await self.outbox.claim(item.id, self.clock.now()):
            return PostOutcome(item, item.state, "claimed elsewhere")
        try:
            ref = await poster.post_prompt(self._prompt_post(cohort, item))
        except PostError as error:
            attempts = item.attempts + 1
            retry = None
            if error.retryable and attempts < MAX_ATTEMPTS:
                retry = self.clock.now() + timedelta(minutes=2 ** attempts)
            await self.outbox.release(item.id, error.reason, retry)
            await self._report(cohort, item, "post failed", error.reason +
                               (f"; retrying at {describe_local(retry, cohort.rule.zone)}"
                                if retry else "; not retried"))
            return PostOutcome(item, OutboxState.PENDING if retry else OutboxState.FAILED,
                               error.reason)
        await self.outbox.complete(item.id, ref.message_id, ref.thread_id, self.clock.now())
        return PostOutcome(item, OutboxState.POSTED)

    def _prompt_post(self, cohort: Cohort, item: OutboxItem) -> PromptPost:
        session = self.plan.session(item.session_id)
        prompt = next(p for p in session.prompts if p.id == item.item)
        return PromptPost(
            cohort_id=cohort.id, channel_id=cohort.channel_id, session_number=session.number,
            session_title=session.title, prompt_id=prompt.id, prompt_ref=prompt.ref,
            kind=prompt.kind, text=prompt.text, follow_ups=prompt.follow_ups,
            suggested_words=prompt.suggested_words, sections=prompt.sections,
            idempotency_key=item.idempotency_key,
        )

    async def _report(self, cohort: Cohort, item: OutboxItem, action: str, reason: str) -> None:
        await self.audit.record(at=self.clock.now(), platform=cohort.platform,
                                actor_id=SYSTEM_ACTOR, actor_name=SYSTEM_ACTOR, action=action,
                                outcome="failed", cohort_id=cohort.id,
                                detail={"session": item.session_id, "prompt": item.item,
                                        "reason": reason})
        poster = self.posters.get(cohort.platform)
        if poster is not None and cohort.state is not CohortState.FINISHED:
            session = self.plan.session(item.session_id)
            await poster.notify_moderators(
                cohort, f"Session {session.number} prompt {item.item}: {action} — {reason}")


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")
