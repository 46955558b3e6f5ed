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
    pass


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


async def ingest(passages: PassageRepository, syllabus: Syllabus, path: Path, text_id: str,
                 now: datetime) -> Ingested:
    try:
        text_map = syllabus.text(text_id)
    except KeyError:
        known = ", ".join(t.id for t in syllabus.texts)
        raise IngestError(f"--text expects one of {known}, got {text_id!r}") from None
    try:
        raw = read_regular(path, MAX_COPY_BYTES)
    except OSError as error:
        raise IngestError(f"cannot read {path}: {error.strerror}") from None
    alignment = align(text_map, raw.decode("utf-8", errors="replace"))
    if alignment.missing:
        lines = "\n".join(f"  - {s.id}: “{s.locator.opening}”" for s in alignment.missing)
        raise IngestError(f"{path.name} does not match the section map of {text_id}; "
                          f"these locators were not found (in order):\n{lines}\n"
                          "Nothing was stored.")
    pieces = split_passages(alignment)
    await passages.replace(text_id, path.name, hashlib.sha256(raw).hexdigest(), pieces, now)
    return Ingested(text_id, len(alignment.sections), len(pieces))
