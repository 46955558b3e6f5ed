"""The console's tables line up as a terminal shows them: isolate characters around a name with
a bidirectional control take no column, a CJK character takes two (issue 13's second try-out,
finding 13)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from seminarbot.adapters.console.render import MIN_COLUMN, render_table
from seminarbot.core.replies import Reply, Table, isolated
from seminarbot.domain.display import width


def test_rows_with_isolated_or_wide_names_line_up() -> None:
    reply = isolated(Reply(table=Table(("name", "responses"), (
        ("\u202eevil", "1"), ("ann", "2"), ("中文名", "3"), ("\u05e9\u05dc\u05d5\u05dd", "4")))))
    assert reply.table is not None
    lines = render_table(reply.table, 80)
    assert len(lines) == 6  # a header, its rule and one line for each row
    columns = {width(line[:-1]) for line in lines[2:]}
    assert columns == {width(lines[1].split("  ")[0]) + 2}, lines


WORDS = st.text(alphabet=st.sampled_from("abcdefgh[]-/中文名"), min_size=1, max_size=30)
CELLS = st.lists(WORDS, max_size=12).map(" ".join)


@given(st.integers(min_value=1, max_value=5).flatmap(
           lambda n: st.lists(st.tuples(*[CELLS] * n), min_size=1, max_size=6)),
       st.integers(min_value=20, max_value=140))
def test_a_table_fits_the_width_and_keeps_every_character(rows: list[tuple[str, ...]],
                                                           room: int) -> None:
    """The widest column alone was cut, down to 12 columns: /help's commands, longer than
    their descriptions, stood one word a line. Now the widest are cut together, to the width
    that fits; every line fits where each column can have MIN_COLUMN, and nothing is lost."""
    headers, *body = rows
    table = Table(headers, tuple(body))
    lines = render_table(table, room)
    columns = len(headers)
    if columns * MIN_COLUMN + 2 * (columns - 1) <= room:
        assert all(width(line) <= room for line in lines), lines
    drawn = sorted("".join(lines).replace(" ", "").replace("-", ""))
    given_ = sorted("".join("".join(row) for row in rows).replace(" ", "").replace("-", ""))
    assert drawn == given_


def test_a_long_command_and_a_long_description_share_the_line() -> None:
    command = "/seminar export FORMAT [SESSION] [--since DATE] [--until DATE]"
    about = "Export the discussion as a file, in one of four formats, for a moderator"
    lines = render_table(Table(("command", "what it does", "who"),
                               ((command, about, "moderators"),)), 100)
    assert len(lines) == 4, lines  # each wraps once, neither one word a line
    assert all(width(line) <= 100 for line in lines)
