"""Page ranges of sections, derived from the page markers a copy still has.

A copy extracted from a PDF keeps some page furniture: a running head that starts with the page
number (``118 European History Quarterly Vol. 32 No. 1``, at the top of page 118) and the
printer's slug (``… Page 111``). Each group of markers is a page boundary. A running head names
the page after it; a slug names the page before it when that is the page already running (the
first page's slug sits at its foot), else the page after it.

Between two boundaries the pages are known in number; a position inside is placed by
interpolation at the average number of words per page measured between markers (the first
page, under an article's title, counts only when there is nothing else to measure). A page is
*exact* when the stretch is a single page, or when fewer than half a page's words separate the
position from a marker; otherwise it is *estimated*, and so is a range with an estimated end.
After the last marker the copy's own end is the end of the body text: endnotes absent from
the copy are not counted.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import pairwise

from seminarbot.domain.syllabus import TextMap
from seminarbot.syllabus.alignment import Alignment, clean, word_index

_HEAD = re.compile(r"^\s*(\d{1,4})\s+\S.*\bVol\.\s*\d+", re.IGNORECASE)
_SLUG = re.compile(r"\bPage\s+(\d{1,4})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class PageRange:
    first: int
    last: int
    estimated: bool

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


@dataclass(frozen=True)
class _Boundary:
    word: int  # index of the first word after it, in the cleaned copy
    after: int  # the page that begins there


def first_page(text_map: TextMap) -> int | None:
    match = re.match(r"\s*(\d+)", text_map.pages or "")
    return int(match.group(1)) if match else None


def _boundaries(raw: str, text_map: TextMap, start_page: int) -> list[_Boundary]:
    marks: dict[int, tuple[int | None, int | None]] = {}  # word → (head page, slug page)
    offset = 0
    for line in raw.replace("\r\n", "\n").split("\n"):
        head, slug = _HEAD.search(line), _SLUG.search(line)
        if head or slug:
            word = len(word_index(clean(raw[:offset], text_map))[0])
            old = marks.get(word, (None, None))
            marks[word] = (int(head.group(1)) if head else old[0],
                           int(slug.group(1)) if slug else old[1])
        offset += len(line) + 1
    result: list[_Boundary] = []
    running = start_page
    for word in sorted(marks):
        head_page, slug_page = marks[word]
        if head_page is not None:
            after = head_page
        elif slug_page == running:
            after = running + 1
        else:
            after = slug_page if slug_page is not None else running + 1
        result.append(_Boundary(word, after))
        running = after
    return result


def section_pages(text_map: TextMap, alignment: Alignment, raw: str) -> dict[str, PageRange]:
    """Each aligned section's page range; empty when the copy or the map gives no pages."""
    start_page = first_page(text_map)
    if start_page is None:
        return {}
    bounds = [_Boundary(0, start_page), *_boundaries(raw, text_map, start_page)]
    if len(bounds) == 1:
        return {}
    offsets = word_index(alignment.text)[1]
    # Measured between markers; the stretch before the first marker (an article's first page,
    # short of a full page's words under its title) only when nothing else is measured.
    known = [(b.word - a.word, b.after - a.after) for a, b in pairwise(bounds[1:])
             if b.after > a.after] or [(bounds[1].word, bounds[1].after - bounds[0].after)]
    per_page = sum(w for w, _ in known) / max(1, sum(p for _, p in known))

    def place(word: int) -> tuple[int, bool]:
        index = max(i for i, b in enumerate(bounds) if b.word <= word)
        here = bounds[index]
        following = bounds[index + 1] if index + 1 < len(bounds) else None
        last = following.after - 1 if following else None
        if word - here.word < per_page / 2 or last == here.after:
            return here.after, True
        if following is not None and last is not None and following.word - word < per_page / 2:
            return last, True
        page = here.after + int((word - here.word) // per_page)
        return (min(page, last) if last is not None else page), False

    result = {}
    for aligned in alignment.sections:
        first_word = bisect_left(offsets, aligned.start)
        last_word = max(first_word, bisect_left(offsets, aligned.end) - 1)
        (first, exact_first), (last, exact_last) = place(first_word), place(last_word)
        result[aligned.section.id] = PageRange(first, last, not (exact_first and exact_last))
    return result

