"""Platform-neutral replies and prompt cards. Adapters render these; handlers and the scheduler
never format for a platform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum

from seminarbot.domain.display import isolate
from seminarbot.domain.typed import untyped


class Tone(Enum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"

    @property
    def mark(self) -> str:
        """What a text rendering puts before a title or lone paragraph of this tone."""
        return {"error": "✗ ", "warning": "! ", "success": "✓ ", "info": ""}[self.value]


class Verbatim(str):
    """A table cell that holds a participant's words or name: a platform shows it as typed,
    never as its markup (emphasis, a mention, a channel), and never reads a command's name in
    it (adapters/discord/slash.py renames the commands it names in the bot's own text)."""

    __slots__ = ()


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    media_type: str


@dataclass(frozen=True)
class Reply:
    """One reply (the bot's answer to a command, not a participant's response): a title,
    paragraphs, labelled fields, an optional table and files.

    `private` asks the adapter to show it only to the caller where the platform can.
    `silent` says nothing needs saying (a repeated refusal of a flood, see core.limits):
    adapters may leave the command unanswered.
    """

    title: str = ""
    paragraphs: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    table: Table | None = None
    attachments: tuple[Attachment, ...] = ()
    tone: Tone = Tone.INFO
    private: bool = False
    footer: str = ""
    silent: bool = False


def isolated(reply: Reply) -> Reply:
    """The reply with every piece of its text isolated (domain/display.py): a bidirectional
    control in a name or a response it quotes cannot reorder anything outside its own line,
    cell or field. Handlers isolate what they place mid-line themselves."""
    return each_text(reply, isolate)


def unmarked(reply: Reply) -> Reply:
    """The reply with the marks of a person's words dropped (domain/typed.py), for a platform
    that draws no markup in a reply (the console, Matrix, which escapes it all)."""
    return each_text(reply, untyped)


def each_text(reply: Reply, change: Callable[[str], str]) -> Reply:
    """The reply with `change` applied to every piece of its text (title, paragraphs, fields,
    table, footer); a Verbatim cell stays one."""
    def cell(text: str) -> str:
        changed = change(text)
        return Verbatim(changed) if isinstance(text, Verbatim) else changed

    table = reply.table
    if table is not None:
        table = Table(tuple(map(change, table.headers)),
                      tuple(tuple(map(cell, row)) for row in table.rows))
    return replace(reply, title=change(reply.title),
                   paragraphs=tuple(map(change, reply.paragraphs)),
                   fields=tuple((change(name), change(value)) for name, value in reply.fields),
                   table=table, footer=change(reply.footer))


def text(message: str, *, title: str = "", tone: Tone = Tone.INFO,
         private: bool = False) -> Reply:
    return Reply(title=title, paragraphs=(message,), tone=tone, private=private)


@dataclass(frozen=True)
class PromptPost:
    """A discussion prompt as the scheduler hands it to an adapter, to post as a thread root."""

    cohort_id: int
    channel_id: str
    session_number: int
    session_title: str
    prompt_id: str
    prompt_ref: str
    kind: str
    text: str
    follow_ups: tuple[str, ...] = ()
    suggested_words: int | None = None
    sections: tuple[str, ...] = field(default_factory=tuple)
    mode: str | None = None  # "written" or "discussion" (domain.syllabus.PROMPT_MODES)
    # A key the adapter can attach to the message (nonce, transaction id) to find it again
    # after a crash between sending and recording.
    idempotency_key: str = ""


@dataclass(frozen=True)
class PromptCard:
    """A prompt post's wording, the same on every platform; adapters only lay it out.

    `heading` names the session and prompt, `kind` is the prompt's kind (comprehension …),
    `mode` says "written" or "for discussion" ("" when the prompt says neither), `length` is
    what the prompt asks of participants, its mode and suggested length in words ("About 250
    words.", "For discussion …; no written answer expected."; "" when it says nothing), and
    `how_to_answer` tells how to respond where the card is shown.
    """

    heading: str
    kind: str
    text: str
    follow_ups: tuple[str, ...]
    length: str
    how_to_answer: str
    mode: str = ""


def _asks(post: PromptPost, threads: bool) -> tuple[str, str]:
    """(mode label, what the prompt asks): participants see whether to write or to talk."""
    words = f"about {post.suggested_words} words" if post.suggested_words else ""
    if post.mode == "discussion":
        where = "at the meeting and in this thread" if threads else "at the meeting"
        return "for discussion", f"For discussion {where}; no written answer expected."
    if post.mode == "written":
        return "written", f"Written answer, {words}." if words else "Written answer."
    return "", f"{words[:1].upper()}{words[1:]}." if words else ""


def prompt_card(post: PromptPost, prefix: str, *, threads: bool = True) -> PromptCard:
    """`threads`: the platform shows the prompt as the root of a thread one can reply in."""
    command = f"{prefix}seminar respond {post.prompt_ref} TEXT"
    if post.mode == "discussion":
        how = f"Reply in this thread to join in, or note a point with {command}" if threads \
            else f"To note a point beforehand, type {command}"
    else:
        how = f"Reply in this thread to answer, or type {command}" if threads else \
            f"Answer with {command}"
    mode, asks = _asks(post, threads)
    return PromptCard(
        heading=f"Session {post.session_number}: {post.session_title} · prompt {post.prompt_ref}",
        kind=post.kind, text=post.text, follow_ups=post.follow_ups, length=asks,
        how_to_answer=how, mode=mode)
