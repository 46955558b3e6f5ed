"""/seminar stats [sessions|participants]: participation per session, with a PNG chart, and
per participant for moderators."""

from __future__ import annotations

from seminarbot.clock import parse_instant
from seminarbot.core.commands import Command, Param
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import Choice
from seminarbot.core.replies import Attachment, Reply, Table, Verbatim
from seminarbot.domain.chart import Bar, participation_chart
from seminarbot.domain.errors import Forbidden
from seminarbot.domain.filenames import safe_filename
from seminarbot.domain.progress import SessionState, progress
from seminarbot.domain.schedule import describe_local
from seminarbot.domain.stats import SessionStats, StatsBuilder, format_median
from seminarbot.features.common import cohort_here
from seminarbot.services.container import Services

VIEWS = ("sessions", "participants")
_LEFT_OUT = "Deleted responses and those of participants who opted out are not counted."


async def stats(inv: Invocation[Services]) -> Reply:
    app = inv.app
    view = inv.arg("view") or "sessions"
    if view == "participants" and not inv.actor.is_moderator:
        raise Forbidden("Only moderators see statistics per participant; "
                        f"{inv.prefix}seminar stats shows them per session.")
    cohort = await cohort_here(inv)
    builder = StatsBuilder()
    async for page in app.stats.rows(cohort.id):
        for row in page:
            builder.add(row.session_id, row.participant_id, row.display_name, row.body,
                        row.written_at)
    if view == "participants":
        people = builder.participants()
        rows = tuple((Verbatim(p.name) if p.name else f"participant {p.participant_id}",
                      str(p.responses),
                      str(p.sessions), format_median(p.median_words),
                      describe_local(parse_instant(p.last_written), cohort.rule.zone))
                     for p in people)
        return Reply(title=f"Participation by person ({len(rows)})", private=True,
                        table=Table(("participant", "responses", "sessions", "median words",
                                     "last response"), rows),
                        footer=_LEFT_OUT)
    sessions = builder.sessions(app.syllabus.plan)
    waiting = await _not_posted(inv, cohort.id)
    rows = tuple(_row(s, s.session_id not in waiting) for s in sessions)
    title = f"Participation: {app.syllabus.plan.title}"
    chart = participation_chart(title, [Bar(str(s.number or s.session_id), s.participants,
                                            s.responses, s.session_id not in waiting)
                                        for s in sessions])
    stamp = inv.clock.now().strftime("%Y%m%d-%H%M")
    name = safe_filename(f"participation-{cohort.name or cohort.channel_id}-{stamp}", "png")
    footer = "Median length is in words. " + _LEFT_OUT
    if inv.actor.is_moderator:
        footer += f" Per participant: {inv.prefix}seminar stats participants."
    return Reply(title=title,
                    table=Table(("#", "session", "participants", "responses", "median words"),
                                rows),
                    attachments=(Attachment(name, chart, "image/png"),), footer=footer)


async def _not_posted(inv: Invocation[Services], cohort_id: int) -> set[str]:
    """The sessions none of whose prompts has gone out yet."""
    entries = progress(inv.app.syllabus.plan, await inv.app.outbox.for_cohort(cohort_id))
    return {e.session.id for e in entries if e.posted_at is None
            and e.state not in (SessionState.POSTED, SessionState.POSTING)}


def _row(stats: SessionStats, posted: bool) -> tuple[str, str, str, str, str]:
    if not posted and not stats.responses:
        return (str(stats.number), stats.title, "not posted yet", "–", "–")
    return (str(stats.number or "–"), stats.title, str(stats.participants),
            str(stats.responses), format_median(stats.median_words))


def commands() -> list[Command]:
    return [
        Command(("seminar", "stats"), "Show participation per session (moderators: per person)",
                stats, params=(Param("view", Choice(VIEWS),
                                     "sessions, or participants (moderators only)",
                                     required=False),)),
    ]
