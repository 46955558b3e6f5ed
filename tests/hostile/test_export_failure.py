"""A write that fails half-way through an export (the disk fills up): a clear error, no partial
file, an audit entry saying it failed, and a database as it was."""

from __future__ import annotations

import asyncio
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.conftest import MINI, ConsoleDriver

LIMIT = 64 * 1024


def _small_disk(limit: int = LIMIT) -> Callable[[], None]:
    def limited() -> None:
        # A file-size limit makes the kernel refuse writes past `limit` bytes, as a full disk
        # would; with SIGXFSZ ignored the write fails with an error instead of killing us.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


def _export(config: Path, database: Path, out: Path, limit: int
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seminarbot", "--config", str(config), "export", "--db",
         str(database), "--cohort", "1", "--format", "csv", "--out", str(out)],
        capture_output=True, text=True, timeout=120, preexec_fn=_small_disk(limit), check=False)


async def test_a_full_disk_during_an_export(console: ConsoleDriver, app: Services,
                                            clock: ManualClock, tmp_path: Path) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    post = next(i for i in await app.outbox.for_cohort(1) if i.kind == "prompt")
    person = await app.participants.ensure("console", "console:ann", clock.now())
    await app.db.executemany(
        "INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id, participant_id,"
        " platform, message_id, body, created_at) VALUES (1, ?, ?, ?, ?, 'console', ?, ?, ?)",
        [(post.id, post.session_id, post.item, person.id, f"m{n}",
          f"Response {n}: " + "the soviets and the party " * 8, "2026-01-06T20:00:00Z")
         for n in range(2000)])
    database = app.settings.database
    await app.close()
    config = tmp_path / "c.yaml"
    config.write_text(f"content_dir: {MINI.content}\nprompts_dir: {MINI.prompts}\n")
    out = tmp_path / "exports"
    out.mkdir()
    whole = await asyncio.to_thread(_export, config, database, tmp_path / "whole.csv", 2**30)
    assert whole.returncode == 0, whole.stderr
    size = (tmp_path / "whole.csv").stat().st_size
    # Half-way, and in the very last bytes (still in the file's buffer when the export had
    # written everything: it once said "ok" in the audit log, then failed).
    for limit in (LIMIT, size - 5):
        await _refused_at(config, database, out, limit)


async def _refused_at(config: Path, database: Path, out: Path, limit: int) -> None:
    before = sqlite3.connect(database).execute(
        "SELECT COUNT(*), (SELECT COUNT(*) FROM audit_log) FROM responses").fetchone()
    result = await asyncio.to_thread(_export, config, database, out / "all.csv", limit)
    assert result.returncode == 1, (limit, result.stderr)
    assert "writing" in result.stderr and "failed (File too large)" in result.stderr
    assert "partial file was removed" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(out.iterdir()) == []
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count, audits = conn.execute(
            "SELECT COUNT(*), (SELECT COUNT(*) FROM audit_log) FROM responses").fetchone()
        assert count == before[0]
        assert audits == before[1] + 1
        action, outcome = conn.execute(
            "SELECT action, outcome FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        assert (action, outcome) == ("export", "failed")
    finally:
        conn.close()
