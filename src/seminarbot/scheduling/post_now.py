"""A moderator's "post this session now", made durable.

The request is committed before anything is sent: the session's prompts become due at once
and a row in post_requests says who asked. If the process dies half-way (the platform may
already show the first prompt), the next start reconciles what was claimed, posts the rest
(however late, paused or not: a half-posted session is worse than a late one) and tells the
moderators what happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from seminarbot.domain.display import embedded
from seminarbot.domain.errors import Conflict, Damaged
from seminarbot.domain.models import SYSTEM_ACTOR, Cohort, OutboxItem, OutboxState
from seminarbot.domain.planning import Planned
from seminarbot.domain.progress import SessionProgress, SessionState, progress
from seminarbot.domain.schedule import describe_local, describe_span, earliest_apart, far_enough
from seminarbot.domain.syllabus import Session
from seminarbot.scheduling.missed import latest_opened, was_missed
from seminarbot.scheduling.poster import tell_moderators
from seminarbot.scheduling.replan import preview, replan
from seminarbot.storage.damage import said
from seminarbot.storage.post_requests import PostRequest

if TYPE_CHECKING:
    from seminarbot.scheduling.loop import PostOutcome, Scheduler


@dataclass(frozen=True)
class PostedNow:
    outcomes: list[PostOutcome]
    planned: Planned


async def post_session_now(scheduler: Scheduler, cohort: Cohort, session: Session,
                           by: str, prefix: str = "/") -> PostedNow:
    """Send the session's prompts now (a skipped or failed one too). The meeting it was
    planned for stays empty, so the other sessions keep their dates, but those that waited
    behind it (it had been moved later) come forward. Refused (Conflict) if
    it has opened already or the last session opened less than the minimum open time ago."""
    if cohort.platform not in scheduler.posters:
        raise Conflict(f"This seminar's {cohort.platform} connection is not up right now, "
                       "so nothing was posted; the schedule will post it once it is.")
    key = (cohort.id, session.id)
    if key in scheduler.posting_now:
        raise Conflict(f"Session {session.number} is being posted right now.")
    # From here the loop keeps off this session's rows, even between our commit and our sends.
    scheduler.posting_now.add(key)
    try:
        vacated, dates = await _request(scheduler, cohort, session, by, prefix)
        outcomes = await _send_session(scheduler, cohort, session.id)
    finally:
        scheduler.posting_now.discard(key)
    async with scheduler.db.transaction():
        await scheduler.requests.remove(cohort.id, session.id)
        if vacated is not None:
            await _keep_empty_if_it_keeps_dates(scheduler, cohort, dates, vacated,
                                                scheduler.clock.now())
        planned = await replan(scheduler, await scheduler.cohorts.get(cohort.id),
                               scheduler.clock.now())
    return PostedNow(outcomes, planned)


async def _request(scheduler: Scheduler, cohort: Cohort, session: Session, by: str,
                   prefix: str) -> tuple[date | None, dict[str, datetime | None]]:
    """Checked and written down in one transaction: the session's prompts are due now, the
    meeting it leaves stays empty, and post_requests says who asked. Returns that meeting's
    date (None if none is left empty) and the other sessions' dates before."""
    now = scheduler.clock.now()
    async with scheduler.db.transaction():
        items = await scheduler.outbox.for_cohort(cohort.id)
        entries = progress(scheduler.plan, items)
        entry = next(e for e in entries if e.session == session)
        rows = [i for i in items if i.session_id == session.id and i.kind == "prompt"]
        if any(i.state in (OutboxState.POSTED, OutboxState.CLAIMED) for i in rows):
            raise Conflict(f"Session {session.number} has been posted already; each session "
                           "is posted once.")
        _check_min_open(entries, cohort, session, now, prefix)
        vacated = await _vacate(scheduler, cohort, entry, now)
        plan = scheduler.plan  # a prompt the plan no longer has stays skipped
        await scheduler.outbox.reopen([
            i.id for i in rows if i.state in (OutboxState.SKIPPED, OutboxState.FAILED)
            and plan.planned(i.session_id, i.item)])
        # The session open until now closes now: what it missed as late while nothing after
        # it was to open is owed again, due now (the notice said so: missed.notice).
        closing = latest_opened(entries)
        await scheduler.outbox.reopen([i.id for i in items if i.session_id == closing
                                       and i.kind != "prompt" and was_missed(i)])
        await scheduler.outbox.schedule(cohort.id, session.id, "prompt",
                                        [p.id for p in session.prompts], now)
        await scheduler.requests.add(PostRequest(cohort.id, session.id, by, now))
    return vacated, {e.session.id: e.due_at for e in entries
                     if e.state is SessionState.SCHEDULED and e.session != session}


def _check_min_open(entries: list[SessionProgress], cohort: Cohort, session: Session,
                    now: datetime, prefix: str) -> None:
    opened = [e for e in entries if e.opened_at is not None and e.opened_at <= now]
    if not opened:
        return
    last = max(opened, key=lambda e: e.opened_at or now)
    assert last.opened_at is not None
    zone = cohort.rule.zone
    if far_enough(last.opened_at, now, zone, cohort.min_open, cohort.rule.local_time):
        return
    earliest = earliest_apart(last.opened_at, cohort.min_open, zone, cohort.rule.local_time)
    raise Conflict(
        f"Session {last.session.number} opened {describe_local(last.opened_at, zone)}, and "
        f"each session stays open at least {describe_span(cohort.min_open)} before the next "
        f"one opens; session {session.number} can be posted from {describe_local(earliest, zone)}.",
        more=(f"A moderator can change the minimum with {prefix}seminar min-open.",))


async def _vacate(scheduler: Scheduler, cohort: Cohort, entry: SessionProgress,
                  now: datetime) -> date | None:
    """The meeting the session leaves stays empty (a skip naming it, its date returned); a
    move is done with."""
    moves = await scheduler.cohorts.moves(cohort.id, cohort.rule.zone)
    session_id = entry.session.id
    day = None
    if entry.state is SessionState.SCHEDULED and entry.due_at and entry.due_at > now \
            and session_id not in moves:
        day = cohort.rule.day_of(entry.due_at)
        await scheduler.cohorts.add_skip(cohort.id, day, session_id)
    await scheduler.cohorts.remove_move(cohort.id, session_id)
    return day


async def _keep_empty_if_it_keeps_dates(scheduler: Scheduler, cohort: Cohort,
                                        dates: dict[str, datetime | None], day: date,
                                        now: datetime) -> None:
    """The meeting left empty is there so that the other sessions keep their dates. Where
    fewer keep them with it than without (the minimum open time after this post moves them
    all anyway), it would only add a week: it is a meeting again (helper-173's 1)."""
    skips = dict(await scheduler.cohorts.skips(cohort.id))

    def kept(planned: Planned) -> int:
        return sum(planned.starts.get(s) == at for s, at in dates.items())

    with_it = await preview(scheduler, cohort, now, skips=skips)
    del skips[day]
    if kept(await preview(scheduler, cohort, now, skips=skips)) > kept(with_it):
        await scheduler.cohorts.remove_skip(cohort.id, day)


async def _send_session(scheduler: Scheduler, cohort: Cohort,
                        session_id: str) -> list[PostOutcome]:
    """Send the session's pending prompts now."""
    outcomes = []
    async with scheduler.notices.batch():
        for item in await scheduler.outbox.for_cohort(cohort.id):
            if item.session_id == session_id and item.kind == "prompt" \
                    and item.state is OutboxState.PENDING:
                outcomes.append(await scheduler.send(cohort, item))
    return outcomes


async def finish_interrupted(scheduler: Scheduler, requests: Sequence[PostRequest]
                             ) -> set[tuple[int, str]]:
    """The `requests` a process left behind (it died, or failed, while posting): post what is
    left, then tell the moderators and forget the request. Returns the sessions still in hand,
    whose rows the loop must leave alone."""
    in_hand = set()
    for request in requests:
        key = (request.cohort_id, request.session_id)
        in_hand.add(key)
        if key in scheduler.posting_now:
            continue
        try:
            cohort = await scheduler.cohorts.get(request.cohort_id)
        except Damaged as error:  # its rows wait; the other requests go on
            said(error)
            continue
        if cohort.platform not in scheduler.posters:
            continue
        rows = await _rows(scheduler, request)
        out_before = sum(row.state is OutboxState.POSTED for row in rows)
        now = scheduler.clock.now()
        for row in rows:
            if row.state is OutboxState.PENDING and row.due_at <= now:
                await scheduler.send(cohort, row)
        rows = await _rows(scheduler, request)
        if any(row.state in (OutboxState.PENDING, OutboxState.CLAIMED) for row in rows):
            continue  # a failed send waits for its retry
        await _tell(scheduler, cohort, request, rows, out_before)
        async with scheduler.db.transaction():
            await scheduler.requests.remove(cohort.id, request.session_id)
            await replan(scheduler, await scheduler.cohorts.get(cohort.id), now)
        in_hand.discard(key)
    return in_hand


async def _rows(scheduler: Scheduler, request: PostRequest) -> list[OutboxItem]:
    return [i for i in await scheduler.outbox.for_cohort(request.cohort_id)
            if i.session_id == request.session_id and i.kind == "prompt"]


async def _tell(scheduler: Scheduler, cohort: Cohort, request: PostRequest,
                rows: list[OutboxItem], out_before: int) -> None:
    zone = cohort.rule.zone
    session = scheduler.plan.session(request.session_id)
    posted = sum(row.state is OutboxState.POSTED for row in rows)
    had = "none" if out_before == 0 else f"{out_before}"
    # "as NAME asked", not "NAME's request": the console's user may be called "you". The name
    # as the platform shows typed words (Discord would draw its markup, rename its commands).
    poster = scheduler.posters.get(cohort.platform)
    name = embedded(request.requested_by)
    text = (f"Session {session.number}, “{session.title}”, was being posted, as "
            f"{poster.literal(name) if poster else name} asked "
            f"({describe_local(request.requested_at, zone)}), when the bot stopped: "
            f"{had} of its {len(rows)} prompts had gone out. "
            f"{posted - out_before} more went out on restart, "
            f"{describe_local(scheduler.clock.now(), zone)}.")
    failed = [row.item for row in rows if row.state is not OutboxState.POSTED]
    if failed:
        text += f" Not posted: {', '.join(failed)}; posting session {session.number} " \
            "again tries them again."
    await scheduler.audit.record(
        at=scheduler.clock.now(), platform=cohort.platform, actor_id=SYSTEM_ACTOR,
        actor_name=SYSTEM_ACTOR, action="post resumed", outcome="failed" if failed else "ok",
        cohort_id=cohort.id, detail={"session": session.id, "requested_by": request.requested_by,
                                     "out_before": out_before, "posted": posted})
    await tell_moderators(scheduler.posters, cohort, text)
