"""The one path every adapter uses: limit, resolve, bind, check permission, run, reply to errors.

Every command first passes the host's per-person limits (`core.limits`), before any parsing or
database work.

Moderators' commands are recorded, whatever their outcome (ok, refused, failed), through the
host's `record_command`; so are refusals that an adapter's guard makes (a channel where the bot
lacks permissions).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from seminarbot.clock import Clock
from seminarbot.core.commands import Command, Permission
from seminarbot.core.completion import may_run
from seminarbot.core.invocation import Actor, Invocation, Place
from seminarbot.core.limits import CommandLimits
from seminarbot.core.parsing import (
    MAX_LINE,
    NO_MENTIONS,
    Mentions,
    as_option,
    bind,
    parse_line,
    tokenize,
)
from seminarbot.core.redaction import redact
from seminarbot.core.registry import Registry
from seminarbot.core.replies import Reply, Tone, isolated
from seminarbot.domain.display import unicode_text
from seminarbot.domain.errors import BadArgument, Forbidden, Unavailable, UserError
from seminarbot.domain.typed import spans

log = logging.getLogger(__name__)

# Runs after the permission check and before the handler; raising UserError refuses the
# command (recorded like any other failure of a moderator's command).
Guard = Callable[[Command, Actor, Place], Awaitable[None]]


@dataclass(frozen=True)
class CommandRecord:
    """What the audit log keeps of one moderator command: who, where, what, how it ended."""

    at: datetime
    command: str
    args: Mapping[str, str]
    actor: Actor
    place: Place
    source_id: str | None
    outcome: str  # ok, refused or failed
    reason: str = ""
    noted: Mapping[str, Any] = field(default_factory=dict)  # Invocation.noted


class Host(Protocol):
    """What dispatch needs from the services object it is given."""

    @property
    def registry(self) -> Registry: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def limits(self) -> CommandLimits: ...

    async def record_command(self, record: CommandRecord) -> None:
        """Write it to the audit log. May raise Unavailable."""
        ...


class NotACommand(Exception):
    """A line that may be a participant's words (in a prompt's thread), whose command refused
    an argument (`respond 9.9 …`: no such prompt): it is no command there, but words, neither
    answered nor audited (README, Running on Matrix)."""


async def run_line(app: Host, line: str, actor: Actor, place: Place, *, prefix: str = "/",
                   source_id: str | None = None, sent_at: datetime | None = None,
                   mentions: Mentions = NO_MENTIONS, or_words: bool = False) -> Reply:
    """A typed command line (console, Matrix), without its prefix; `sent_at` as
    Invocation.sent_at, `mentions` as core.parsing.Mentions. With `or_words`, raises
    NotACommand where an argument is refused (BadArgument) rather than answering."""

    async def parsed() -> Reply:
        try:
            command, raw = parse_line(app.registry, line, prefix, mentions)
        except UserError as error:
            # Words that do not fit a command it names are that command's failure: refused
            # first to one who may not use it, and audited as its every use is (helper-195's 6:
            # a participant's `/seminar pause now` was neither).
            named = _command_named(app, line, mentions)
            if named is None:
                return error_reply(error, app.registry, prefix)
            kept, places = _as_kept(named, line, mentions)
            return await _run(app, named, {}, actor, place, prefix=prefix, source_id=source_id,
                              sent_at=sent_at, unfit=(error, kept, places))
        # the words after `--participant`, as typed, in order: a name of several words runs
        # on into other arguments (helper-199's 1-3)
        words: list[list[str]] = []
        if any(param.names_person for param in command.params):
            kept, places = _as_kept(command, line, mentions)
            words = [[kept[start:end] for start, end in run] for run in places]
        return await _run(app, command, raw, actor, place, prefix=prefix, source_id=source_id,
                          sent_at=sent_at, or_words=or_words, person_words=words)

    return await _limited(app, actor, parsed)


def _command_named(app: Host, line: str, mentions: Mentions) -> Command | None:
    """The command a line names, whatever its arguments; None if it names none."""
    try:
        return app.registry.resolve([t.text for t in tokenize(line[:MAX_LINE], mentions)])[0]
    except UserError:
        return None


def _as_kept(command: Command, line: str, mentions: Mentions
             ) -> tuple[str, list[list[list[int]]]]:
    """The line as the audit log keeps it (redacted first, so that the places are the kept
    line's: helper-198's 5) and where in it a person is named (`_person_words`); for a
    command with no parameter naming a person, no places."""
    kept = redact(unicode_text(line[:MAX_LINE]))
    if not any(param.names_person for param in command.params):
        return kept, []
    return kept, _person_words(command, kept, mentions if kept == line else NO_MENTIONS)


def _person_words(command: Command, line: str, mentions: Mentions) -> list[list[list[int]]]:
    """Where the words after each option that names a person lie in `line`, as the parser
    reads them (a quoted phrase one word, `—participant` an option too): for each such option,
    [start, end] of each word to the next option or the end. Forget-me reads a name there as
    in the argument (storage.audit)."""
    people = {param.name for param in command.params if param.names_person}
    tokens = tokenize(line, mentions)
    runs: list[list[list[int]]] = []
    for index, token in enumerate(tokens):
        option = as_option(token, line)
        name, equals, value = option.text[2:].partition("=") if option else ("", "", "")
        if name.replace("-", "_") not in people:
            continue
        run = [[token.start + token.text.index("=") + 1, token.end]] if equals and value else []
        for later in tokens[index + 1:]:
            if as_option(later, line) is not None:
                break
            run.append([later.start, later.end])
        runs.append(run)
    return [run for run in runs if run]


def _typed_places(marked: str) -> tuple[str, list[list[int]]]:
    """A refusal as the audit log keeps it (without the marks, redacted) and where in it the
    pieces stand that a person typed or that name a person (domain.typed): what forget-me may
    take out of it, never the bot's own words (storage.audit)."""
    text, places = "", []
    for piece, was_typed in spans(marked):
        piece = redact(piece)
        if was_typed:
            places.append([len(text), len(text) + len(piece)])
        text += piece
    return text, places


async def run(app: Host, command: Command, raw: Mapping[str, str | None], actor: Actor,
              place: Place, *, prefix: str = "/", source_id: str | None = None,
              guard: Guard | None = None, sent_at: datetime | None = None) -> Reply:
    """A resolved command with raw (text) arguments, as Discord's options or parsed text give."""
    return await _limited(app, actor, lambda: _run(app, command, raw, actor, place,
                                                   prefix=prefix, source_id=source_id,
                                                   guard=guard, sent_at=sent_at))


async def _limited(app: Host, actor: Actor, work: Callable[[], Awaitable[Reply]]) -> Reply:
    refused = app.limits.admit(actor)
    if refused is not None:
        if not refused.silent:
            log.info("commands of %s %s limited: %s", actor.platform, actor.user_id,
                     refused.paragraphs[0])
        return refused
    try:
        return await work()
    finally:
        app.limits.release(actor)


async def _run(app: Host, command: Command, raw: Mapping[str, str | None], actor: Actor,
               place: Place, *, prefix: str = "/", source_id: str | None = None,
               guard: Guard | None = None, sent_at: datetime | None = None,
               or_words: bool = False, person_words: list[list[str]] | None = None,
               unfit: tuple[UserError, str, list[list[list[int]]]] | None = None) -> Reply:
    """`unfit`: the refusal of a typed line's words that fit the command not, the line and
    where it names a person (`_person_words`): refused after the permission check, audited
    with the line as `line`, the places as `person_at`. `person_words`: a parsed line's words
    after each option naming a person, in order, audited for forget-me (storage.mentions)."""
    audited = command.permission is Permission.MODERATOR
    # Every argument as Unicode text: one with a lone surrogate could be neither audited nor
    # looked up (SQLite stores UTF-8), and its refusal then never came.
    raw = {k: None if v is None else unicode_text(v) for k, v in raw.items()}
    given = {k: v for k, v in raw.items() if v is not None} if unfit is None else {
        "line": unicode_text(unfit[1])}
    noted: dict[str, Any] = {"person_at": unfit[2]} if unfit is not None and unfit[2] else \
        {"person_words": person_words} if person_words else {}

    async def record(outcome: str, reason: str = "") -> None:
        if audited:
            await _record(app, CommandRecord(app.clock.now(), command.name, given, actor, place,
                                             source_id, outcome, reason, noted))

    try:
        if not may_run(command, actor):
            await record("refused")
            raise Forbidden(f"Only moderators may use {prefix}{command.name}.")
        if guard is not None:
            await guard(command, actor, place)
        if unfit is not None:
            raise unfit[0]
        args = bind(command, raw, app.clock.now().date())
        invocation = Invocation(command=command, actor=actor, place=place, args=args,
                                clock=app.clock, app=app, source_id=source_id, prefix=prefix,
                                sent_at=sent_at, noted=noted, typed=given)
        reply = await command.handler(invocation)
        if command.private and not reply.private:
            reply = replace(reply, private=True)
        shown = isolated(reply)  # inside the boundary: a reply that cannot be shown is a fault
    except UserError as error:
        if or_words and isinstance(error, BadArgument):
            raise NotACommand(error.message) from error
        if isinstance(error, Unavailable):  # the reply says whoever runs the bot is told
            log.error("not done, %s: command %s", error.reason, command.name)
        if not isinstance(error, Forbidden):
            reason, typed_at = _typed_places(error.marked)
            if typed_at:
                noted["reason_typed_at"] = typed_at
            await record("failed", reason)
        return error_reply(error, app.registry, prefix)
    except Exception:
        incident = uuid.uuid4().hex[:8]
        log.exception("failed (incident %s): command %s", incident, command.name)
        await record("failed", f"incident {incident}")
        return Reply(title="Something went wrong",
                     paragraphs=(f"That failed on our side (incident {incident}); nothing was "
                                 "changed. Moderators can find it in the log.",),
                     tone=Tone.ERROR, private=True)
    await record("ok")
    return shown


def error_reply(error: UserError, registry: Registry, prefix: str) -> Reply:
    """The error as a reply. Messages name commands the core's way (`/seminar prompt`); they
    are shown with the platform's prefix."""
    def shown(text: str) -> str:
        return registry.with_prefix(text, prefix)

    return isolated(Reply(
        title=error.title, paragraphs=(shown(error.marked), *map(shown, error.more)),
        fields=tuple((name, shown(value)) for name, value in error.fields), tone=Tone.ERROR,
        private=True))


async def _record(app: Host, record: CommandRecord) -> None:
    try:
        await app.record_command(record)
    except Unavailable:
        # The reply matters more than its audit entry; the log keeps what the table could not.
        log.warning("audit entry not written (database unavailable): %s %s by %s: %s",
                    record.command, record.outcome, record.actor.user_id, record.reason)
