"""The one path every adapter uses: resolve, bind, check permission, run, reply to errors."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from seminarbot.core.commands import Command, Permission
from seminarbot.core.errors import Busy, Forbidden, UserError
from seminarbot.core.invocation import Actor, Invocation, Place
from seminarbot.core.parsing import bind, parse_line
from seminarbot.core.responses import Response, Tone

if TYPE_CHECKING:
    from seminarbot.app import Services

log = logging.getLogger(__name__)


async def run_line(app: Services, line: str, actor: Actor, place: Place, *, prefix: str = "/",
                   source_id: str | None = None) -> Response:
    """A typed command line (console, Matrix), without its prefix."""
    try:
        command, raw = parse_line(app.registry, line)
    except UserError as error:
        return error_response(error)
    return await run(app, command, raw, actor, place, prefix=prefix, source_id=source_id)


async def run(app: Services, command: Command, raw: Mapping[str, str | None], actor: Actor,
              place: Place, *, prefix: str = "/", source_id: str | None = None) -> Response:
    """A resolved command with raw (text) arguments, as Discord's options or parsed text give."""
    audited = command.permission is Permission.MODERATOR
    try:
        if audited and not actor.is_moderator:
            await _audit(app, command, raw, actor, place, source_id, "refused")
            raise Forbidden(f"Only moderators may use {prefix}{command.name}.")
        args = bind(command, raw)
        invocation = Invocation(command=command, actor=actor, place=place, args=args,
                                clock=app.clock, app=app, source_id=source_id, prefix=prefix)
        response = await command.handler(invocation)
    except UserError as error:
        if audited and not isinstance(error, Forbidden):
            await _audit(app, command, raw, actor, place, source_id, "failed", error.message)
        return error_response(error)
    except Exception:
        incident = uuid.uuid4().hex[:8]
        log.exception("command %s failed (incident %s)", command.name, incident)
        if audited:
            await _audit(app, command, raw, actor, place, source_id, "failed",
                         f"incident {incident}")
        return Response(title="Something went wrong",
                        paragraphs=(f"That failed on our side (incident {incident}); nothing was "
                                    "changed. Moderators can find it in the log.",),
                        tone=Tone.ERROR, private=True)
    if audited:
        await _audit(app, command, raw, actor, place, source_id, "ok")
    if command.private and not response.private:
        response = Response(**{**response.__dict__, "private": True})
    return response


def error_response(error: UserError) -> Response:
    return Response(title=error.title, paragraphs=(error.message,), tone=Tone.ERROR, private=True)


async def _audit(app: Services, command: Command, raw: Mapping[str, str | None], actor: Actor,
                 place: Place, source_id: str | None, outcome: str, reason: str = "") -> None:
    try:
        await _write_audit(app, command, raw, actor, place, source_id, outcome, reason)
    except Busy:
        # The reply matters more than its audit entry; the log keeps what the table could not.
        log.warning("audit entry not written (database busy): %s %s by %s: %s",
                    command.name, outcome, actor.user_id, reason)


async def _write_audit(app: Services, command: Command, raw: Mapping[str, str | None],
                       actor: Actor, place: Place, source_id: str | None, outcome: str,
                       reason: str) -> None:
    cohort = await app.cohorts.find(place.platform, place.community_id, place.channel_id)
    detail: dict[str, object] = {"channel": place.channel_id,
                                 "args": {k: v for k, v in raw.items() if v is not None}}
    if reason:
        detail["reason"] = reason
    await app.audit.record(at=app.clock.now(), platform=actor.platform, actor_id=actor.user_id,
                           actor_name=actor.display_name, action=command.name, outcome=outcome,
                           detail=detail, cohort_id=cohort.id if cohort else None,
                           source_id=source_id)
