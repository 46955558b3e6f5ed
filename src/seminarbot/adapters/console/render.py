"""Replies and prompt posts as plain terminal text: wrapped paragraphs, tables aligned by the
columns a terminal gives each character, never wider than the terminal (down to a column a
cell). Widths, wrapping and padding are wcwidth's (prompt_toolkit's own measure): a CJK
character takes two columns, an emoji flag or a decomposed Hangul syllable one character
cell, none is split. Text is made terminal-safe (domain/display.py) before it is measured, as
it is printed. A piece of text cut over several lines is isolated again on each."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import wcwidth

from seminarbot.core.replies import PromptPost, Reply, Table, Tone, prompt_card, unmarked
from seminarbot.domain.display import isolate, terminal_safe

NARROWEST = 2  # terminal columns: a table's narrowest cut column, a line's least room (a CJK
# character's two)
GAP = 2  # columns between two of a table's columns
RULE_MOST = 60  # columns: how far a post's header rule reaches, if the terminal is that wide
_BREAKS = re.compile(r"([ \t\n\v\f\r]+)")


def columns_of(text: str) -> int:
    """The columns `text` takes on a terminal, once made terminal-safe (as it is printed)."""
    return int(wcwidth.width(terminal_safe(text)))


def _wrapped(text: str, width: int, first: str = "", later: str = "", *,
             cut: bool = True) -> list[str]:
    """`text`'s words in lines of at most `width` columns, `first` and `later` leading the
    first and the other lines (counted in); a word wider than a line is cut between two
    characters as shown (grapheme clusters), or with `cut` False stands whole on a line of
    its own (a path, which must stay whole to be used)."""
    width = max(width, NARROWEST + columns_of(later))
    text = terminal_safe(text)
    if cut:
        text = _long_words_cut(text, max(width - max(columns_of(first), columns_of(later)),
                                         NARROWEST))
    lines: list[str] = wcwidth.wrap(text, width, initial_indent=first, subsequent_indent=later,
                                    break_long_words=cut, break_on_hyphens=False,
                                    propagate_sgr=False)
    return lines


def _long_words_cut(text: str, room: int) -> str:
    """`text` with each word wider than a line's `room` (columns) cut at grapheme clusters
    into pieces a line wide, a space between them: each piece is on a line of its own, as
    wcwidth's wrap would cut the word, in time that grows with the word's length (wcwidth's
    own cutting took 16 s for 4,000 characters of flags). Words are told apart as wcwidth's
    wrap tells them (textwrap: ASCII whitespace only)."""
    parts = _BREAKS.split(text)  # words, and the whitespace between them
    if all(2 * len(word) <= room for word in parts[::2]):  # a character takes two at most
        return text
    for index in range(0, len(parts), 2):
        if 2 * len(parts[index]) > room:
            parts[index] = " ".join(_pieces(parts[index], room))
    return "".join(parts)


def _pieces(word: str, room: int) -> list[str]:
    pieces: list[str] = []
    piece: list[str] = []
    used = 0
    for grapheme in wcwidth.iter_graphemes(word):
        wide = int(wcwidth.width(grapheme))
        if piece and used + wide > room:
            pieces.append("".join(piece))
            piece, used = [], 0
        piece.append(grapheme)
        used += wide
    return [*pieces, "".join(piece)]


def wrap(text: str, width: int, indent: str = "", *, cut: bool = True) -> list[str]:
    """`text`'s paragraphs in lines of at most `width` columns (NARROWEST at least), each
    after `indent` where it leaves room, a paragraph's own leading spaces kept likewise; a
    word wider than a line cut, or with `cut` False, on a line of its own (`_wrapped`)."""
    if columns_of(indent) + NARROWEST > width:  # no room for it: the text starts at the edge
        indent = ""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        lead = paragraph[: len(paragraph) - len(paragraph.lstrip())]
        room = width - columns_of(indent)
        if columns_of(indent + lead) + 2 + NARROWEST > room:  # too narrow to be indented
            lead = ""
        lines.extend(isolate(line) for line in _wrapped(
            paragraph.strip(), room, indent + lead, indent + lead + ("  " if lead else ""),
            cut=cut) or [indent])
    return lines


def render_table(table: Table, width: int) -> list[str]:
    columns = len(table.headers)
    cells = [list(table.headers), *[list(row) for row in table.rows]]
    widths = _fitted([max(columns_of(row[i]) for row in cells) for i in range(columns)],
                     width - GAP * (columns - 1))
    lines = []
    for index, row in enumerate(cells):
        wrapped = [_cell_lines(cell, widths[i]) for i, cell in enumerate(row)]
        for depth in range(max(len(w) for w in wrapped)):
            parts = [_pad(w[depth] if depth < len(w) else "", widths[i])
                     for i, w in enumerate(wrapped)]
            lines.append((" " * GAP).join(parts).rstrip())
        if index == 0:
            lines.append((" " * GAP).join("-" * w for w in widths))
    return lines


def _fitted(natural: list[int], room: int) -> list[int]:
    """Column widths within `room` columns: the widest are cut to one width, the largest that
    fits (so a long command and a long description share the line, and a narrow column keeps
    its own), none below NARROWEST; a cut column wraps inside its cells."""
    if sum(natural) <= room:
        return natural
    low, high = NARROWEST, max(natural)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(min(each, cap) for each in natural) <= room:
            low = cap
        else:
            high = cap - 1
    return [min(each, low) for each in natural]


def _cell_lines(cell: str, columns: int) -> list[str]:
    """The cell's words in lines of at most `columns` as a terminal shows them."""
    if "\n" not in cell and columns_of(cell) <= columns:
        return [terminal_safe(cell)]
    return [isolate(piece) for piece in _wrapped(cell, columns)] or [""]


def _pad(text: str, columns: int) -> str:
    """Padded to `columns` as a terminal shows it."""
    return text + " " * max(0, columns - columns_of(text))


def render_reply(reply: Reply, width: int = 100,
                    saved: Sequence[Path] = ()) -> str:
    """`saved`: where the console wrote the reply's files, in order."""
    reply = unmarked(reply)
    lines: list[str] = []
    if reply.title:
        title = wrap(reply.tone.mark + reply.title, width)
        lines.extend(title)
        lines.append("=" * min(width, max(columns_of(line) for line in title)))
    for index, paragraph in enumerate(reply.paragraphs):
        # Without a title, an error's or a warning's mark leads its first paragraph.
        if index == 0 and not reply.title and reply.tone in (Tone.ERROR, Tone.WARNING):
            paragraph = reply.tone.mark + paragraph
        lines.extend(wrap(paragraph, width))
        lines.append("")
    for name, value in reply.fields:
        lines.extend(wrap(f"{name}:", width))
        lines.extend(wrap(value, width, indent="    "))
    if reply.fields:
        lines.append("")
    if reply.table is not None:
        lines.extend(render_table(reply.table, width))
        lines.append("")
    for index, attachment in enumerate(reply.attachments):
        where = f" saved to {saved[index]}" if index < len(saved) else ""
        lines.extend(wrap(f"[file] {attachment.filename} ({len(attachment.data):,} bytes)"
                          f"{where}", width, cut=False))
    if reply.footer:
        lines.extend(wrap(reply.footer, width))
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def fitted(text: str, width: int) -> str:
    """`text` with each line wider than `width` wrapped (`wrap`, no word cut: a path in it
    stays whole, on a line of its own if it is wider): what the console prints never runs
    past the terminal's edge, a line of its own making (a usage, an error) too."""
    return "\n".join(line if columns_of(line) <= width
                     else "\n".join(wrap(line, width, cut=False))
                     for line in text.split("\n"))


def render_post(post: PromptPost, width: int = 100) -> str:
    card = prompt_card(post, "/", threads=False)
    header = f"── {card.heading} ({card.kind}) "
    taken = columns_of(header)
    rule = "─" * (min(width, RULE_MOST) - taken)  # none past the rule's length: no space
    lines = [(header + rule) if rule else header.rstrip()] if taken <= width \
        else _wrapped(header, width)
    lines.extend(wrap(card.text, width))
    for question in card.follow_ups:
        lines.extend(wrap("– " + question, width, indent="  "))
    lines.extend(wrap(f"{card.length} {card.how_to_answer}".strip(), width))
    return "\n".join(lines)
