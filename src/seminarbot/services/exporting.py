"""Exports of a cohort's discussion, streamed page by page to a writer, each one audited.

Used by `/seminar export` (into a bounded in-memory attachment) and `seminarbot export` (into
a file or standard output). Memory holds one page of responses whatever the export's size.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
from collections.abc import Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from seminarbot.core.invocation import Actor
from seminarbot.domain.display import as_text
from seminarbot.domain.exports import (
    EXTENSIONS,
    MEDIA_TYPES,
    ExportMeta,
    ExportScope,
    Thread,
    csv_header,
    csv_prefix,
    jsonl_prefix,
)
from seminarbot.domain.filenames import safe_filename
from seminarbot.domain.links import MOST_VIA, links_for, via_servers
from seminarbot.domain.models import Cohort
from seminarbot.domain.syllabus import Syllabus
from seminarbot.domain.transcript import HtmlTranscript, MarkdownTranscript
from seminarbot.domain.typed import untyped
from seminarbot.services.export_writing import ROW_ENDS, Counter, Write, Written
from seminarbot.storage.closing import to_the_end
from seminarbot.storage.exports import ExportReader, ThreadKey, ThreadLinks

if TYPE_CHECKING:
    from seminarbot.clock import Clock
    from seminarbot.storage.audit import AuditLog
    from seminarbot.storage.db import Database
    from seminarbot.storage.participants import ParticipantRepository


class ExportServices(Protocol):
    """What an export reaches: `Services` has it, and `seminarbot export` opens only this
    (cli/export_services.py), so that its start-up does not load the rest of the bot."""

    @property
    def db(self) -> Database: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def syllabus(self) -> Syllabus: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def participants(self) -> ParticipantRepository: ...


@dataclass(frozen=True)
class ExportRequest:
    format: str
    scope: ExportScope = field(default_factory=ExportScope)
    said: str = "the whole run"  # for people, a person's words in it marked (domain/typed.py)
    slug: str = "all"  # for the file name

    @property
    def label(self) -> str:
        """What is exported, for the file's header and the command line (`said` unmarked)."""
        return untyped(self.said)


@dataclass(frozen=True)
class ExportResult:
    filename: str
    media_type: str
    responses: int
    size: int


def export_filename(cohort: Cohort, request: ExportRequest, now: datetime) -> str:
    where = cohort.name or cohort.channel_id
    stem = f"seminar-{where}-{request.slug}-{now.strftime('%Y%m%d-%H%M')}"
    return safe_filename(stem, EXTENSIONS[request.format])


async def export_cohort(app: ExportServices, cohort: Cohort, request: ExportRequest, write: Write,
                        actor: Actor, *, readers: Sequence[Database] = (),
                        check: Callable[[], None] | None = None,
                        keep: Callable[[], None] | None = None, written_to: str = "",
                        empty_kept: bool = True) -> ExportResult:
    """Write the export and record it in the audit log (who, what, when, how it ended).
    `readers`: further connections to the database that pages are read on as well.
    `check`, once all is written: that it is (a file's last bytes flushed); what it raises
    fails the export as a failed write does. `keep`, once it is audited as complete, even if
    stopped meanwhile: what the caller does with it (put a file in place). `written_to`:
    where the caller writes it, for the audit (the command line's `--out`). `empty_kept`:
    whether an export of no responses is handed over (a chat's reply then has no file, and
    its entry names none: helper-193's 2)."""
    now = app.clock.now()
    filename = export_filename(cohort, request, now)
    audit = functools.partial(_audit, app, cohort, request, actor, written_to=written_to,
                              empty_kept=empty_kept)
    counter = Counter(write, ROW_ENDS.get(request.format))
    written = Written(counter)
    try:
        count = await _stream(app, cohort, request, written, now, readers)
        await written.drain()
        if check is not None:
            check()
    except (Exception, asyncio.CancelledError) as error:
        stopped = isinstance(error, asyncio.CancelledError)  # a stop signal, a stopping bot
        await written.settle(stopped=stopped)  # what went out is counted before the audit
        # Stopping goes on whatever the audit meets; a failure's audit failing says so.
        with contextlib.suppress(Exception) if stopped else contextlib.nullcontext():
            await audit(filename, counter, counter.whole_responses(), "failed",
                        "stopped before the end" if stopped else _why(error))
        raise
    # Complete: its row is written even if a stop comes meanwhile (a commit in flight is not
    # taken back), and then the export is kept, as that row says (cli/export.py).
    with contextlib.suppress(asyncio.CancelledError):
        await to_the_end(audit(filename, counter, count, "ok"))
    if keep is not None:
        try:
            keep()
        except OSError as error:  # the file not put in place after all: the log says so last
            await to_the_end(audit(filename, counter, count, "failed",
                                   f"not put in place: {error.strerror or error}"))
            raise
    return ExportResult(filename, MEDIA_TYPES[request.format], count, counter.size)


async def _stream(app: ExportServices, cohort: Cohort, request: ExportRequest,
                  write: Written,
                  now: datetime, readers: Sequence[Database]) -> int:
    reader = ExportReader(app.db, readers=readers)
    scope = request.scope
    community = await reader.community_of(cohort.id)
    via = via_servers(cohort.channel_id, await app.participants.servers(
        cohort.id, MOST_VIA)) if cohort.platform == "matrix" else ()
    threads = []
    for key, thread in ordered_threads(app.syllabus,
                                       await reader.threads(cohort.id, scope.session_id)):
        links = links_for(cohort.platform, community, cohort.channel_id, key.post_id,
                          key.thread_id if key.threaded else None, via)
        threads.append((key, thread._replace(link=links.thread), links))
    count = 0
    if request.format in ("csv", "jsonl"):
        if request.format == "csv":
            await write(csv_header().encode())
            lines = reader.csv_lines(cohort.id, [ThreadLinks(key, links, csv_prefix(thread))
                                                 for key, thread, links in threads], scope)
        else:
            lines = reader.jsonl_lines(cohort.id, [ThreadLinks(key, links, jsonl_prefix(thread))
                                                   for key, thread, links in threads], scope)
        async with aclosing(lines) as pages:
            async for rows, data in pages:
                count += rows
                await write(data, rows)
        return count
    meta = ExportMeta(title=f"Transcript: {app.syllabus.plan.title}",
                      seminar=f"{cohort.name or cohort.channel_id} on {cohort.platform}",
                      scope=request.label, exported_at=now, zone=cohort.rule.zone)
    transcript: MarkdownTranscript | HtmlTranscript = (
        MarkdownTranscript(meta) if request.format == "markdown" else HtmlTranscript(meta))
    await write(transcript.begin().encode())
    async with aclosing(reader.raw_entries(cohort.id, [ThreadLinks(key, links)
                                                       for key, _, links in threads],
                                           scope)) as raw:
        async for index, page in raw:
            count += len(page.rows)
            await write(transcript.encoded(threads[index][1], page.rows, controls=page.controls),
                        len(page.rows))
    await write(transcript.end(count).encode())
    return count


def ordered_threads(syllabus: Syllabus, keys: list[ThreadKey]) -> list[tuple[ThreadKey, Thread]]:
    """Sessions and prompts in plan order (any no longer in the plan last), then threads."""
    plan = syllabus.plan
    sessions = {s.id: s for s in plan.sessions}
    prompts = {p.id: (index, p) for s in plan.sessions for index, p in enumerate(s.prompts)}
    unknown = len(plan.sessions) + 1
    result = []
    for key in keys:
        outbox = key.outbox_id if isinstance(key.outbox_id, int) else 0  # a damaged row's: 0
        session = sessions.get(key.session_id)
        found = prompts.get(key.prompt_id)
        if session is not None and found is not None:
            index, prompt = found
            labels = tuple(syllabus.section_label(s) for s in prompt.sections)
            thread = Thread(session.number, session.id, session.title, prompt.ref, prompt.id,
                            prompt.kind, prompt.text, labels, key.thread_id)
            rank: tuple[Any, ...] = (session.number, "", index, "", outbox)
        else:  # a damaged row's ids may be BLOBs or numbers: shown as text
            session_id, prompt_id = as_text(key.session_id), as_text(key.prompt_id)
            title = session.title if session else f"{session_id} (no longer in the plan)"
            thread = Thread(session.number if session else 0, session_id, title,
                            prompt_id, prompt_id, "", "(no longer in the plan)", (),
                            key.thread_id)
            rank = (session.number if session else unknown, session_id, len(prompts),
                    prompt_id, outbox)
        result.append((rank, key, thread))
    result.sort(key=lambda item: item[0])
    return [(key, thread) for _, key, thread in result]


def _why(error: BaseException) -> str:
    """An export's failure in the audit log's words (README: Exports, Audit)."""
    if isinstance(error, BrokenPipeError):
        return "a reader gone (its output was closed before the end)"
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "a full disk"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


async def _audit(app: ExportServices, cohort: Cohort, request: ExportRequest, actor: Actor,
                 filename: str, counter: Counter, count: int, outcome: str,
                 reason: str = "", *, written_to: str, empty_kept: bool) -> None:
    scope = request.scope
    handed = count > 0 or empty_kept or outcome != "ok"
    detail: dict[str, Any] = {
        "format": request.format, "file": filename if handed else None, "responses": count,
        "bytes": counter.size if handed else 0,
        **({"written_to": written_to} if written_to else {}),
        **({"bytes_in_flight": counter.in_flight} if counter.in_flight else {}),
        "scope": {key: value for key, value in (
            ("session", scope.session_id), ("participant", scope.participant_id),
            ("since", scope.since), ("until", scope.until)) if value is not None},
    }
    if reason:
        detail["reason"] = reason
    await app.audit.record(at=app.clock.now(), platform=actor.platform, actor_id=actor.user_id,
                           actor_name=actor.display_name, action="export", outcome=outcome,
                           detail=detail, cohort_id=cohort.id)
