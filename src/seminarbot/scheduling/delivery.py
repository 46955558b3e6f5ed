"""What a due outbox row sends (scheduling/loop.py claims it first and records it after): a
prompt as the post the platform renders, a reminder in its prompt's thread with the responses
so far, or the moderators' digest of a session that closed. Loaded with the first post due."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from seminarbot.core.replies import PromptPost
from seminarbot.domain.models import Cohort, OutboxItem, OutboxState
from seminarbot.domain.planning import closed_at, closes_at
from seminarbot.domain.progress import SessionProgress, progress
from seminarbot.domain.schedule import describe_local
from seminarbot.domain.syllabus import Plan
from seminarbot.scheduling.messages import digest_text, reminder_text
from seminarbot.scheduling.poster import PostedRef, PostError
from seminarbot.storage.outbox import OutboxRepository

if TYPE_CHECKING:
    from seminarbot.scheduling.loop import Scheduler


async def deliver(scheduler: Scheduler, cohort: Cohort, item: OutboxItem) -> PostedRef:
    """Send the row through the cohort's platform's poster. Raises what the poster raises
    (scheduling.poster.PostError)."""
    poster = scheduler.posters[cohort.platform]
    plan, responses = scheduler.plan, scheduler.responses
    if item.kind == "prompt":
        return await poster.post_prompt(prompt_post(plan, cohort, item))
    if item.kind == "reminder":
        posts = await scheduler.outbox.for_cohort(cohort.id)
        thread = _thread_in(posts, item)
        assert thread is not None  # the loop skips a reminder whose prompt was never posted
        count, people = await responses.count_for_prompt(cohort.id, item.item)
        names = [poster.literal(name) for name in await responses.names_for_prompt(
            cohort.id, item.item)] if cohort.reminder_names else None
        entries = progress(plan, posts)
        close, closed = _close(entries, item, scheduler.clock.now())
        was = _announced_before(posts, item)
        zone = cohort.rule.zone
        text = reminder_text(describe_local(close, zone), count, people, names, closed=closed,
                             was=describe_local(was, zone) if was and was != close else None,
                             last=_last(entries, item.session_id))
        await scheduler.outbox.announce(item.id, close)
        return await poster.post_in_thread(cohort, thread, text)
    if item.kind != "digest":  # storage reads no other (storage/outbox.py)
        raise ValueError(f"outbox row {item.id} has no kind to post: {item.kind!r}")
    session = plan.session(item.session_id)
    rows = []
    for prompt in session.prompts:
        count, people = await responses.count_for_prompt(cohort.id, prompt.id)
        rows.append((prompt.ref, count, people))
    total = await responses.participants_for_session(cohort.id, session.id)
    if not await poster.notify_moderators(cohort, digest_text(session, rows, total)):
        raise PostError("the digest reached no place the moderators read (see the log)",
                        retryable=True)
    return PostedRef(message_id=f"digest-{item.id}")


def _close(entries: list[SessionProgress], item: OutboxItem, now: datetime
           ) -> tuple[datetime, bool | None]:
    """The close a reminder states, and whether the session has closed (True), closes now
    (None: the next session's post is due and not yet out, after downtime, helper-194's 1), or
    is still to close (False). A session closes when the next one actually opens (README:
    Scheduling), not when that one was due."""
    closed = closed_at(entries, item.session_id)
    if closed is not None and closed <= now:  # (the last session's is its close to come)
        return closed, True
    close = closes_at(entries, item.session_id) or item.due_at
    return (now, None) if close <= now else (close, False)


def _last(entries: list[SessionProgress], session_id: str) -> bool:
    """Whether no session opens, or is to open, after this one (it closes a week after it
    opens: domain.planning.LAST_SESSION_LENGTH)."""
    start = next((e.opened_at for e in entries if e.session.id == session_id), None)
    return start is not None and not any(
        other and other > start for other in (e.opened_at or e.due_at for e in entries))


def _announced_before(rows: list[OutboxItem], item: OutboxItem) -> datetime | None:
    """The close the last reminder sent before `item` (a round of the same prompt's) stated."""
    sent = [row for row in rows if row.kind == "reminder" and row.session_id == item.session_id
            and row.item == item.item and row.round < item.round and row.announced is not None
            and row.state is OutboxState.POSTED]
    return max(sent, key=lambda row: row.round).announced if sent else None


async def not_to_send(outbox: OutboxRepository, cohort: Cohort, item: OutboxItem
                      ) -> str | None:
    """Why a due reminder or digest is not sent after all, or None: its prompt (or, for a
    digest, its session) was never posted, or it was owed (its session closed while the
    seminar was paused) and is turned off now (domain.planning keeps it owed until it goes:
    helper-165's 1)."""
    if item.kind == "reminder" and cohort.reminder_before is None:
        return "reminders are off"
    if item.kind == "digest" and not cohort.digest:
        return "the digest is off"
    if item.kind == "reminder" and await prompt_thread(outbox, item) is None:
        return "its prompt was never posted"
    if item.kind == "digest" and not any(
            row.kind == "prompt" and row.session_id == item.session_id
            and row.state is OutboxState.POSTED for row in await outbox.for_cohort(item.cohort_id)):
        return "its session was never posted"  # (helper-175's 12: "0 participants")
    return None


async def prompt_thread(outbox: OutboxRepository, item: OutboxItem) -> str | None:
    """Where the reminder `item` goes: its prompt's thread (or, without one, the prompt's own
    message), once that prompt is posted; None before."""
    return _thread_in(await outbox.for_cohort(item.cohort_id), item)


def _thread_in(rows: list[OutboxItem], item: OutboxItem) -> str | None:
    for row in rows:
        if row.kind == "prompt" and row.session_id == item.session_id \
                and row.item == item.item and row.state is OutboxState.POSTED:
            return row.thread_id or row.message_id
    return None


def prompt_post(plan: Plan, cohort: Cohort, item: OutboxItem) -> PromptPost:
    """The prompt row `item` as the platform's poster takes it (core.replies.PromptPost)."""
    session = plan.session(item.session_id)
    prompt = next(p for p in session.prompts if p.id == item.item)
    return PromptPost(
        cohort_id=cohort.id, channel_id=cohort.channel_id, session_number=session.number,
        session_title=session.title, prompt_id=prompt.id, prompt_ref=prompt.ref,
        kind=prompt.kind, text=prompt.text, follow_ups=prompt.follow_ups,
        suggested_words=prompt.suggested_words, sections=prompt.sections, mode=prompt.mode,
        idempotency_key=item.idempotency_key,
    )
