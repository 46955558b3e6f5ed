"""`seminarbot content ingest`: align an operator's copy with the section map, store passages."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from seminarbot.config.files import MAX_COPY_BYTES, read_regular
from seminarbot.domain.syllabus import Syllabus
from seminarbot.storage.passages import PassageRepository
from seminarbot.syllabus.alignment import Alignment, align

MIN_WORDS = 40
MAX_WORDS = 220
_TERMINAL = re.compile(r"[.!?…'’”\")\]]\d*$")


class IngestError(Exception):
    """One message, nothing touched. `usage`: the command was given something it does not
    take (an unknown --text), rather than a file that fails."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Ingested:
    text_id: str
    sections: int
    passages: int


def split_passages(alignment: Alignment) -> list[tuple[str, str]]:
    """(section id, passage) pairs: paragraphs, short ones merged forward, long ones split at
    sentence ends. Headings and captions (short lines with no closing punctuation) are dropped."""
    result: list[tuple[str, str]] = []
    for aligned in alignment.sections:
        body = alignment.text[aligned.start : aligned.end]
        pending = ""
        for paragraph in (p.strip() for p in body.split("\n\n")):
            if not paragraph:
                continue
            if len(paragraph.split()) < 12 and not _TERMINAL.search(paragraph):
                continue
            pending = f"{pending} {paragraph}".strip()
            if len(pending.split()) >= MIN_WORDS:
                result.extend((aligned.section.id, chunk) for chunk in _chunks(pending))
                pending = ""
        if pending:
            if result and result[-1][0] == aligned.section.id:
                result[-1] = (aligned.section.id, f"{result[-1][1]} {pending}")
            else:
                result.append((aligned.section.id, pending))
    return result


def _chunks(paragraph: str) -> list[str]:
    if len(paragraph.split()) <= MAX_WORDS:
        return [paragraph]
    sentences = re.split(r"(?<=[.!?’”])\s+(?=[A-Z‘“(])", paragraph)
    chunks, current = [], ""
    for sentence in sentences:
        if current and len((current + " " + sentence).split()) > MAX_WORDS // 2 + 40:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        chunks.append(current)
    return chunks


@dataclass(frozen=True)
class Prepared:
    """An operator's copy read, checked against the section map and split: all that is
    stored, decided before the database is touched."""
    text_id: str
    name: str
    digest: str
    sections: int
    pieces: list[tuple[str, str]]


def prepare(syllabus: Syllabus, path: Path, text_id: str) -> Prepared:
    """Raises IngestError (one message, nothing touched) for an unknown text, a file that
    cannot be read, or a copy that does not match the section map."""
    try:
        text_map = syllabus.text(text_id)
    except KeyError:
        known = ", ".join(t.id for t in syllabus.texts)
        raise IngestError(f"--text expects one of {known}, got {text_id!r}",
                          usage=True) from None
    try:
        raw = read_regular(path, MAX_COPY_BYTES)
    except OSError as error:
        raise IngestError(f"cannot read {path}: {error.strerror}") from None
    alignment = align(text_map, raw.decode("utf-8", errors="replace"))
    if alignment.missing:  # one line, as every refusal (helper-190's 7: a list of twelve)
        first, count, total = alignment.missing[0], len(alignment.missing), len(text_map.sections)
        which = f"none of its {total} sections' openings was" if count == total else \
            f"{count} of its {total} sections' openings were not"
        raise IngestError(f"{path.name} does not match the section map of {text_id}: {which} "
                          f"found in it (the first missing: {first.id}, "
                          f"“{first.locator.opening}”); nothing was stored")
    return Prepared(text_id, path.name, hashlib.sha256(raw).hexdigest(),
                    len(alignment.sections), split_passages(alignment))


async def store(passages: PassageRepository, prepared: Prepared, now: datetime) -> Ingested:
    """Replace the text's passages with the prepared ones."""
    await passages.replace(prepared.text_id, prepared.name, prepared.digest, prepared.pieces, now)
    return Ingested(prepared.text_id, prepared.sections, len(prepared.pieces))


async def ingest(passages: PassageRepository, syllabus: Syllabus, path: Path, text_id: str,
                 now: datetime) -> Ingested:
    """`prepare`, then `store`."""
    return await store(passages, prepare(syllabus, path, text_id), now)
