"""Replies and prompt posts as Discord embeds and files, within Discord's limits.

A reply too long for one embed (6,000 characters in all, 4,096 of description, 25 fields of
1,024) continues on further pages, each sent as its own message; files that would take a
message over Discord's upload limit are left off, with a note. Nothing sent pings anyone.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import discord
from discord.utils import escape_markdown

from seminarbot.core.replies import (
    Attachment,
    PromptPost,
    Reply,
    Table,
    Tone,
    Verbatim,
    prompt_card,
)
from seminarbot.domain.display import isolate, without_bidi_controls
from seminarbot.domain.titles import prompt_title
from seminarbot.domain.typed import spans

NO_PINGS = discord.AllowedMentions.none()
TITLE_MAX, DESCRIPTION_MAX, FIELDS_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX = 256, 4096, 25, 256, 1024
FOOTER_MAX, EMBED_MAX, CONTENT_MAX, THREAD_NAME_MAX = 2048, 6000, 2000, 100
FILES_MAX = 10  # per message
COLOURS = {Tone.INFO: 0x5865F2, Tone.SUCCESS: 0x57F287, Tone.WARNING: 0xFEE75C,
           Tone.ERROR: 0xED4245}
PROMPT_COLOUR = 0x3B88C3
KEY_MARK = " · "  # the outbox row's key ends a prompt's footer, after this

Rename = Callable[[str], str]


@dataclass
class Page:
    embed: discord.Embed
    files: list[discord.File] = field(default_factory=list)


def _chunks(text: str, limit: int) -> list[str]:
    """Cut at line ends, else spaces, else anywhere, into pieces of at most `limit`; a piece
    cut from the middle of a line is isolated on its own (domain/display.py)."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        piece = isolate(text[:cut].rstrip())
        if len(piece) > limit:  # closing what it left open does not fit: drop the controls
            piece = without_bidi_controls(text[:cut].rstrip())
        pieces.append(piece)
        text = isolate(text[cut:].lstrip("\n "))
    if text:
        pieces.append(text)
    return pieces


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def literal(text: str) -> str:
    """A participant's words as Discord shows them typed: its markup escaped, and each `<`,
    `@` and `/` too, so no mention, channel, role, emoji or timestamp is drawn for them and no
    command's name is read in them (slash.SlashCommands.rename passes an escaped slash by); a
    backslash before a symbol shows the symbol (Discord's markdown). A link's markup is
    escaped too (`ignore_links=False`): its escaped slashes make it no link (helper-154's 1)."""
    return escape_markdown(text, ignore_links=False).replace("<", "\\<").replace(
        "@", "\\@").replace("/", "\\/")


def showing_typed(rename: Rename) -> Rename:
    """`rename` for the bot's own words, with what a person typed quoted in them (marked,
    domain/typed.py) shown literally and left unrenamed."""
    def shown(text: str) -> str:
        return "".join(literal(piece) if was_typed else rename(piece)
                       for piece, was_typed in spans(text))
    return shown


def _cell(cell: str, rename: Rename) -> str:
    if isinstance(cell, Verbatim):
        return literal(cell)
    return "".join(literal(piece) if was_typed else escape_markdown(rename(piece))
                   for piece, was_typed in spans(cell))


def table_text(table: Table, rename: Rename = str) -> str:
    """A table as one line per row (code-block tables wrap badly on phones): the first cell in
    bold, the second as it is, the rest labelled with their column's header."""
    lines = []
    for row in table.rows:
        cells = [_cell(cell, rename) for cell in row]
        line = f"**{cells[0]}**" if cells and cells[0] else ""
        if len(cells) > 1 and cells[1]:
            line += f" — {cells[1]}" if line else cells[1]
        for header, cell in zip(table.headers[2:], cells[2:], strict=False):
            if cell:
                line += f" · {header}: {cell}"
        lines.append(line or "—")
    return "\n".join(lines)


def within_upload_limit(reply: Reply, limit: int) -> Reply:
    """Discord refuses a message whose files add up to more than `limit` (what the interaction
    says this server allows) or number more than ten. Files that do not fit are left off and
    the reply says so, and what to do instead."""
    kept: list[Attachment] = []
    left: list[Attachment] = []
    for attachment in reply.attachments:
        size = sum(len(a.data) for a in kept) + len(attachment.data)
        (kept if size <= limit and len(kept) < FILES_MAX else left).append(attachment)
    if not left:
        return reply
    names = ", ".join(f"{a.filename} ({_megabytes(len(a.data))})" for a in left)
    note = (f"Not attached, as Discord takes at most {FILES_MAX} files and "
            f"{_megabytes(limit)} in one message here: {names}. For an export, narrow it "
            "(session, since, until or participant), or ask whoever runs the bot for "
            "`seminarbot export`, which has no size limit.")
    return replace(reply, attachments=tuple(kept), paragraphs=(*reply.paragraphs, note),
                   tone=Tone.ERROR if reply.tone is Tone.ERROR else Tone.WARNING)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def attachments(reply: Reply) -> list[discord.File]:
    return [discord.File(io.BytesIO(a.data), filename=a.filename) for a in reply.attachments]


def render_reply(reply: Reply, rename: Rename = str) -> list[Page]:
    """The reply as embeds, one per page: commands named the Discord way by `rename`."""
    table_rename, rename = rename, showing_typed(rename)
    colour = COLOURS[reply.tone]
    footer = _cut(rename(reply.footer), FOOTER_MAX)
    blocks = [piece for paragraph in reply.paragraphs
              for piece in _chunks(rename(paragraph), DESCRIPTION_MAX)]
    if reply.table is not None:
        blocks += _chunks(table_text(reply.table, table_rename), DESCRIPTION_MAX)
    fields = []
    for name, value in reply.fields:
        shown = _cut(rename(name), FIELD_NAME_MAX - 10) or "—"
        for index, piece in enumerate(_chunks(rename(value), FIELD_VALUE_MAX) or ["—"]):
            fields.append((shown if index == 0 else shown + " (cont.)", piece))
    budget = EMBED_MAX - len(footer) - 100  # room for the footer and a continued title
    pages = [discord.Embed(title=_cut(rename(reply.title), TITLE_MAX) or None, colour=colour)]

    def fresh() -> discord.Embed:
        title = f"{_cut(rename(reply.title), TITLE_MAX - 12)} (continued)" \
            if reply.title else None
        pages.append(discord.Embed(title=title, colour=colour))
        return pages[-1]

    embed = pages[0]
    for block in blocks:
        description = embed.description or ""
        joined = f"{description}\n\n{block}" if description else block
        if description and (len(joined) > DESCRIPTION_MAX or len(embed) + len(block) > budget):
            embed, joined = fresh(), block
        embed.description = joined
    for name, value in fields:
        if len(embed.fields) >= FIELDS_MAX or len(embed) + len(name) + len(value) > budget:
            embed = fresh()
        embed.add_field(name=name, value=value, inline=False)
    if footer:
        embed.set_footer(text=footer)
    if not (pages[0].title or pages[0].description or pages[0].fields):
        pages[0].description = "Done."
    result = [Page(e) for e in pages]
    result[0].files = attachments(reply)
    image = next((a for a in reply.attachments if a.media_type.startswith("image/")), None)
    if image is not None:
        result[0].embed.set_image(url=f"attachment://{image.filename}")
    return result


def prompt_embed(post: PromptPost, rename: Rename = str) -> discord.Embed:
    card = prompt_card(post, "/")
    lines = [card.text]
    if card.follow_ups:
        lines.append("\n".join(f"– {question}" for question in card.follow_ups))
    if card.length:
        lines.append(f"*{card.length}*")
    embed = discord.Embed(title=_cut(card.heading, TITLE_MAX),
                          description=_cut("\n\n".join(lines), DESCRIPTION_MAX),
                          colour=PROMPT_COLOUR)
    embed.add_field(name="Kind", value=card.kind, inline=True)
    embed.set_footer(text=rename(card.how_to_answer) + KEY_MARK + post.idempotency_key)
    return embed


def carries_key(embed: discord.Embed, key: str) -> bool:
    """Whether this is the prompt post made for the outbox row with this key."""
    return (embed.footer.text or "").endswith(KEY_MARK + key)


def thread_name(post: PromptPost) -> str:
    """A prompt's thread, or forum post, is titled "1.2 · short title"."""
    return prompt_title(post.prompt_ref, post.text, THREAD_NAME_MAX)


def plain(text: str) -> str:
    """A notice as message content: within the length limit (it pings nobody when sent)."""
    return _cut(text, CONTENT_MAX)
