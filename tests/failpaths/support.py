"""Running the real `seminarbot` command with a deadline, and making files that are broken in
the ways a disk, a person or another program breaks them."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import MINI

BIN = [sys.executable, "-m", "seminarbot"]
DEADLINE = 60  # seconds: a command still running then has hung, which is the failure


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env.update(extra)
    return env


def config(folder: Path) -> Path:
    """The small test content, and a data directory of its own inside `folder`."""
    path = folder / "seminarbot.yaml"
    path.write_text(f"data_dir: {folder / 'data'}\ncontent_dir: {MINI.content}\n"
                    f"prompts_dir: {MINI.prompts}\nconsole:\n  user: ann\n")
    return path


def seminarbot(*args: str, stdin: str = "", cwd: Path | None = None,
               conf: Path | None = None, env: dict[str, str] | None = None,
               ) -> subprocess.CompletedProcess[str]:
    head = ["--config", str(conf)] if conf else []
    return subprocess.run([*BIN, *head, *args], input=stdin, capture_output=True, text=True,
                          env=env or environment(), cwd=cwd, timeout=DEADLINE, check=False)


def run_all(commands: list[tuple[str, ...]], **kwargs: object
            ) -> list[subprocess.CompletedProcess[str]]:
    """Several commands side by side (each its own process), results in order."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda args: seminarbot(*args, **kwargs), commands))  # type: ignore[arg-type]


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failing command printed on standard error (asserted single)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def seminar_database(folder: Path) -> Path:
    """A real database with a cohort, a posted session and a response, made through the
    console as a person would."""
    db = folder / "good.db"
    made = seminarbot("console", "--db", str(db), "--clock", "2026-01-05T09:00Z",
                      conf=config(folder),
                      stdin="/seminar setup tue 19:00 Europe/London\n/seminar post\n"
                            "/seminar respond 1.1 The soviets were councils first.\n")
    assert made.returncode == 0, made.stderr
    return db


def damage_pages(db: Path, table: str = "audit_log") -> None:
    """Overwrite the cell pointers of one table's root page: SQLite's integrity check reports
    it, and the file still opens."""
    conn = sqlite3.connect(db)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                            (table,)).fetchone()[0]
    finally:
        conn.close()
    with db.open("r+b") as file:
        file.seek((root - 1) * page_size + 8)
        file.write(b"\xff\x7f" * 64)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` may not be written by this process. As root (CI) file modes do not stop writes,
    so the file is made immutable (chattr +i) instead."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o600)
        return
    if shutil.which("chattr") is None:
        pytest.skip("as root a read-only file needs chattr, which is not installed")
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"this file system cannot make a file immutable: {made.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
