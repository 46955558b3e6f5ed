"""The console's tables line up as a terminal shows them: isolate characters around a name with
a bidirectional control take no column, a CJK character takes two (issue 13's second try-out,
finding 13)."""

from __future__ import annotations

from seminarbot.adapters.console.render import render_table
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
