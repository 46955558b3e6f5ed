"""The `seminarbot` command as a user runs it: piped, interactive (a real pty), restarted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seminarbot.storage.migrate import available
from tests.conftest import MINI

BIN = [sys.executable, "-m", "seminarbot"]


def cli(*args: str, stdin: str = "", env: dict[str, str] | None = None,
        config: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    full_env.update(env or {})
    head = ["--config", str(config)] if config else []
    return subprocess.run([*BIN, *head, *args], input=stdin, capture_output=True, text=True,
                          env=full_env, timeout=60, check=False)


@pytest.fixture
def mini_config(tmp_path: Path) -> Path:
    path = tmp_path / "seminarbot.yaml"
    path.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {MINI.content}\n"
                    f"prompts_dir: {MINI.prompts}\nconsole:\n  user: ann\n")
    return path


def modules_loaded_by(probe: str) -> str:
    """What a fresh interpreter running `probe` prints (the modules it found loaded)."""
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_a_subcommand_imports_its_own_module_and_not_the_others() -> None:
    probe = ("import sys\n"
             "from seminarbot.cli.main import build_parser\n"
             "build_parser(['--config', 'export', 'run'])\n"
             "print(sorted(m for m in sys.modules if m in ('seminarbot.cli.export', "
             "'seminarbot.cli.console', 'seminarbot.cli.db', 'seminarbot.cli.health', "
             "'seminarbot.cli.content', 'seminarbot.adapters.discord.cli', 'yaml')))\n")
    assert modules_loaded_by(probe) == "[]"
    assert "cohorts" in cli("cohorts", "--help").stdout
    assert "invalid choice: 'nosuch' (choose from 'run', 'health'" in cli("nosuch").stderr


def test_help_is_fast_and_loads_no_platform_library() -> None:
    probe = ("import sys, contextlib, io\n"
             "from seminarbot.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    try: main(['--help'])\n"
             "    except SystemExit: pass\n"
             "heavy = [m for m in sys.modules if m.split('.')[0] in "
             "('discord', 'nio', 'aiosqlite', 'yaml', 'aiohttp')]\n"
             "print(heavy)\n")
    assert modules_loaded_by(probe) == "[]"
    shown = cli("--help")
    assert shown.returncode == 0 and "console" in shown.stdout and "db" in shown.stdout


def test_piped_session_survives_a_restart(tmp_path: Path, mini_config: Path) -> None:
    db = tmp_path / "s.db"
    first = cli("console", "--db", str(db), "--clock", "2026-01-05T09:00Z", config=mini_config,
                stdin="/seminar setup tue 19:00 Europe/London\n/clock advance 2d\n"
                      "/seminar respond 1.2 Only if the chair rotates.\n")
    assert first.returncode == 0, first.stderr
    assert "✓ Seminar set up" in first.stdout
    assert first.stdout.count("── Session 1") == 3
    assert "Recorded your response to 1.2" in first.stdout

    second = cli("console", "--db", str(db), "--clock", "2026-01-08T09:00Z", config=mini_config,
                 stdin="/seminar mine\n/seminar schedule\n")
    assert second.returncode == 0, second.stderr
    assert "Only if the chair rotates." in second.stdout
    assert "posted" in second.stdout and "Tue 13 Jan 2026 19:00 GMT  scheduled" in second.stdout
    assert "── Session 1" not in second.stdout  # nothing posted twice after the restart


def test_live_clock_offset_is_kept_between_runs(tmp_path: Path, mini_config: Path) -> None:
    db = tmp_path / "live.db"
    cli("console", "--db", str(db), config=mini_config, stdin="/clock advance 30d\n")
    shown = cli("console", "--db", str(db), config=mini_config, stdin="/clock\n").stdout
    year_month = shown.split("Simulated time: ")[1][:10]
    assert year_month >= time.strftime("%Y-%m-%d", time.gmtime(time.time() + 29 * 86400))




def test_db_migrate_check_and_backup(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    migrated = cli("db", "migrate", "--db", str(db))
    shipped = available()
    names = ", ".join(f"{m.version:04d}_{m.name}" for m in shipped)
    assert migrated.returncode == 0
    assert f"schema version {shipped[-1].version} ({names})" in migrated.stdout
    assert "nothing to apply" in cli("db", "migrate", "--db", str(db)).stdout
    checked = cli("db", "check", "--db", str(db))
    assert checked.returncode == 0
    assert f"ok (schema version {shipped[-1].version})" in checked.stdout
    backup = cli("db", "backup", str(tmp_path / "copy.db"), "--db", str(db))
    assert backup.returncode == 0 and (tmp_path / "copy.db").exists()
    again = cli("db", "backup", str(tmp_path / "copy.db"), "--db", str(db))
    assert again.returncode == 1 and "exists" in again.stderr


def test_configuration_errors_name_file_key_and_expectation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scheduler:\n  grace_window: soon\n")
    result = cli("console", config=bad)
    assert result.returncode == 2
    assert f"{bad}: scheduler.grace_window: expected a duration" in result.stderr
    bad.write_text("matrix:\n  user_id: bot\n")
    assert "matrix.user_id: expected a full Matrix id" in cli("db", "check", config=bad).stderr
    bad.write_text("discord:\n  tokn: x\n")
    assert "discord.tokn: unknown key" in cli("db", "check", config=bad).stderr
    missing = cli("db", "check", config=tmp_path / "nope.yaml")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    env = cli("db", "check", env={"DISCORD_API_BASE": "discord.com"})
    assert "environment: DISCORD_API_BASE: expected a URL" in env.stderr
    bad_clock = cli("console", "--clock", "yesterday", "--db", str(tmp_path / "c.db"))
    assert bad_clock.returncode == 2 and "--clock expects an ISO instant" in bad_clock.stderr


def test_a_platform_commands_failure_is_one_redacted_line(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-103: `discord sync` printed Discord's error message itself: the token it quoted
    unredacted, an ESC raw, a line break that could forge a second line."""
    from seminarbot.cli import boundary
    from seminarbot.config.settings import CommandFailed

    token = "MTAxNDI.Gsecret.abcdefghijklmnopqrstuvwxyz"
    monkeypatch.setenv("DISCORD_TOKEN", token)

    def failing() -> int:
        raise CommandFailed(f"sync failed: 400 Bad Request: bad token {token} \x1b[31m\n"
                            "seminarbot: synced 4 commands")

    status = boundary.guarded(failing, database=lambda: None, data_dir=lambda: None,
                              debug=False)
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1, err
    assert err.startswith("seminarbot: sync failed: 400 Bad Request: bad token [redacted]"), err
    assert "\x1b" not in err and "Gsecret" not in err


def test_the_prompts_example_answers_a_prompt_meant_for_writing(tmp_path: Path) -> None:
    """helper-135: `/seminar prompt 4` showed `/seminar respond 4.1 …`, a prompt for
    discussion, as the example of answering in writing (the real content: 4.5 is written)."""
    result = cli("console", stdin="/seminar prompt 4\n",
                 env={"SEMINARBOT_DATA_DIR": str(tmp_path / "data")})
    said = " ".join(result.stdout.split())
    assert result.returncode == 0, result.stderr
    assert "e.g. /seminar respond 4.5 …" in said, said
