"""/seminar export FORMAT [SESSION] [--since DATE] [--until DATE] [--participant WHO]."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from seminarbot.core.commands import Command, Param, Permission, Suggestion
from seminarbot.core.invocation import Invocation, Place
from seminarbot.core.params import Choice, Date, String
from seminarbot.core.replies import Attachment, Reply, Tone, text
from seminarbot.domain.display import embedded, isolate
from seminarbot.domain.errors import BadArgument, Conflict, NotFound
from seminarbot.domain.exports import FORMATS, ExportScope
from seminarbot.domain.models import Cohort
from seminarbot.domain.schedule import local_to_utc
from seminarbot.domain.textfold import SURROUNDING
from seminarbot.domain.typed import as_typed
from seminarbot.features.common import cohort_here, session_param
from seminarbot.storage.participants import ParticipantMatch

if TYPE_CHECKING:
    from seminarbot.services.container import Services
    from seminarbot.services.exporting import ExportRequest, ExportServices

# Chat platforms cap uploads (Discord's default is 10 MB); larger exports go through the CLI.
MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024
_MENTION = re.compile(r"<@!?(\d+)>")


class AttachmentTooLarge(Exception):
    pass


class _BoundedBuffer:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buffer = io.BytesIO()

    def write(self, data: bytes) -> None:
        if self.buffer.tell() + len(data) > self.limit:
            raise AttachmentTooLarge(f"over {self.limit // (1024 * 1024)} MB")
        self.buffer.write(data)


async def export(inv: Invocation[Services]) -> Reply:
    # Imported when an export is asked for: the bot need not load the exporters to start.
    from seminarbot.services.exporting import export_cohort

    cohort = await cohort_here(inv)
    request = await _request(inv, cohort)
    sink = _BoundedBuffer(MAX_ATTACHMENT_BYTES)
    try:
        result = await export_cohort(inv.app, cohort, request, sink.write, inv.actor,
                                     empty_kept=False)
    except AttachmentTooLarge:
        raise Conflict(f"That export is larger than a chat attachment may be "
                       f"({MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB). Export one session, a "
                       "date range or one participant, or run `seminarbot export` on the "
                       "server.") from None
    if result.responses == 0:
        return text(f"There are no responses to export ({request.said}).", private=True)
    noun = "response" if result.responses == 1 else "responses"
    return Reply(
        title="Export ready", tone=Tone.SUCCESS, private=True,
        paragraphs=(f"{result.responses} {noun} ({request.said}) as {request.format}, "
                    f"{result.size:,} bytes.",),
        attachments=(Attachment(result.filename, sink.buffer.getvalue(), result.media_type),),
        footer="Opted-out participants' and deleted responses are left out. This export is "
               "recorded in the audit log.")


async def _request(inv: Invocation[Services], cohort: Cohort) -> ExportRequest:
    request = await build_request(inv.app, cohort, inv.args["format"],
                                  session=inv.arg("session"), since=inv.arg("since"),
                                  until=inv.arg("until"), participant=inv.arg("participant"))
    if request.scope.participant_id is not None:
        inv.noted["participant_id"] = request.scope.participant_id
    return request


async def build_request(app: ExportServices, cohort: Cohort, format_name: str, *,
                        session: str | None = None, since: date | None = None,
                        until: date | None = None,
                        participant: str | None = None) -> ExportRequest:
    """What to export, from the arguments chat and the command line share. Days are the
    cohort's local days; `until` is inclusive."""
    labels, slugs = [], []
    session_id = None
    if session:
        chosen = app.syllabus.plan.session(session)
        session_id = chosen.id
        labels.append(f"session {chosen.number}, {chosen.title}")
        slugs.append(f"session-{chosen.number}")
    if since and until and until < since:
        raise BadArgument("until", f"a date on or after `since` ({since.isoformat()})",
                          until.isoformat())
    zone = cohort.rule.zone
    if since or until:
        span = (f"{since.isoformat() if since else 'the start'} to "
                f"{until.isoformat() if until else 'now'}")
        labels.append(f"written from {span}, in {zone.key} time")  # the label is said in (…)
        slugs.append(f"{since or 'start'}-to-{until or 'now'}")
    participant_id = None
    if participant:
        person = await find_participant(app, cohort, participant)
        participant_id = person.id
        labels.append(f"by {as_typed(isolate(person.display_name))}")
        slugs.append(f"participant-{person.id}")
    from seminarbot.services.exporting import ExportRequest

    midnight = datetime.min.time()
    scope = ExportScope(
        session_id=session_id, participant_id=participant_id,
        since=local_to_utc(since, midnight, zone) if since else None,
        until=local_to_utc(until + timedelta(days=1), midnight, zone) if until else None)
    said = "; ".join(labels) or "the whole run"
    return ExportRequest(format=format_name, scope=scope, said=said,
                         slug="-".join(slugs) or "all")


async def find_participant(app: ExportServices, cohort: Cohort, wanted: str) -> ParticipantMatch:
    """One person of this cohort, by platform id, Discord mention or the display name they
    have in this cohort's community (never a name from elsewhere). Anyone else, on any server,
    is "no participant here": nothing about them (not even whether they opted out) is told."""
    typed, mention = wanted, _MENTION.fullmatch(wanted.strip())
    wanted = mention.group(1) if mention else wanted.strip()
    found = await app.participants.matching(cohort.id, wanted)
    bare = wanted.strip(SURROUNDING)  # as people type a name: `@name`, `name`, name, (helper-144)
    if not found and bare and bare != wanted:  # (a Matrix id begins with @: as typed first)
        found = await app.participants.matching(cohort.id, bare)
    if not found:
        raise NotFound(f"No participant here is called '{as_typed(embedded(typed))}'.")
    if len(found) > 1:
        names = ", ".join(f"{as_typed(isolate(p.display_name))} ({as_typed(p.external_id)})"
                          for p in found[:5])
        raise Conflict(f"Several participants match '{as_typed(embedded(typed))}': {names}. "
                       "Use their id.")
    if found[0].opted_out:
        raise Conflict(f"{as_typed(isolate(found[0].display_name))} has opted out; their "
                       "responses are left out of every export.")
    return found[0]


async def complete_participant(app: Services, place: Place, prefix: str) -> list[Suggestion]:
    """The people of the seminar in this channel whose name here begins with `prefix` (those
    who opted out are left out: they cannot be exported). core/completion isolates and cuts the
    labels."""
    cohort = await app.cohorts.find(place.platform, place.community_id, place.channel_id)
    if cohort is None:
        return []
    found = await app.participants.matching(cohort.id, prefix.strip(), prefix=True)
    return [Suggestion(p.external_id, p.display_name) for p in found if not p.opted_out]


def commands() -> list[Command]:
    return [
        Command(("seminar", "export"), "Export the discussion as a file", export,
                params=(Param("format", Choice(FORMATS), "csv, jsonl, markdown or html"),
                        session_param("only this session (default: the whole run)"),
                        Param("since", Date(), "only responses written on or after this day",
                              required=False, option=True, metavar="DATE"),
                        Param("until", Date(), "only responses written on or before this day",
                              required=False, option=True, metavar="DATE"),
                        Param("participant", String(max_length=100,
                                                    meaning="a participant's name or id"),
                              "only this participant's responses (name or id)", required=False,
                              autocomplete=complete_participant, option=True, metavar="WHO",
                              names_person=True)),
                permission=Permission.MODERATOR, private=True,
                details="Days are the seminar's local days. Opted-out participants' and deleted "
                        "responses are left out. Every export is recorded in the audit log."),
    ]
