"""The console: one acting user in one local channel, commands typed or piped one per line.

Console-only commands: /as NAME [--moderator], /clock, /clock advance DURATION, /quit.
"""

from __future__ import annotations

import codecs
import shutil
from collections.abc import AsyncIterable, Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TextIO

from seminarbot.adapters.console.files import save_attachments
from seminarbot.adapters.console.poster import ConsolePoster
from seminarbot.adapters.console.render import fitted, render_reply
from seminarbot.adapters.console.terminal import MAX_LINE_BYTES, TOO_LONG
from seminarbot.clock import ManualClock, OffsetClock, to_iso
from seminarbot.config.files import write_all
from seminarbot.core.apart import reads
from seminarbot.core.commands import Param
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.core.params import Duration, Flag
from seminarbot.core.parsing import as_option, tokenize
from seminarbot.core.replies import Reply, Table, Tone
from seminarbot.domain.display import MAX_PERSON_NAME, embedded, is_person_name, terminal_safe
from seminarbot.domain.errors import BadArgument, Unavailable, UnknownCommand
from seminarbot.domain.near import near
from seminarbot.domain.textfold import name_key
from seminarbot.services.container import Services

if TYPE_CHECKING:
    from seminarbot.scheduling.loop import PostOutcome

PLATFORM = "console"
PLACE = Place(platform=PLATFORM, community_id="local", channel_id="console",
              community_name="this computer", channel_name="console")
# The simulated clock stays within these years, so every date it leads to can be written down.
CLOCK_START, CLOCK_LIMIT = datetime(2000, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC)
CONSOLE_HELP = (
    ("/as NAME [--moderator]", "act as another person (moderators may configure and post)"),
    ("/clock", "show the simulated time"),
    ("/clock advance DURATION", "move time forward (3d, 2h30m); scheduled prompts print"),
    ("/quit", "leave (Ctrl-D too)"),
)


class Console:
    _encoder: codecs.IncrementalEncoder | None = None  # made at the first line written

    def __init__(self, app: Services, clock: ManualClock | OffsetClock, *, out: TextIO,
                 user: str, save_clock: Callable[[], None] | None = None,
                 interactive: bool = False) -> None:
        self.app = app
        self.clock = clock
        self.out = out
        self.save_clock = save_clock
        self.interactive = interactive
        self.width = min(100, shutil.get_terminal_size((100, 24)).columns) if interactive else 100
        self.actor = Actor(PLATFORM, _user_id(user), user, is_moderator=True)
        self._fault_said = False  # a pass's fault is said once a command
        self.finished = False
        journal = app.settings.database.with_name(app.settings.database.name + ".console-posts")
        app.scheduler.attach(ConsolePoster(self.emit, journal, self.width))

    def emit(self, text: str) -> None:
        """Everything the console prints goes through here: no control character reaches the
        terminal raw (an ESC in a name or a response is shown as ␛), no line runs past its
        width. Standard output is written whole (config.files.write_all: a full disk's short
        write is an error, not a reply cut silently)."""
        line = terminal_safe(fitted(text, self.width)) + "\n"
        binary = getattr(self.out, "buffer", None)
        if binary is None:  # prompt_toolkit's, on a terminal; a test's StringIO
            print(line, end="", file=self.out, flush=True)
            return
        self.out.flush()
        if self._encoder is None:  # one for the whole output: UTF-16's mark once, not per line
            self._encoder = codecs.getincrementalencoder(self.out.encoding or "utf-8")(
                self.out.errors or "strict")
        write_all(binary, self._encoder.encode(line))
        binary.flush()

    async def start(self) -> None:
        await self._pass()  # reconciles first, then catches up

    async def handle(self, line: str) -> None:
        self._fault_said = False
        if line == TOO_LONG:
            self.emit(f"✗ That line is longer than {MAX_LINE_BYTES:,} bytes; it was skipped.")
            return
        # Not stripped on the right: text of no-break spaces is not taken for none (parsing.py)
        line = line.lstrip()
        if not line or line.startswith("#"):
            return
        if not line.startswith("/"):
            self.emit("Commands start with / — type /help to list them.")
            return
        body = line[1:]
        word = body.split(maxsplit=1)[0].lower() if body.split() else ""
        if word in ("quit", "exit"):
            if len(body.split()) > 1:  # as every command answers words it does not take
                self.emit(f"✗ /{word} takes nothing after it; type /{word} alone to leave.")
                return
            self.finished = True
            return
        if word == "as":
            self._switch(body)
        elif word == "clock":
            await self._clock(body)
        elif (near := _own_near(word, self.app.registry.groups())) is not None:
            self.emit(render_reply(Reply(title=UnknownCommand.title, paragraphs=(
                f"There is no command '{embedded(word[:40])}'. Did you mean `{near}`? Type "
                "/help to list the commands.",), tone=Tone.ERROR), self.width))
        else:
            reply = await run_line(self.app, body, self.actor, PLACE, prefix="/",
                                      source_id=None)
            folder = self.app.settings.data_dir / "exports"
            try:
                saved = save_attachments(folder, reply.attachments)
            except OSError as error:  # a full disk or a folder we may not write
                # Only the failure: the reply itself would announce a file that is not there.
                self.emit(f"✗ The reply's files could not be saved in {folder} "
                          f"({error.strerror or error}); none was written.")
            else:
                self.emit(render_reply(reply, self.width, saved))
            if word == "help" and len(body.split()) == 1:
                self.emit("")
                self.emit(render_reply(Reply(title="Console commands", table=Table(
                    ("command", "what it does"), CONSOLE_HELP)), self.width))
        await self._run_scheduler()

    async def _run_scheduler(self) -> None:
        try:
            await self._pass()
        except Unavailable as error:
            self.emit(f"! Scheduled posts wait: {error.message}")

    async def _pass(self) -> list[PostOutcome] | None:
        """One pass of the scheduler, inside its error boundary (Scheduler.run_guarded): a
        fault of ours is one line here (None), and the next command tries again."""
        outcomes = await self.app.scheduler.run_guarded()
        if outcomes is None and not self._fault_said:  # once a command, however many passes
            self._fault_said = True
            self.emit("! Scheduled posts failed this time: an error on the bot's side (its log "
                      "has the details); the next command tries again.")
        return outcomes

    def _switch(self, body: str) -> None:
        """`/as NAME [--moderator]` (README, The console)."""
        usage = "Usage: /as NAME [--moderator]"
        name, moderator, refused = _acting_as(body)
        if refused:
            self.emit(f"✗ {refused} {usage}")
            return
        if not is_person_name(name):
            self.emit(f"✗ A name is 1 to {MAX_PERSON_NAME} characters, letters and signs but no "
                      f"control or invisible characters. {usage}")
            return
        self.actor = Actor(PLATFORM, _user_id(name), name, is_moderator=moderator)
        role = "moderator" if moderator else "participant"
        self.emit(f"Now acting as {embedded(name)} ({role}).")

    async def _clock(self, body: str) -> None:
        words = body.split()[1:]
        if words and words[0] == "advance" and len(words) >= 2:  # `1d 12h`: its parts apart
            try:
                delta: timedelta = Duration().parse(" ".join(words[1:]), "duration")
            except BadArgument as error:
                self.emit("✗ " + error.message)
                return
            if self.clock.now() + delta >= CLOCK_LIMIT:
                self.emit(f"✗ The console's clock stops before {CLOCK_LIMIT.year}; "
                          "it cannot move that far.")
                return
            await self._advance(delta)
        elif words:
            self.emit("✗ Usage: /clock, or /clock advance DURATION (such as 3d or 2h30m)")
            return
        now = self.clock.now()
        self.emit(f"Simulated time: {to_iso(now)} (UTC)")

    async def _advance(self, delta: timedelta) -> None:
        """Move time in steps, stopping at every due post on the way, as if the bot had been
        running all along (a jump must not look like downtime)."""
        target = self.clock.now() + delta
        while (due := await self.app.outbox.next_due_at()) is not None and due <= target:
            if due > self.clock.now():
                self.clock.set(due)
            outcomes = await self._pass()
            if outcomes is None:  # the clock stays where the pass failed, not past it
                target = self.clock.now()
            if not outcomes:
                break  # due rows this console cannot post (another platform's cohort)
        self.clock.set(max(target, self.clock.now()))
        if self.save_clock:
            try:
                self.save_clock()
            except OSError as error:
                self.emit(f"! The clock moved, but could not be kept for the next start "
                          f"({error.strerror or error}).")
        self.app.scheduler.wake()

    async def run_lines(self, lines: AsyncIterable[str]) -> None:
        async for line in lines:
            await self.handle(line)
            if self.finished:
                break

    async def run_interactive(self) -> None:
        from seminarbot.adapters.console.terminal import run_terminal

        name = embedded(self.actor.display_name)
        await run_terminal(self, f"seminarbot console — acting as {name} (moderator). "
                                 "Type /help for commands, /as NAME to act as a "
                                 "participant, /quit to leave.")


def _user_id(name: str) -> str:
    """One person for every way of typing a name that looks the same: composed or decomposed,
    with or without what shows nothing (a variation selector: helper-182's 5), any case."""
    return "console:" + name_key(name)


def _own_near(word: str, core: Collection[str]) -> str | None:
    """The console's own command a mistyped first word is close to (`clok`: `clock`), unless
    the word is one of the core's or close to one (the core's answer names those)."""
    if not word or word in core or near(word, core):
        return None
    own = near(word, ("as", "clock", "quit", "exit"), cutoff=0.75)
    return own[0] if own else None


_MODERATOR = Param("moderator", Flag(), "act as a moderator")  # /as's one option, a switch


def _acting_as(body: str) -> tuple[str, bool, str]:
    """`/as`'s name, whether as a moderator, and why it is refused ("" if not). The name is
    every word but the option, its spaces one each (as names are stored: `Ann  Smith` is Ann
    Smith); the option is read as every command reads a switch (core.parsing.as_option: two
    dashes or the dash smart punctuation makes of them; a word after it that its type reads,
    or one after `=`, is its value: `--moderator off`, as core.parsing reads a switch)."""
    tokens = tokenize(body)[1:]
    words: list[str] = []
    moderator: bool | None = None
    index = 0
    while index < len(tokens):
        option = as_option(tokens[index], body)
        index += 1
        if option is None:
            words.append(tokens[index - 1].text)
            continue
        key, equals, value = option.text.partition("=")
        if key != "--moderator" or moderator is not None:
            return "", False, (f"/as takes --moderator once and no other option (got "
                               f"'{embedded(option.text[:40])}').")
        if not equals and index < len(tokens) and as_option(tokens[index], body) is None \
                and reads(_MODERATOR, tokens[index].text):
            value, index = tokens[index].text, index + 1
        try:
            moderator = bool(_MODERATOR.type.parse(value, _MODERATOR.name))
        except BadArgument as error:
            return "", False, error.message
    name = " ".join(" ".join(words).split())
    return name, bool(moderator), "" if name else "Whom to act as? Name them."
