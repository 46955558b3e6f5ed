"""`seminarbot cohorts` and `seminarbot export` as an operator runs them on the server."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import pty
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.domain.exports import restore_cell
from tests.conftest import MINI, START, ConsoleDriver, make_settings
from tests.console.test_cli import BIN, cli
from tests.discussion import expected_rows, seed


@pytest.fixture
def mini_config(tmp_path: Path) -> Path:
    path = tmp_path / "seminarbot.yaml"
    path.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {MINI.content}\n"
                    f"prompts_dir: {MINI.prompts}\n")
    return path


def seeded(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    async def build() -> list[dict[str, Any]]:
        clock = ManualClock(START)
        app = await open_services(make_settings(tmp_path), clock)
        try:
            driver = ConsoleDriver(app, clock)
            await driver.console.start()
            await seed(driver, app, clock)
            return await expected_rows(app)
        finally:
            await app.close()

    rows = asyncio.run(build())
    return tmp_path / "seminar.db", rows


def test_export_writes_a_file_equal_to_the_database(tmp_path: Path, mini_config: Path) -> None:
    db, expected = seeded(tmp_path)
    listed = cli("cohorts", "--db", str(db), config=mini_config)
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:6] == ["1", "console", "this", "computer",
                                                         "console", "active"]
    out = tmp_path / "out" / "all.csv"
    out.parent.mkdir()
    done = cli("export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out", str(out),
               config=mini_config)
    assert done.returncode == 0, done.stderr
    assert f"exported {len(expected)} responses" in done.stderr
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [int(r["response_id"]) for r in rows] == [r["response_id"] for r in expected]
    assert [restore_cell(r["text"]) for r in rows] == [r["text"] for r in expected]
    assert sorted(p.name for p in out.parent.iterdir()) == ["all.csv"]  # no partial file left

    again = cli("export", "--db", str(db), "--cohort", "1", "--format", "html", "--out", str(out),
                config=mini_config)
    assert again.returncode == 1 and "exists" in again.stderr
    assert out.read_bytes().startswith("\ufeff".encode())  # untouched
    forced = cli("export", "--db", str(db), "--cohort", "1", "--format", "jsonl", "--session",
                 "2", "--out", str(out), "--force", config=mini_config)
    assert forced.returncode == 0, forced.stderr
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert lines == [r for r in expected if r["session_id"] == "later"]

    streamed = cli("export", "--db", str(db), "--cohort", "1", "--format", "markdown", "--out",
                   "-", "--participant", "bob", config=mini_config)
    assert streamed.returncode == 0 and streamed.stdout.startswith("# Transcript: ")

    audit = asyncio.run(_audit(tmp_path))
    assert [(row[0], row[2], row[3]) for row in audit] == [
        ("cli", "export", "ok"), ("cli", "export", "ok"), ("cli", "export", "ok")]
    assert json.loads(audit[1][4])["scope"] == {"session": "later"}
    # helper-193's 3: the entry named the export's own file name only, not where it went
    assert [json.loads(row[4])["written_to"] for row in audit] == [
        str(out), str(out), "standard output"]


async def _audit(tmp_path: Path) -> list[Any]:
    app = await open_services(make_settings(tmp_path), ManualClock(START))
    try:
        return list(await app.db.fetchall(
            "SELECT platform, actor_id, action, outcome, detail FROM audit_log"
            " WHERE platform = 'cli' ORDER BY id"))
    finally:
        await app.close()


def test_export_mistakes_are_named(tmp_path: Path, mini_config: Path) -> None:
    db, _ = seeded(tmp_path)
    base = ["export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "x.csv")]
    missing = cli(*base, "--cohort", "9", config=mini_config)
    assert missing.returncode == 2 and "there is no cohort 9" in missing.stderr
    bad_day = cli(*base, "--cohort", "1", "--since", "yesterday", config=mini_config)
    assert bad_day.returncode == 2 and "`--since` expects a date" in bad_day.stderr
    nowhere = cli(*base[:-1], str(tmp_path / "no" / "x.csv"), "--cohort", "1",
                  config=mini_config)
    assert nowhere.returncode == 2 and "does not exist" in nowhere.stderr
    assert not (tmp_path / "x.csv").exists()


def _on_a_terminal(argv: list[str]) -> bytes:
    """What a command writes when its standard output is a terminal (a pty), as raw bytes."""
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    process = subprocess.Popen(argv, stdout=terminal, stderr=subprocess.DEVNULL, env=env)
    os.close(terminal)
    out = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        out += chunk
    process.wait(timeout=60)
    os.close(controller)
    assert process.returncode == 0
    return out


@pytest.mark.parametrize("format_", ["csv", "markdown", "html", "jsonl"])
def test_an_export_to_a_terminal_sends_no_escape_sequence(
        tmp_path: Path, mini_config: Path, format_: str) -> None:
    # Issue 13's second try-out, finding 6: text stored before the normalisation (ESC, BEL)
    # reached the operator's terminal raw with --out -.
    db, _ = seeded(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE responses SET body = ? WHERE id = 1",
                     ("\x1b]0;pwned\x07\x1b[2J\x1b[31mRED\rfake", ))
    argv = [*BIN, "--config", str(mini_config), "export", "--db", str(db), "--cohort", "1",
            "--format", format_, "--out", "-"]
    shown = _on_a_terminal(argv)
    assert b"\x1b" not in shown and b"\x07" not in shown
    # Every format drops them as the write path does (domain/display.py `as_text`), a lone CR
    # made a line break, and keeps the words.
    assert b"pwned" in shown and b"mRED" in shown and b"fake" in shown
    assert b"mREDfake" not in shown
    piped = cli("export", "--db", str(db), "--cohort", "1", "--format", format_, "--out", "-",
                config=mini_config)
    assert piped.returncode == 0
    assert "\x1b" not in piped.stdout and "mRED" in piped.stdout and "fake" in piped.stdout


@pytest.mark.parametrize("form", ["csv", "jsonl", "markdown", "html"])
def test_a_damaged_row_is_exported_as_utf8_with_what_is_not_in_it_replaced(
        tmp_path: Path, mini_config: Path, form: str) -> None:
    """Bytes that are not UTF-8 in a reply and a name (a damaged file, another program's
    write) and a stamp that is not one: the export goes through, every file is UTF-8."""
    db, expected = seeded(tmp_path)
    with sqlite3.connect(db) as conn:
        first = expected[0]["response_id"]
        conn.execute("UPDATE responses SET body = CAST(X'41FF42C3' AS TEXT),"
                     " created_at = '2026-01-06T19:ab:00Z' WHERE id = ?", (first,))
        conn.execute("UPDATE participant_names SET display_name = CAST(X'C3' AS TEXT)")
    conn.close()
    out = tmp_path / f"out.{form}"
    done = cli("export", "--db", str(db), "--cohort", "1", "--format", form, "--out", str(out),
               config=mini_config)
    assert done.returncode == 0, done.stderr
    text = out.read_bytes().decode("utf-8")  # raises if any byte is not UTF-8
    assert "A\ufffdB\ufffd" in text
    if form == "jsonl":
        assert sorted(json.loads(line)["response_id"] for line in text.splitlines()) == sorted(
            r["response_id"] for r in expected)


def test_ids_a_damaged_row_holds_are_exported_or_named_in_one_sentence(
        tmp_path: Path, mini_config: Path) -> None:
    db, expected = seeded(tmp_path)
    first = expected[0]["response_id"]
    with sqlite3.connect(db) as conn:  # BLOBs where text belongs: exported, shown as text
        conn.execute("UPDATE responses SET session_id = X'FEFF', prompt_id = X'41' WHERE id = ?",
                     (first,))
        conn.execute("UPDATE outbox SET thread_id = X'34FF'")
    conn.close()
    for form in ("csv", "jsonl", "markdown", "html"):
        out = tmp_path / f"out.{form}"
        done = cli("export", "--db", str(db), "--cohort", "1", "--format", form, "--out",
                   str(out), config=mini_config)
        assert done.returncode == 0, done.stderr
        out.read_bytes().decode("utf-8")
    with sqlite3.connect(db) as conn:  # text that is not UTF-8: one sentence, exit 1
        conn.execute("UPDATE responses SET session_id = CAST(X'FEFF' AS TEXT) WHERE id = ?",
                     (first,))
    conn.close()
    done = cli("export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out",
               str(tmp_path / "again.csv"), config=mini_config)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert f"response {first}'s session_id cannot be read: it is stored damaged (it is not UTF-8" \
        " text)" in done.stderr


def test_a_damaged_cohort_row_is_listed_and_its_export_refused_in_one_sentence(
        tmp_path: Path, mini_config: Path) -> None:
    db, _ = seeded(tmp_path)
    with sqlite3.connect(db) as conn:  # another program's write
        conn.execute("UPDATE cohorts SET name = X'41FF', weekdays = 'tue'")
        conn.execute("UPDATE communities SET name = 42")
    conn.close()
    listed = cli("cohorts", "--db", str(db), config=mini_config)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].split()[:4] == ["1", "console", "42", "A\ufffd"]
    done = cli("export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out",
               str(tmp_path / "out.csv"), config=mini_config)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "cohort 1's weekdays cannot be read: it is stored damaged" in done.stderr
    assert not (tmp_path / "out.csv").exists()
