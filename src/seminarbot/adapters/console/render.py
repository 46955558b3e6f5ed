"""Responses and prompt posts as plain terminal text: wrapped paragraphs, aligned tables."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from seminarbot.core.responses import PromptPost, Response, Table, Tone

_MARK = {Tone.ERROR: "✗ ", Tone.WARNING: "! ", Tone.SUCCESS: "✓ ", Tone.INFO: ""}


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        lead = paragraph[: len(paragraph) - len(paragraph.lstrip())]
        lines.extend(textwrap.wrap(paragraph.strip(), width=max(20, width - len(indent)),
                                   initial_indent=indent + lead,
                                   subsequent_indent=indent + lead + ("  " if lead else ""),
                                   break_long_words=True, break_on_hyphens=False) or [indent])
    return lines


def render_table(table: Table, width: int) -> list[str]:
    columns = len(table.headers)
    cells = [list(table.headers), *[list(row) for row in table.rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(columns)]
    gap = 2
    overflow = sum(widths) + gap * (columns - 1) - width
    if overflow > 0:
        # Give the widest column what is left; it wraps inside its cell.
        widest = max(range(columns), key=lambda i: widths[i])
        widths[widest] = max(12, widths[widest] - overflow)
    lines = []
    for index, row in enumerate(cells):
        wrapped = [textwrap.wrap(cell, widths[i]) or [""] for i, cell in enumerate(row)]
        for depth in range(max(len(w) for w in wrapped)):
            parts = [(w[depth] if depth < len(w) else "").ljust(widths[i])
                     for i, w in enumerate(wrapped)]
            lines.append((" " * gap).join(parts).rstrip())
        if index == 0:
            lines.append((" " * gap).join("-" * w for w in widths))
    return lines


def render_response(response: Response, width: int = 100,
                    saved: Sequence[Path] = ()) -> str:
    """`saved`: where the console wrote the response's files, in order."""
    lines: list[str] = []
    if response.title:
        lines.append(_MARK[response.tone] + response.title)
        lines.append("=" * min(width, len(lines[-1])))
    elif response.tone in (Tone.ERROR, Tone.WARNING) and response.paragraphs:
        lines.append(_MARK[response.tone].strip())
    for paragraph in response.paragraphs:
        lines.extend(wrap(paragraph, width))
        lines.append("")
    for name, value in response.fields:
        lines.append(f"{name}:")
        lines.extend(wrap(value, width, indent="    "))
    if response.fields:
        lines.append("")
    if response.table is not None:
        lines.extend(render_table(response.table, width))
        lines.append("")
    for index, attachment in enumerate(response.attachments):
        where = f" saved to {saved[index]}" if index < len(saved) else ""
        lines.append(f"[file] {attachment.filename} ({len(attachment.data):,} bytes){where}")
    if response.footer:
        lines.extend(wrap(response.footer, width))
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def render_post(post: PromptPost, width: int = 100) -> str:
    header = f"── Session {post.session_number}: {post.session_title} · prompt {post.prompt_ref} " \
             f"({post.kind}) "
    lines = [header.ljust(min(width, max(len(header), 60)), "─")]
    lines.extend(wrap(post.text, width))
    for question in post.follow_ups:
        lines.extend(wrap("– " + question, width, indent="  "))
    tail = f"Reply: /seminar respond {post.prompt_ref} TEXT"
    if post.suggested_words:
        tail = f"About {post.suggested_words} words. " + tail
    lines.append(tail)
    return "\n".join(lines)
