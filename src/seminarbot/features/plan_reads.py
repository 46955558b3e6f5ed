"""What a change to a running schedule reads and re-plans (features.schedule_changes,
features.skipping): each session's progress, when the ones still to post are planned, and the
re-plan itself (scheduling, domain.planning)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from seminarbot.core.invocation import Invocation
from seminarbot.domain.models import Cohort, CohortState
from seminarbot.domain.planning import Planned
from seminarbot.domain.progress import SessionProgress, SessionState, progress
from seminarbot.domain.schedule import describe_day, local_to_utc
from seminarbot.features.schedule_notes import (
    change_notes,
    emptied_by,
    kept_instants,
    moved_dates,
    passed_over,
)
from seminarbot.services.container import Services


async def replan(inv: Invocation[Services], cohort_id: int) -> tuple[Cohort, Planned]:
    """The cohort as the change left it, and its posts planned again from now."""
    cohort = await inv.app.cohorts.get(cohort_id)
    return cohort, await inv.app.scheduler.plan_cohort(cohort, inv.clock.now())


async def entries_of(inv: Invocation[Services], cohort: Cohort) -> list[SessionProgress]:
    """Each session of the plan with its state in `cohort` (domain.progress)."""
    return progress(inv.app.syllabus.plan, await inv.app.outbox.for_cohort(cohort.id))


def planned_starts(entries: list[SessionProgress]) -> dict[str, datetime]:
    """Session id → when it is due, for the sessions still to post that have a date."""
    return {e.session.id: e.due_at for e in entries
            if e.state is SessionState.SCHEDULED and e.due_at}


def meeting_at(cohort: Cohort, day: date) -> datetime:
    """When the meeting on `day` is (or would be), by the cohort's rule."""
    return local_to_utc(day, cohort.rule.local_time, cohort.rule.zone)


def in_force(cohort: Cohort, day: date, now: datetime) -> bool:
    """Whether a skip of `day` stands for a meeting still to come: a day the cohort meets on,
    from its start date (not one skipped before a reschedule to other days or a later start),
    not gone by."""
    rule = cohort.rule
    return day.weekday() in rule.weekdays and day >= rule.start_date \
        and meeting_at(cohort, day) >= now


def dates_moved(before: dict[str, datetime], planned: Planned, cohort: Cohort,
                leave_out: Iterable[str] = ()) -> list[str]:
    """`Session 2 moves to …` for each session whose date the change moved, a line each in one
    paragraph; none while the seminar is paused, when no session has a date until it resumes
    (as `/seminar schedule` shows)."""
    moved = _moves(before, planned, cohort, leave_out)
    return [] if not moved else \
        ["\n".join(moved), *passed_over(before, planned, cohort.rule.zone, leave_out)]


MOVES_LISTED = 3  # a re-plan's reply names at most this many moved sessions, else counts


def listed_moves(before: dict[str, datetime], planned: Planned, cohort: Cohort, prefix: str,
                 leave_out: Iterable[str] = ()) -> list[str]:
    """`dates_moved`, or how many moved where they are more than MOVES_LISTED (a reschedule's
    or a resume's reply: every session may move)."""
    moved = _moves(before, planned, cohort, leave_out)
    if len(moved) > MOVES_LISTED:
        return [f"{len(moved)} sessions move to the new meetings; {prefix}seminar schedule "
                "lists their dates."]
    return ["\n".join(moved)] if moved else []  # kept_through_change says what stays empty


def _moves(before: dict[str, datetime], planned: Planned, cohort: Cohort,
           leave_out: Iterable[str]) -> list[str]:
    if cohort.state is CohortState.PAUSED:
        return []
    return moved_dates(before, planned, cohort.rule.zone, leave_out)


def notes_for(planned: Planned, cohort: Cohort, focus: str | None = None) -> list[str]:
    """What every change's reply says after it (schedule_notes.change_notes) for `cohort` as
    the change left it: no date while it is paused."""
    return change_notes(planned, cohort.rule.zone, cohort.min_open, focus,
                        paused=cohort.state is CohortState.PAUSED)


def unused_meetings(cohort: Cohort, instants: set[datetime], skipped: Iterable[date],
                    now: datetime) -> list[date]:
    """Meetings from `now` to the last session still to come that no session takes and nobody
    skipped: after a session moved later (the ones after it follow it), or where the minimum
    open time keeps the next session off a meeting. `instants`: when the sessions still to
    post are due; a meeting is taken by the session due on its day, or at its instant."""
    taken = {cohort.rule.day_of(at) for at in instants}
    if not taken:
        return []
    first = max(now.astimezone(cohort.rule.zone).date(), cohort.rule.start_date)
    last, left_out = max(taken), set(skipped) | taken
    days = (first + timedelta(days=n) for n in range((last - first).days))
    return [d for d in days if d.weekday() in cohort.rule.weekdays and d not in left_out
            and meeting_at(cohort, d) > now  # at `now` it is under way: not to come
            and meeting_at(cohort, d) not in instants]


def days_listed(days: Sequence[date], shown: int) -> str:
    """`Tue 15 Dec 2026, Tue 29 Dec 2026 and 3 more`: the first `shown` of `days`, the rest
    counted."""
    more = f" and {len(days) - shown} more" if len(days) > shown else ""
    return ", ".join(map(describe_day, days[:shown])) + more


SHOWN = 3  # dates named in a change's reply; the rest counted


async def kept_through_change(inv: Invocation[Services], cohort: Cohort, planned: Planned
                              ) -> list[str]:
    """After a re-plan of every session (setup again, reschedule, resume), what it kept:
    moved sessions their moment (kept_instants); the dates a moderator skipped that the
    meetings fall on, still to come, their skip (helper-156's 9: a first meeting went a week
    later, unsaid); and why meetings have no session (helper-149's 3)."""
    now, rule = inv.clock.now(), cohort.rule
    skips = await inv.app.cohorts.skips(cohort.id)
    kept = [(day, by) for day, by in sorted(skips.items()) if in_force(cohort, day, now)]
    notes = kept_instants(planned, rule.zone)
    if skipped := [day for day, by in kept if by is None]:
        one = len(skipped) == 1
        again = f"{inv.prefix}seminar skip {skipped[0].isoformat() if one else 'DATE'} --undo"
        notes.append(f"Still skipped, so no meeting then: {days_listed(skipped, SHOWN)}. "
                     f"{again} makes {'it' if one else 'one'} a meeting again.")
    if left := [(day, by) for day, by in kept if by is not None
                and meeting_at(cohort, day) not in planned.starts.values()][:SHOWN]:
        moves = await inv.app.cohorts.moves(cohort.id, rule.zone)  # (helper-157's 7)
        notes += [f"{describe_day(day)} stays empty ({emptied_by(inv.app.syllabus.plan, by, moves)}"
                  f"; {inv.prefix}seminar skip {day.isoformat()} --undo gives it back)."
                  for day, by in left]
    waiting = {at for s, at in planned.starts.items() if s not in planned.opened}
    if cohort.state is not CohortState.PAUSED \
            and (free := unused_meetings(cohort, waiting, skips.keys(), now)):
        notes.append(f"Meetings with no session: {days_listed(free, SHOWN)}: none in the "
                     "plan's order can take them (one was moved later, or the minimum open time "
                     f"keeps the next off them); {inv.prefix}seminar move puts one there.")
    return notes
