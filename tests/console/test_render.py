"""The console's text lines up as a terminal shows it and never runs past the terminal's
width: isolate characters around a name with a bidirectional control take no column, a CJK
character takes two (issue 13's second try-out, finding 13); an emoji flag or a decomposed
Hangul syllable is one character cell, never split (helper-97); at 40 columns and less a
table still fits, where a column was never cut below 12 (helper-97)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from wcwidth import iter_graphemes, width

from seminarbot.adapters.console.render import (
    NARROWEST,
    columns_of,
    fitted,
    render_post,
    render_reply,
    render_table,
    wrap,
)
from seminarbot.core.replies import Attachment, PromptPost, Reply, Table, isolated
from seminarbot.domain.display import FSI, PDF, PDI, RLO, terminal_safe


def test_rows_with_isolated_or_wide_names_line_up() -> None:
    reply = isolated(Reply(table=Table(("name", "responses"), (
        ("\u202eevil", "1"), ("ann", "2"), ("中文名", "3"), ("\u05e9\u05dc\u05d5\u05dd", "4")))))
    assert reply.table is not None
    lines = render_table(reply.table, 80)
    assert len(lines) == 6  # a header, its rule and one line for each row
    columns = {width(line[:-1]) for line in lines[2:]}
    assert columns == {width(lines[1].split("  ")[0]) + 2}, lines


# Characters a terminal shows in one cell, in two, or in none: a CJK one, an emoji flag (two
# regional indicators), a decomposed Hangul syllable (its jamo), an accent on its own code
# point, a soft hyphen, a zero-width space, an ESC (shown as a symbol).
SHOWN = ["a", "b", "-", "/", "[", "中", "名", "\U0001f1eb\U0001f1f7", "\u1100\u1161\u11a8",
         "e\u0301", "\u00ad", "\u200b", "\x1b"]
WORDS = st.lists(st.sampled_from(SHOWN), min_size=1, max_size=12).map("".join)
CELLS = st.lists(WORDS, max_size=12).map(" ".join)


def graphemes(lines: list[str]) -> list[str]:
    """What the lines show, but spaces, a table's rules and its isolates, in any order."""
    text = terminal_safe("".join(lines)).replace("\u2068", "").replace("\u2069", "")
    return sorted(g for g in iter_graphemes(text) if g not in (" ", "-", "\u200b"))


def given_graphemes(texts: list[str]) -> list[str]:
    return graphemes([text.replace("\n", " ") for text in texts])


@given(st.integers(min_value=1, max_value=5).flatmap(
           lambda n: st.lists(st.tuples(*[CELLS] * n), min_size=1, max_size=6)),
       st.integers(min_value=1, max_value=140))
def test_a_table_fits_the_width_and_keeps_every_character(rows: list[tuple[str, ...]],
                                                           room: int) -> None:
    """The widest column alone was cut, down to 12 columns: /help's commands, longer than
    their descriptions, stood one word a line, and at 40 columns a table of four ran past
    the edge. Now the widest are cut together, to the width that fits; every line fits where
    each column can have NARROWEST columns, nothing is lost, no character is split."""
    headers, *body = rows
    lines = render_table(Table(headers, tuple(body)), room)
    columns = len(headers)
    if columns * NARROWEST + 2 * (columns - 1) <= room:
        assert all(width(terminal_safe(line)) <= room for line in lines), lines
    assert graphemes(lines) == given_graphemes(["".join(row) for row in rows])


@given(st.lists(CELLS, min_size=1, max_size=4).map("\n".join),
       st.integers(min_value=1, max_value=120), st.sampled_from(["", "    "]))
def test_a_paragraph_fits_the_width_and_keeps_every_character(text: str, room: int,
                                                              indent: str) -> None:
    """Paragraphs were wrapped by characters (a CJK line took twice its room) and never
    narrower than 20 characters."""
    lines = wrap(text, room, indent)
    if room >= NARROWEST + 2 * len(indent):
        assert all(width(terminal_safe(line)) <= room for line in lines), lines
    assert graphemes(lines) == given_graphemes([text])


@given(st.lists(st.sampled_from([*SHOWN, " "]), min_size=1, max_size=80).map("".join),
       st.integers(min_value=NARROWEST, max_value=120))
def test_a_title_and_a_post_header_fit_the_width(words: str, room: int) -> None:
    """A title's rule was as long as its characters, not its columns; a post's header was
    padded to its own length, past a narrow terminal's edge."""
    lines = render_reply(Reply(title=words), room).split("\n")
    assert all(width(terminal_safe(line)) <= room for line in lines), lines
    post = PromptPost(cohort_id=1, channel_id="c", session_number=1, session_title=words,
                      prompt_id="p", prompt_ref="1.2", kind="comparison", text=words)
    header = render_post(post, room).split("\n")[0]
    assert width(terminal_safe(header)) <= room, header


def test_widths_count_terminal_columns() -> None:
    assert columns_of(f"{FSI}{RLO}ab{PDF}{PDI}") == 2
    assert columns_of("中文") == 4 and columns_of("e\u0301") == 1
    assert columns_of("\u200b") == 0 and columns_of("\x1b[31m") == 5  # ESC shown as ␛


def test_a_long_command_and_a_long_description_share_the_line() -> None:
    command = "/seminar export FORMAT [SESSION] [--since DATE] [--until DATE]"
    about = "Export the discussion as a file, in one of four formats, for a moderator"
    lines = render_table(Table(("command", "what it does", "who"),
                               ((command, about, "moderators"),)), 100)
    assert len(lines) == 4, lines  # each wraps once, neither one word a line
    assert all(width(line) <= 100 for line in lines)


def fits_or_stands_alone(lines: list[str], room: int) -> bool:
    """Every line fits `room`, but a word wider than it (a path) alone on its line."""
    return all(width(terminal_safe(line)) <= room or " " not in line.strip()
               for line in lines)


@given(st.lists(st.tuples(WORDS, CELLS), min_size=1, max_size=3), CELLS, CELLS, WORDS,
       st.integers(min_value=NARROWEST, max_value=120))
def test_every_part_of_a_reply_and_a_post_fits_the_width(
        fields: list[tuple[str, str]], paragraph: str, footer: str, name: str,
        room: int) -> None:
    """helper-100: a field's name (a timeline event's label ran to 123 columns at 100), a
    saved file's line, and at 2 to 5 columns a field's value or a post's follow-up (their
    indent took the room) ran past the edge. A saved file's path is never cut (it would not
    work copied): wider than the line, it stands alone."""
    reply = Reply(title=name, paragraphs=(paragraph,), fields=tuple(fields), footer=footer)
    lines = render_reply(reply, room)
    assert all(width(terminal_safe(line)) <= room for line in lines.split("\n")), lines
    post = PromptPost(cohort_id=1, channel_id="c", session_number=1, session_title=name,
                      prompt_id="p", prompt_ref="1.2", kind="comparison", text=paragraph,
                      follow_ups=(footer,))
    lines = render_post(post, room)
    assert all(width(terminal_safe(line)) <= room for line in lines.split("\n")), lines
    path = Path("/data") / "exports" / (name + ".csv")
    saved = render_reply(Reply(attachments=(Attachment(name + ".csv", b"x", "text/csv"),)),
                         room, saved=[path]).split("\n")
    assert fits_or_stands_alone(saved, room), saved
    assert terminal_safe(str(path)) in [line.split()[-1] for line in saved], saved


@given(st.lists(CELLS, min_size=1, max_size=4).map("\n".join),
       st.integers(min_value=NARROWEST, max_value=120))
def test_what_the_console_prints_fits_the_width_and_keeps_every_character(
        text: str, room: int) -> None:
    """The console's own lines (a usage, /clock's and /as's errors) were printed as they
    were, whatever the terminal's width (helper-100); a word is not cut (a path in it)."""
    lines = fitted(text, room).split("\n")
    assert fits_or_stands_alone(lines, room), lines
    assert graphemes(lines) == given_graphemes([text])
