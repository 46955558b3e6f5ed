"""New rows numbered above every id their table ever held (migration 0018): a participant's,
a response's and an outbox row's id is never given again once its row is deleted."""

from __future__ import annotations

from typing import Literal

Numbered = Literal["participants", "responses", "outbox"]
LARGEST_ROWID = 2**63 - 1  # sqlite.org/autoinc.html


def next_id(table: Numbered) -> str:
    """An SQL expression for the id of a row about to be inserted into `table`: one more than
    both its largest id and the largest ever deleted from it (id_floors). Evaluated for each
    row of an executemany, so each row of a batch sees the one before it. Once the largest
    rowid is taken it is NULL, and SQLite picks an unused rowid itself, as it does for a
    table without AUTOINCREMENT (sqlite.org/autoinc.html)."""
    return (f"(SELECT CASE WHEN m < {LARGEST_ROWID} THEN m + 1 END FROM"
            f" (SELECT max(coalesce((SELECT max(id) FROM {table}), 0),"
            f" (SELECT last FROM id_floors WHERE name = '{table}')) AS m))")
