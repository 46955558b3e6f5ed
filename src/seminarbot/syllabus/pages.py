"""Page ranges of sections, derived from the page markers a copy still has.

A copy extracted from a PDF keeps some page furniture: a running head that starts with the page
number (``118 European History Quarterly Vol. 32 No. 1``) and the printer's slug (``… Page
111``). Markers on neighbouring lines are one group, and each group *closes* the page it names:
the page after it is that number plus one.

Why closes: a PDF's text comes out in the order its objects were drawn, not as the page is
seen, and the copy shows that order. Its first page is certain, since the copy starts with the
article's title: that page's body comes first, and only after it the author's line (printed
under the title), the copyright footer and the slug. So a page's furniture, wherever it is
printed, follows that page's text, and the one later group (the head and slug of p. 118, on
adjacent lines with no text between them) ends p. 118, not begins it. That is an inference
from one page's order: the boundaries are as sure as it is, and everything between them is
estimated.

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


def _boundaries(raw: str, text_map: TextMap) -> list[_Boundary]:
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
    for word in sorted(marks):
        head_page, slug_page = marks[word]
        page = head_page if head_page is not None else slug_page
        assert page is not None
        result.append(_Boundary(word, page + 1))
    return result


def section_pages(text_map: TextMap, alignment: Alignment, raw: str) -> dict[str, PageRange]:
    """Each aligned section's page range; empty when the copy or the map gives no pages."""
    start_page = first_page(text_map)
    if start_page is None:
        return {}
    bounds = [_Boundary(0, start_page), *_boundaries(raw, text_map)]
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

