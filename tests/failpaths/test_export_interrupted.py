"""Ctrl-C during `seminarbot export`, once or twice in a row (an impatient person; `timeout`
signals its process group as well), at any moment from start-up to the last page: the process
ends promptly with 130 or, when it had finished, 0; no traceback from any thread, no partial
file left, and nothing it opened keeps it alive (a connection's thread did, once in about ten
tries, when asyncio.run's own Ctrl-C handling cut the clean-up short)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_message
from tests.conftest import MINI, ConsoleDriver
from tests.failpaths.support import BIN, environment

COPIES = 40_000  # about a third of a second of export on the machines here
# After the command has begun (its partial file is there; a signal while the interpreter itself
# starts is Python's own), through opening the database, to the last pages.
DELAYS = (0, 0.005, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.25, 0.4)


@pytest.fixture
async def big(console: ConsoleDriver, app: Services, clock: ManualClock) -> Path:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    post = (await app.outbox.for_cohort(1))[0]
    await record_message(app, InboundMessage("console", "m0", Actor("console", "console:a", "a"),
                                             "a few words " * 40, clock.now(),
                                             reply_to=post.message_id))
    await app.db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id, participant_id,"
        " platform, message_id, body, created_at) SELECT r.cohort_id, r.outbox_id, r.session_id,"
        " r.prompt_id, r.participant_id, r.platform, 'm' || n.i, r.body || n.i, r.created_at"
        " FROM responses r, n", (COPIES,))
    return Path(app.db.path)


@pytest.mark.parametrize("twice", [False, True])
def test_ctrl_c_at_any_moment_of_an_export_ends_it_cleanly(big: Path, tmp_path: Path,
                                                           twice: bool) -> None:
    out = tmp_path / "out"
    out.mkdir()
    env = environment(SEMINARBOT_DATA_DIR=str(tmp_path / "cli"),
                      SEMINARBOT_CONTENT_DIR=str(MINI.content),
                      SEMINARBOT_PROMPTS_DIR=str(MINI.prompts))
    for delay in DELAYS:
        target = out / f"{delay}.jsonl"
        process = subprocess.Popen(
            [*BIN, "export", "--db", str(big), "--cohort", "1", "--format", "jsonl",
             "--out", str(target)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        begun = time.monotonic() + 30
        while not any(out.glob("*.partial")) and process.poll() is None:
            assert time.monotonic() < begun, "the export never began"
            time.sleep(0.001)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        if twice:
            time.sleep(0.01)
            process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail(f"still running 30 s after Ctrl-C at {delay} s")
        # 130, or ended by the signal itself (what a shell also shows as 130): a second Ctrl-C
        # after the command had unwound meets Python's own handler again.
        assert process.returncode in (0, 130, -signal.SIGINT), (delay, stderr)
        assert "Traceback" not in stderr and "Exception" not in stderr, (delay, stderr)
        leftovers = [p.name for p in out.iterdir() if p.name.endswith(".partial")]
        assert not leftovers, (delay, leftovers)
        # A file is there only if the export was complete (and said so) before the signal.
        assert target.exists() == ("exported" in stderr), (delay, stderr)
        assert process.returncode != 0 or target.exists()
        if process.returncode == 130:  # said so (helper-151's 5: it ended silently)
            assert "seminarbot: export stopped by SIGINT before its end; what it had not " \
                   "finished was not done" in stderr, (delay, stderr)
    # Each export that began is audited: complete, or stopped before the end.
    with sqlite3.connect(big) as db:
        details = [(outcome, json.loads(detail)) for outcome, detail in db.execute(
            "SELECT outcome, detail FROM audit_log WHERE action = 'export'")]
    db.close()
    outcomes = [(outcome, detail.get("reason")) for outcome, detail in details]
    # How far it got: JSON Lines has no header, so bytes written are responses written.
    assert all((d["bytes"] > 0) == (d["responses"] > 0) for _, d in details), details
    assert outcomes.count(("ok", None)) == len(list(out.glob("*.jsonl")))
    assert ("failed", "stopped before the end") in outcomes
    assert set(outcomes) <= {("ok", None), ("failed", "stopped before the end")}


# The export's command with a stop signal sent from inside one of its last steps: each
# connection's close (CI once saw an "ok" audit row and no file), putting the file in place.
STOPPED_INSIDE = """
import asyncio, os, signal, sys
import aiosqlite
from seminarbot.cli import main
step, signum = sys.argv.pop(1), getattr(signal, sys.argv.pop(1))
if step == "close":  # the closes once the export is complete (audited "ok"), not before
    import contextlib, sqlite3
    closing, database = aiosqlite.Connection.close, sys.argv[sys.argv.index("--db") + 1]
    def complete():
        with contextlib.closing(sqlite3.connect(database)) as db:
            return db.execute("SELECT 1 FROM audit_log WHERE action = 'export' AND "
                              "outcome = 'ok'").fetchone() is not None
    async def close(self):
        if complete():
            os.kill(os.getpid(), signum)
            await asyncio.sleep(0.05)
        await closing(self)
    aiosqlite.Connection.close = close
else:
    replace, link = os.replace, os.link
    def putting(how):
        def put(written, target):
            if step == "folder":  # --out became a folder meanwhile: putting it there fails
                os.mkdir(target)
            else:
                os.kill(os.getpid(), signum)
            how(written, target)
        return put
    os.replace, os.link = putting(replace), putting(link)
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(("step", "signum"), [("close", "SIGINT"), ("replace", "SIGINT"),
                                              ("replace", "SIGTERM")])
def test_a_stop_once_the_export_is_complete_does_not_undo_it(
        big: Path, tmp_path: Path, step: str, signum: str) -> None:
    """A stop while the connections of a finished export close, or while its file is put in
    place: the file stays, "ok" is audited, the command says so and ends with 0 (before: exit
    130 or 143, no file, and an "ok" audit row; once, a 20 s hang)."""
    target = tmp_path / "done.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", STOPPED_INSIDE, step, signum, "export", "--db", str(big),
         "--cohort", "1", "--format", "jsonl", "--out", str(target)], capture_output=True,
        text=True, timeout=60, env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "cli"),
                                               SEMINARBOT_CONTENT_DIR=str(MINI.content),
                                               SEMINARBOT_PROMPTS_DIR=str(MINI.prompts)))
    with sqlite3.connect(big) as db:
        audited = [outcome for (outcome,) in db.execute(
            "SELECT outcome FROM audit_log WHERE action = 'export'")]
    db.close()
    assert (done.returncode, audited, target.exists()) == (0, ["ok"], True), done.stderr
    assert "exported" in done.stderr and "Traceback" not in done.stderr
    assert len(target.read_text().splitlines()) == COPIES + 1


def test_a_file_that_cannot_be_put_in_place_after_all_is_audited_so(big: Path,
                                                                    tmp_path: Path) -> None:
    """--out became a folder between the last check and the rename (after the "ok" row): one
    line, exit 1, and a "failed" row after the "ok" one, so the log ends saying what is so."""
    target = tmp_path / "done.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", STOPPED_INSIDE, "folder", "SIGINT", "export", "--db", str(big),
         "--cohort", "1", "--format", "jsonl", "--out", str(target)], capture_output=True,
        text=True, timeout=60, env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "cli"),
                                               SEMINARBOT_CONTENT_DIR=str(MINI.content),
                                               SEMINARBOT_PROMPTS_DIR=str(MINI.prompts)))
    with sqlite3.connect(big) as db:
        rows = [(outcome, json.loads(detail).get("reason")) for outcome, detail in db.execute(
            "SELECT outcome, detail FROM audit_log WHERE action = 'export' ORDER BY id")]
    db.close()
    said = "something was put there meanwhile; choose a new file or add --force"
    assert done.returncode == 1 and f"failed ({said})" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and target.is_dir()
    assert rows == [("ok", None), ("failed", f"not put in place: {said}")]
