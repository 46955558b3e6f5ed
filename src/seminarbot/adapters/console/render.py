"""Replies and prompt posts as plain terminal text: wrapped paragraphs, tables aligned by the
columns a terminal gives each character. A piece of text cut over several lines is isolated
again on each (domain/display.py)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from seminarbot.core.replies import PromptPost, Reply, Table, Tone, prompt_card
from seminarbot.domain.display import isolate
from seminarbot.domain.display import width as columns_of

MIN_COLUMN = 12  # a table's narrowest cut column, in terminal columns


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        lead = paragraph[: len(paragraph) - len(paragraph.lstrip())]
        lines.extend(isolate(line) for line in textwrap.wrap(
            paragraph.strip(), width=max(20, width - len(indent)), initial_indent=indent + lead,
            subsequent_indent=indent + lead + ("  " if lead else ""), break_long_words=True,
            break_on_hyphens=False) or [indent])
    return lines


def render_table(table: Table, width: int) -> list[str]:
    columns = len(table.headers)
    cells = [list(table.headers), *[list(row) for row in table.rows]]
    gap = 2
    widths = _fitted([max(columns_of(row[i]) for row in cells) for i in range(columns)],
                     width - gap * (columns - 1))
    lines = []
    for index, row in enumerate(cells):
        wrapped = [_cell_lines(cell, widths[i]) for i, cell in enumerate(row)]
        for depth in range(max(len(w) for w in wrapped)):
            parts = [_pad(w[depth] if depth < len(w) else "", widths[i])
                     for i, w in enumerate(wrapped)]
            lines.append((" " * gap).join(parts).rstrip())
        if index == 0:
            lines.append((" " * gap).join("-" * w for w in widths))
    return lines


def _fitted(natural: list[int], room: int) -> list[int]:
    """Column widths within `room` columns: the widest are cut to one width, the largest that
    fits (so a long command and a long description share the line, and a narrow column keeps
    its own), none below MIN_COLUMN; a cut column wraps inside its cells."""
    if sum(natural) <= room:
        return natural
    low, high = MIN_COLUMN, max(natural)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(min(each, cap) for each in natural) <= room:
            low = cap
        else:
            high = cap - 1
    return [min(each, low) for each in natural]


def _cell_lines(cell: str, columns: int) -> list[str]:
    """The cell's words in lines of at most `columns` as a terminal shows them (textwrap counts
    characters: a CJK one takes two columns); a word wider than that is cut."""
    if "\n" not in cell and columns_of(cell) <= columns:
        return [cell]
    lines: list[str] = []
    line = ""
    for word in cell.split():
        while columns_of(word) > columns:
            if line:
                lines.append(line)
                line = ""
            head = _head(word, columns)
            lines.append(head)
            word = word[len(head):]
        joined = f"{line} {word}" if line else word
        if columns_of(joined) <= columns:
            line = joined
        else:
            lines.append(line)
            line = word
    return [isolate(piece) for piece in [*lines, line] if piece] or [""]


def _head(word: str, columns: int) -> str:
    """The longest start of `word` that fits `columns` (at least its first character)."""
    used = 0
    for index, char in enumerate(word):
        used += columns_of(char)
        if used > columns:
            return word[:max(index, 1)]
    return word


def _pad(text: str, columns: int) -> str:
    """Padded to `columns` as a terminal shows it: isolate characters take no column, CJK
    two (domain/display.py `width`)."""
    return text + " " * max(0, columns - columns_of(text))


def render_reply(reply: Reply, width: int = 100,
                    saved: Sequence[Path] = ()) -> str:
    """`saved`: where the console wrote the reply's files, in order."""
    lines: list[str] = []
    if reply.title:
        lines.append(reply.tone.mark + reply.title)
        lines.append("=" * min(width, len(lines[-1])))
    for index, paragraph in enumerate(reply.paragraphs):
        # Without a title, an error's or a warning's mark leads its first paragraph.
        if index == 0 and not reply.title and reply.tone in (Tone.ERROR, Tone.WARNING):
            paragraph = reply.tone.mark + paragraph
        lines.extend(wrap(paragraph, width))
        lines.append("")
    for name, value in reply.fields:
        lines.append(f"{name}:")
        lines.extend(wrap(value, width, indent="    "))
    if reply.fields:
        lines.append("")
    if reply.table is not None:
        lines.extend(render_table(reply.table, width))
        lines.append("")
    for index, attachment in enumerate(reply.attachments):
        where = f" saved to {saved[index]}" if index < len(saved) else ""
        lines.append(f"[file] {attachment.filename} ({len(attachment.data):,} bytes){where}")
    if reply.footer:
        lines.extend(wrap(reply.footer, width))
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def render_post(post: PromptPost, width: int = 100) -> str:
    card = prompt_card(post, "/", threads=False)
    header = f"── {card.heading} ({card.kind}) "
    lines = [header.ljust(min(width, max(len(header), 60)), "─")]
    lines.extend(wrap(card.text, width))
    for question in card.follow_ups:
        lines.extend(wrap("– " + question, width, indent="  "))
    lines.extend(wrap(f"{card.length} {card.how_to_answer}".strip(), width))
    return "\n".join(lines)
