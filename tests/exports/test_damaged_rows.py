"""A damaged row (another program's write, a damaged file) reads the same in every export
format: all four export it, with U+FFFD for bytes that are not UTF-8 and a BLOB or number read
as text, or all four refuse the export with the same one sentence (storage/damage.py). Before,
the CSV export refused a row whose bytes were not UTF-8 where it also held a bidirectional
control, and JSON Lines refused a BLOB, where the other formats exported both."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from seminarbot.cli.export_services import open_export_services
from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.domain.errors import UserError
from seminarbot.domain.exports import FORMATS
from seminarbot.features.exports import build_request
from seminarbot.services.exporting import export_cohort
from seminarbot.storage.dbfile import describe
from tests.conftest import START, make_settings
from tests.console.test_export_cli import seeded

ACTOR = Actor("cli", "operator", "operator", is_moderator=True)
# (table, column, which rows): every stored value an export reads, but the integer ids.
PLACES = (
    ("responses", "body", "id IN (SELECT min(id) FROM responses)"),
    ("responses", "body", "1"),
    ("responses", "created_at", "id IN (SELECT min(id) FROM responses)"),
    ("responses", "edited_at", "id IN (SELECT max(id) FROM responses)"),
    ("responses", "session_id", "id IN (SELECT min(id) FROM responses)"),
    ("responses", "prompt_id", "id IN (SELECT max(id) FROM responses)"),
    ("responses", "message_id", "id IN (SELECT min(id) FROM responses)"),
    ("responses", "channel_id", "1"),
    ("participant_names", "display_name", "1"),
    ("participants", "external_id", "1"),
    ("outbox", "thread_id", "1"),
    ("outbox", "message_id", "1"),
    ("communities", "external_id", "1"),
)
# SQL values a damaged row may hold where text belongs.
VALUES = (
    "CAST(X'41FF42' AS TEXT)",  # not UTF-8
    "CAST(X'41FF42E280AE43' AS TEXT)",  # not UTF-8, with a bidirectional control (U+202E)
    "CAST(X'E280AE' AS TEXT)",  # a bidirectional control alone
    "X'4142'",  # a BLOB of UTF-8
    "X'41FF42'",  # a BLOB that is not UTF-8
    "X''",
    "42", "4.5", "NULL", "''",
    "CAST(X'410042' AS TEXT)",  # a NUL inside
    "'=1+1'",  # a formula
)


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, _ = seeded(tmp_path_factory.mktemp("seeded"))
    return db


async def _outcome(folder: Path, form: str) -> tuple[str, int] | str:
    """(the file as text, responses exported), or the one sentence that refused it."""
    app = await open_export_services(make_settings(folder), ManualClock(START))
    try:
        cohort = await app.cohorts.get(1)
        request = await build_request(app, cohort, form)
        chunks: list[bytes] = []
        result = await export_cohort(app, cohort, request, chunks.append, ACTOR)
    except sqlite3.Error as error:
        return describe(error)
    except UserError as error:
        return error.message
    finally:
        await app.close()
    return b"".join(chunks).decode("utf-8"), result.responses  # raises if any is not UTF-8


def _damaged(seeded_db: Path, folder: Path, damage: list[tuple[int, int]]) -> bool:
    """A copy of the seeded database with `damage` done to it; False if SQLite refuses it
    (a NOT NULL column)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    shutil.copy(seeded_db, folder / "seminar.db")
    with sqlite3.connect(folder / "seminar.db") as conn:
        for place, value in damage:
            table, column, rows = PLACES[place]
            try:
                conn.execute(f"UPDATE {table} SET {column} = {VALUES[value]} WHERE {rows}")
            except sqlite3.IntegrityError:
                return False
    conn.close()
    return True


@examples(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damage=st.lists(st.tuples(st.integers(0, len(PLACES) - 1),
                                 st.integers(0, len(VALUES) - 1)), min_size=1, max_size=3))
def test_every_format_reads_a_damaged_row_alike(
        seeded_db: Path, tmp_path_factory: pytest.TempPathFactory,
        damage: list[tuple[int, int]]) -> None:
    folder = tmp_path_factory.getbasetemp() / "damaged"
    if not _damaged(seeded_db, folder, damage):
        return
    outcomes = {form: asyncio.run(_outcome(folder, form)) for form in FORMATS}
    refused = {form: outcome for form, outcome in outcomes.items() if isinstance(outcome, str)}
    if refused:
        assert len(refused) == len(FORMATS) and len(set(refused.values())) == 1, outcomes
        assert "damaged" in next(iter(refused.values()))
        return
    counts = {outcome[1] for outcome in outcomes.values() if not isinstance(outcome, str)}
    assert counts == {_whole(seeded_db, tmp_path_factory)}, outcomes  # none dropped it


def _whole(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> int:
    """How many responses the undamaged database exports."""
    folder = tmp_path_factory.getbasetemp() / "whole"
    if not folder.exists():
        _damaged(seeded_db, folder, [])
    outcome = asyncio.run(_outcome(folder, "csv"))
    assert not isinstance(outcome, str)
    return outcome[1]
