"""Platform-neutral replies. Adapters render these; handlers never format for a platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Tone(Enum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


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
class Response:
    """One reply: a title, paragraphs, labelled fields, an optional table and files.

    `private` asks the adapter to show it only to the caller where the platform can.
    """

    title: str = ""
    paragraphs: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    table: Table | None = None
    attachments: tuple[Attachment, ...] = ()
    tone: Tone = Tone.INFO
    private: bool = False
    footer: str = ""


def text(message: str, *, title: str = "", tone: Tone = Tone.INFO,
         private: bool = False) -> Response:
    return Response(title=title, paragraphs=(message,), tone=tone, private=private)


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
    # A key the adapter can attach to the message (nonce, transaction id) to find it again
    # after a crash between sending and recording.
    idempotency_key: str = ""
