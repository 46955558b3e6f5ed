"""Aligning an operator's copy of a text with our section map, by the sections' opening words.

The copy is cleaned first: page furniture (running heads, copyright and URL lines, page
footers) is dropped, line-end hyphenation is joined, and paragraphs broken by a page turn are
mended. Openings are matched on folded words, so quotes, case and accents do not matter.
A heading or an image caption standing right before a section's opening paragraph begins that
section (the text's own title begins none, unless it is the section's heading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from seminarbot.domain.syllabus import Locator, Section, TextMap
from seminarbot.domain.textfold import fold

_FURNITURE = (
    re.compile(r"^\s*(https?://|www\.)\S+\s*$"),
    re.compile(r"copyright\s*©|©\s*\d{4}", re.IGNORECASE),
    re.compile(r"\bpage\s+\d+\s*$", re.IGNORECASE),
    re.compile(r"^\s*\[[^\]a-wyzA-WYZ]*\]\s*$"),  # an ISSN/SICI code in brackets
    re.compile(r"\bVol\.\s*\d+\s*(No\.|\(\d+\))", re.IGNORECASE),  # journal running head
    re.compile(r"^\s*\d+\s*$"),  # a bare page number
    re.compile(r"^\s*Oaks, CA and New Delhi", re.IGNORECASE),
)
_LINE_HYPHEN = re.compile(r"(\w)-\n(?=[a-z])")
_SENTENCE_END = re.compile(r"[.!?:;'’”\")\]]\s*$")


@dataclass(frozen=True)
class AlignedSection:
    section: Section
    start: int
    end: int


@dataclass(frozen=True)
class Alignment:
    text: str  # the cleaned copy
    sections: tuple[AlignedSection, ...]
    missing: tuple[Section, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def clean(raw: str, text_map: TextMap | None = None) -> str:
    """Plain paragraphs separated by blank lines, with page furniture removed."""
    heads = set()
    if text_map is not None:
        heads = {fold(text_map.title)} | ({fold(text_map.author)} if text_map.author else set())
    kept: list[str] = []
    for line in raw.replace("\r\n", "\n").replace("\u00ad\n", "").split("\n"):
        if any(pattern.search(line) for pattern in _FURNITURE):
            continue
        if heads and line.strip() and fold(line) in heads and kept and kept[-1].strip() == "":
            continue  # a running head on a line of its own
        kept.append(line.rstrip())
    text = _LINE_HYPHEN.sub(r"\1", "\n".join(kept))
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    mended: list[str] = []
    for paragraph in paragraphs:
        if mended and paragraph[:1].islower() and not _SENTENCE_END.search(mended[-1]):
            joiner = "" if mended[-1].endswith("-") else " "
            mended[-1] = (mended[-1][:-1] if joiner == "" else mended[-1]) + joiner + paragraph
        else:
            mended.append(paragraph)
    return "\n\n".join(mended)


def heading_like(paragraph: str) -> bool:
    """A heading or an image caption: twelve words at most, not ending like a sentence."""
    words = paragraph.split()
    if not words or len(words) > 12:
        return False
    return paragraph.rstrip().endswith(":") or not re.search(r"[.!?…,;'’”\")]\s*$", paragraph)


def _heading_start(text: str, start: int, floor: int, title: str) -> int:
    """`start` moved back over heading-like paragraphs directly before it (not below `floor`);
    a paragraph reading `title` (folded) stops it."""
    while start > floor and text[start - 2 : start] == "\n\n":
        previous = text.rfind("\n\n", floor, start - 2)
        begin = floor if previous < 0 else previous + 2
        paragraph = text[begin : start - 2]
        if not heading_like(paragraph) or fold(paragraph) == title:
            break
        start = begin
    return start


def word_index(text: str) -> tuple[list[str], list[int]]:
    """Folded words and, for each, the offset in `text` of the raw token it came from."""
    words: list[str] = []
    offsets: list[int] = []
    for match in re.finditer(r"\S+", text):
        for word in fold(match.group()).split():
            words.append(word)
            offsets.append(match.start())
    return words, offsets


def find(words: list[str], needle: list[str], start: int = 0) -> list[int]:
    """Every index at or after `start` where `needle` occurs in `words`."""
    if not needle:
        return []
    first, size = needle[0], len(needle)
    return [i for i in range(start, len(words) - size + 1)
            if words[i] == first and words[i : i + size] == needle]


def align(text_map: TextMap, raw: str) -> Alignment:
    text = clean(raw, text_map)
    words, offsets = word_index(text)
    starts: list[tuple[Section, int]] = []
    missing: list[Section] = []
    cursor = 0
    for section in text_map.sections:
        hits = find(words, fold(section.locator.opening).split(), cursor)
        if not hits:
            missing.append(section)
            continue
        starts.append((section, hits[0]))
        cursor = hits[0] + 1
    end_word = len(words)
    if text_map.ends_before and starts:
        tail = find(words, fold(text_map.ends_before).split(), starts[-1][1] + 1)
        if tail:
            end_word = tail[0]
        else:
            missing.append(Section(id="(end of text)", text_id=text_map.id, title="end marker",
                                   locator=Locator(opening=text_map.ends_before), summary="",
                                   terms=()))
    bounds = []
    floor = 0
    for section, word in starts:
        title = fold(text_map.title)
        if section.locator.heading and fold(section.locator.heading) == title:
            title = ""  # the title is this section's heading: it begins the section
        start = _heading_start(text, offsets[word], floor, title)
        bounds.append(start)
        floor = offsets[word]
    aligned = []
    for index, (section, _) in enumerate(starts):
        end = bounds[index + 1] if index + 1 < len(starts) else \
            (offsets[end_word] if end_word < len(words) else len(text))
        aligned.append(AlignedSection(section, bounds[index], end))
    return Alignment(text=text, sections=tuple(aligned), missing=tuple(missing))
