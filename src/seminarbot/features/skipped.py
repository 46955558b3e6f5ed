"""What `/seminar skip` checks of the dates already skipped (features.schedule_changes): a
date skipped twice, and the date `--undo` restores when none is given."""

from __future__ import annotations

from collections.abc import Container
from datetime import date

from seminarbot.core.invocation import Invocation
from seminarbot.domain.errors import BadArgument, Conflict
from seminarbot.domain.models import Cohort
from seminarbot.domain.schedule import local_to_utc
from seminarbot.domain.syllabus import Plan
from seminarbot.services.container import Services


def not_skipped_yet(day: date, skips: dict[date, str | None], plan: Plan, moved: Container[str],
                    prefix: str) -> None:
    """Raises Conflict when `day` is skipped already: by a moderator, or left empty by a
    session moved or posted early."""
    if day not in skips:
        return
    by = skips[day]
    why = "already skipped" if by is None else f"already empty ({emptied_by(plan, by, moved)})"
    raise Conflict(f"{day.strftime('%a %d %b %Y')} is {why}; {prefix}seminar skip "
                   f"{day.isoformat()} --undo makes it a meeting again.")


def emptied_by(plan: Plan, session_id: str, moved: Container[str]) -> str:
    """Why a skipped date has no meeting when a session left it: `session 1, due then, was
    posted early` (or `moved`, when the session is in `moved`)."""
    how = "moved" if session_id in moved else "posted early"
    return f"session {plan.session(session_id).number}, due then, was {how}"


async def only_skip_to_come(inv: Invocation[Services], cohort: Cohort) -> date:
    """The skipped date `skip --undo` restores when none is given: the one still to come."""
    rule, now = cohort.rule, inv.clock.now()
    days = sorted(d for d in await inv.app.cohorts.skips(cohort.id)
                  if local_to_utc(d, rule.local_time, rule.zone) >= now)
    if not days:
        raise Conflict("No meeting still to come is skipped, so there is nothing to restore.")
    if len(days) > 1:
        shown = [d.isoformat() for d in days]
        raise BadArgument("date", "the skipped date to restore, as YYYY-MM-DD",
                          hint=f"Skipped: {', '.join(shown[:-1])} and {shown[-1]}.")
    return days[0]
