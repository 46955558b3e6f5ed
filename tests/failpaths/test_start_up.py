"""What a command checks before it makes anything: an empty path is a bad argument, a closed
standard output is one line, a disk too full to start on is blamed on the database and leaves
no empty lock, a damaged database is no backup."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MINI
from tests.failpaths.support import (
    BIN,
    DEADLINE,
    config,
    damage_pages,
    environment,
    one_line,
    seminar_database,
    seminarbot,
)


def test_an_empty_path_is_a_bad_argument_not_the_default(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for args, env in ((("cohorts", "--db", ""), {}),
                      (("export", "--cohort", "1", "--format", "csv", "--out", ""), {}),
                      (("db", "backup", " "), {}),  # "." exists, it said
                      (("--config", "", "cohorts"), {}),
                      (("content", "ingest", "", "--text", "priestland-2002"), {}),
                      (("console",), {"SEMINARBOT_DATA_DIR": ""}),
                      (("cohorts",), {"SEMINARBOT_DB": " "}),
                      (("cohorts",), {"SEMINARBOT_CONFIG": ""})):  # helper-140's 13
        result = seminarbot(*args, stdin="/clock\n",
                            env=environment(HOME=str(home), XDG_DATA_HOME="", **env))
        assert result.returncode == 2, (args, env, result.stderr)
        said = result.stderr.splitlines()[-1]
        assert "empty" in said or "is blank" in said, (args, env)
    assert not home.exists()


def test_an_export_to_a_closed_standard_output_is_one_line(tmp_path: Path) -> None:
    db = seminar_database(tmp_path)
    result = subprocess.run(
        [*BIN, "export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out", "-"],
        stdout=None, stderr=subprocess.PIPE, text=True, env=environment(), timeout=DEADLINE,
        check=False, pass_fds=(), preexec_fn=_close_stdout)
    assert result.returncode == 1, result.stderr
    assert one_line(result) == ("seminarbot: standard output is closed; nothing was exported "
                                "(use --out FILE)")


@pytest.mark.parametrize(("args", "closing"), [
    (("console",), "_close_stdin"), (("console",), "_close_stdout"),
    (("cohorts",), "_close_stdout"), (("db", "migrate"), "_close_stdout"),
    (("db", "check"), "_close_stdout")])
def test_a_closed_standard_stream_is_one_line_and_nothing_is_made(
        tmp_path: Path, args: tuple[str, ...], closing: str) -> None:
    """helper-140's 4 and 5: the console with standard input closed failed as an internal
    error (exit 70) after making its database; with standard output closed, answers vanished
    and the exit status was 0."""
    db = tmp_path / "fresh.db"
    result = subprocess.run(
        [*BIN, *args, "--db", str(db)], stdout=None, stderr=subprocess.PIPE, text=True,
        env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")), timeout=DEADLINE,
        check=False, preexec_fn=globals()[closing])
    assert result.returncode == 2, result.stderr
    stream = "input" if closing == "_close_stdin" else "output"
    assert one_line(result).startswith(f"seminarbot: standard {stream} is closed"), result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def _close_stdin() -> None:
    import os

    os.close(0)


def _close_stdout() -> None:
    import os

    os.close(1)


def _tiny_disk() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def test_a_full_disk_at_start_is_the_databases_and_leaves_no_lock(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    result = subprocess.run([*BIN, "console", "--db", str(db)], input="/clock\n",
                            capture_output=True, text=True, env=environment(),
                            preexec_fn=_tiny_disk, timeout=DEADLINE, check=False)
    assert result.returncode == 1, result.stderr
    line = one_line(result)
    assert line.startswith(f"seminarbot: {db}: ") and "standard output" not in line, line
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_a_backup_of_a_damaged_database_is_not_a_success(tmp_path: Path) -> None:
    db = seminar_database(tmp_path)
    damage_pages(db)
    target = tmp_path / "copy.db"
    result = seminarbot("db", "backup", str(target), "--db", str(db))
    assert result.returncode == 1, result.stdout
    assert "damaged" in one_line(result) and "backed up" not in result.stdout
    assert not target.exists()




def test_a_backup_to_standard_output_is_refused(tmp_path: Path) -> None:
    db = seminar_database(tmp_path)
    result = seminarbot("db", "backup", "-", "--db", str(db), cwd=tmp_path)
    assert result.returncode == 2 and "`-` (standard output) cannot hold" in one_line(result)
    assert not (tmp_path / "-").exists()


def test_a_blank_token_is_a_configuration_error_before_any_network(tmp_path: Path) -> None:
    """As `run` says it (adapters/discord/settings.py `incomplete`): `discord sync` with a
    token of spaces names the variable and goes nowhere (the API base is unreachable here)."""
    result = seminarbot("discord", "sync", env=environment(
        DISCORD_TOKEN=" \t", DISCORD_API_BASE="http://127.0.0.1:9",
        SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 2
    assert one_line(result).startswith("seminarbot: Discord is partly configured: DISCORD_TOKEN")


def test_a_content_or_prompts_folder_that_is_not_there_is_named(tmp_path: Path) -> None:
    """A mistyped prompts_dir started a seminar whose sessions had no prompts: it posted
    nothing, and said so nowhere (try32, 2). Now the folder and its key are named."""
    conf = config(tmp_path)
    for key in ("prompts_dir", "content_dir"):
        text = conf.read_text()
        typo = tmp_path / f"{key}-typo"
        conf.write_text("\n".join(f"{key}: {typo}" if line.startswith(f"{key}:") else line
                                  for line in text.splitlines()) + "\n")
        done = seminarbot("console", conf=conf, stdin="/seminar setup tue 19:00 UTC\n")
        assert done.returncode == 2 and not done.stdout, done.stdout
        assert f"{typo}: there is no such folder (check {key})" in done.stderr
        typo.write_text("a file")  # helper-150's 14: a file was said to be no folder at all
        done = seminarbot("console", conf=conf, stdin="/seminar setup tue 19:00 UTC\n")
        assert done.returncode == 2 and f"{typo}: is not a folder (check {key})" in done.stderr
        conf.write_text(text)


async def test_a_discord_that_never_answers_a_sync_is_one_line_with_its_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that takes the connection and says nothing: the sync waited aiohttp's 300 s,
    then said `sync failed: ` with no reason (helper-84). Now SYNC_LIMIT, and the reason."""
    from seminarbot.adapters.discord import cli
    from seminarbot.config.settings import CommandFailed, load_settings

    held: list[asyncio.StreamWriter] = []

    async def silent(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(cli, "SYNC_LIMIT", 0.5)
    settings = load_settings(None, {"DISCORD_TOKEN": "MTIz.Gh.fake",
                                    "DISCORD_API_BASE": f"http://127.0.0.1:{port}/api/v10",
                                    "SEMINARBOT_DATA_DIR": str(tmp_path / "data")})
    try:
        with pytest.raises(CommandFailed) as failed:  # the command line's boundary says it
            await cli.main(settings, argparse.Namespace(everywhere=False, guild="123"))
    finally:
        server.close()
        for writer in held:
            writer.close()
    assert str(failed.value) == (f"sync failed: Discord did not answer within 0.5 s "
                                 f"(http://127.0.0.1:{port}/api/v10)")


@pytest.mark.parametrize("token", ["abcd efgh.SECRET", "SECRET\x07bell", "SECRET\u20acuro"])
async def test_a_token_that_is_not_one_word_is_refused_by_sync_before_it_is_sent(
        tmp_path: Path, token: str) -> None:
    """helper-184's 2: `run` refused such a token in one line, but `discord sync` sent it
    (Discord refused it) or failed on the header ("sync failed: Forbidden control
    character…", exit 1). Both read one check of the settings now."""
    listened: list[bool] = []

    async def taken(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        listened.append(True)
        writer.close()

    server = await asyncio.start_server(taken, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        done = await asyncio.to_thread(
            seminarbot, "discord", "sync", "--guild", "123",
            env=environment(DISCORD_TOKEN=token, SEMINARBOT_DATA_DIR=str(tmp_path / "data"),
                            DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10"))
    finally:
        server.close()
    assert done.returncode == 2, done.stderr
    assert "holds a space, a line break, another control character or a letter" in one_line(done)
    assert "SECRET" not in done.stderr + done.stdout and listened == []


def test_an_unknown_text_to_ingest_is_a_usage_error(tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text("any text")
    result = seminarbot("content", "ingest", str(copy), "--text", "nonexist",
                        env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 2, result.stderr
    assert one_line(result).startswith("seminarbot: --text expects one of ")
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("args", [("--user", ""), ("--user", " x"), ("--clock", "garbage"),
                                  ("--clock", ""), ("--clock", "1999-12-31T00:00Z"),
                                  ("--clock", "2026-01-05T09:00"),
                                  ("--clock", "2026-01-05T09:00\nZ")])
def test_a_console_refusing_its_arguments_creates_nothing(tmp_path: Path,
                                                          args: tuple[str, str]) -> None:
    """A database and its lock were made, then the argument refused (helper-84)."""
    data = tmp_path / "data"
    result = seminarbot("console", *args, stdin="/clock\n",
                        env=environment(SEMINARBOT_DATA_DIR=str(data)))
    assert result.returncode == 2, result.stderr
    assert one_line(result).startswith(f"seminarbot: {args[0]} expects")
    assert one_line(result).endswith(" (seminarbot console --help shows the usage)")  # 168's 10
    assert not data.exists()


def test_a_console_clock_on_a_day_its_month_lacks_says_so(tmp_path: Path) -> None:
    """helper-167's 3: `--clock 2026-02-29T10:00Z` was told only the form it expects, where a
    date in chat is told its month's length."""
    result = seminarbot("console", "--clock", "2026-02-29T10:00Z", stdin="/clock\n",
                        env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 2
    assert one_line(result).endswith("got '2026-02-29T10:00Z' (February 2026 has 28 days.) "
                                     "(seminarbot console --help shows the usage)")
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(("args", "said"), [
    (("export", "--cohort", "1", "--cohort", "2", "--format", "csv", "--out", "x.csv"),
     "argument --cohort: given twice"),
    (("console", "--user", "a", "--user", "b"), "argument --user: given twice"),
    (("console", "--db", "x.db", "--db", "y.db"), "argument --db: given twice"),
    (("export", "--coh", "1", "--format", "csv", "--out", "x.csv"), "required: --cohort"),
])
def test_an_option_given_twice_or_cut_short_is_refused_not_guessed(
        tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    """argparse let the last of two win, and took `--coh` for `--cohort` (helper-85)."""
    result = seminarbot(*args, stdin="/clock\n", cwd=tmp_path,
                        env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 2, result.stderr
    assert said in one_line(result) and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [("--", "db", "check"), ("db", "--", "check"),
                                  ("db", "check", "--"), ("cohorts", "--")])
def test_a_double_dash_that_ends_the_options_changes_nothing(tmp_path: Path,
                                                            args: tuple[str, ...]) -> None:
    """helper-168's 9: `seminarbot -- db check` was refused, argparse (3.11) taking the `--`
    for the subcommand's name, and a last `--` for an argument nobody asked for."""
    env = environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data"))
    plain = seminarbot(*(word for word in args if word != "--"), env=env)
    result = seminarbot(*args, env=env)
    assert (result.returncode, result.stdout, result.stderr) == (
        plain.returncode, plain.stdout, plain.stderr) and plain.returncode != 2  # no usage error


@pytest.mark.parametrize("args", [
    ("console", "--clock=--"), ("console", "--user=--"), ("cohorts", "--db=--"),
    ("export", "--cohort=--", "--format", "csv", "--out", "x.csv"),
    ("export", "--cohort", "1", "--format=--", "--out", "-"),
    ("export", "--cohort", "1", "--format", "csv", "--out=--"),
    ("content", "ingest", "--text=--", "f.txt")])
def test_an_option_given_a_double_dash_with_equals_is_refused(tmp_path: Path,
                                                               args: tuple[str, ...]) -> None:
    """helper-177's 1: argparse (3.11) read `--OPT=--` as an empty list: internal errors, a
    choice never checked, defaults taken silently."""
    result = seminarbot(*args, cwd=tmp_path,
                        env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 2, result.stderr
    assert "expected one argument, and '--' only ends the options" in one_line(result)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "said"), [
    (("--", "foo"), "argument COMMAND: invalid choice: 'foo' (choose from 'run', 'health', "
                    "'console', 'db', 'content', 'discord', 'export', 'cohorts') "
                    "(seminarbot --help"),
    (("--config=--", "cohorts"), "argument --config: expected one argument, and '--' only ends "
                                 "the options (a file of that name is ./--) (seminarbot --help"),
    (("--config", "--", "cohorts"), "argument --config: expected one argument (seminarbot "
                                    "--help"),  # helper-175's 6: `--` is the option's value
    (("--", "--version"), "argument COMMAND: invalid choice: '--version': after --, a word is "
                          "the command's name (seminarbot --help"),  # helper-175's 7
    (("db", "check", "--bogus"), "unrecognized arguments: --bogus (seminarbot db check --help"),
    (("export", "--cohort", "1", "--format", "csv", "--out", "x.csv", "extra"),
     "unrecognized arguments: extra (seminarbot export --help"),
    (("content", "check", "x"), "unrecognized arguments: x (seminarbot content check --help"),
    (("--bogus", "cohorts"), "unrecognized arguments: --bogus (seminarbot --help"),
    (("cohorts", "--bogus"), "unrecognized arguments: --bogus (seminarbot cohorts --help"),
    (("export", "--cohort", "1", "--format", "csv", "--out", " "),
     "--out expects the path of a file, and it is blank (seminarbot export --help"),
    (("db", "backup", ""), "PATH expects the path of a file, and it is empty (seminarbot db "
                           "backup --help"),
    (("--config", "", "cohorts"), "--config expects the path of a file, and it is empty "
                                  "(seminarbot --help"),  # helper-168's 10: the top's option
    (("content", "check", "--texts", ""), "--texts expects the path of a folder, and it is "
                                          "empty (seminarbot content check --help"),  # 179's 8
    (("console", "--db", "-"), "--db expects the path of a file; `-` (standard input or output) "
                               "cannot be one (seminarbot console --help"),  # 179's 8: file `-`
    (("--config", "-", "cohorts"), "--config expects the path of a file; `-` (standard input or "
                                   "output) cannot be one (seminarbot --help"),
])
def test_a_usage_error_points_to_the_subcommand_s_help(
        tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    """helper-165's 4: a word no subcommand takes pointed to `seminarbot --help` (argparse's
    top parser says it), and `--out ' '` was called empty."""
    result = seminarbot(*args, cwd=tmp_path,
                        env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 2, result.stderr
    assert one_line(result) == f"seminarbot: error: {said} shows the usage)"
    assert list(tmp_path.iterdir()) == []


def test_a_path_holding_a_line_break_is_said_on_one_line(tmp_path: Path) -> None:
    """The error split in two at the path's line break (helper-84): it is shown as ␊."""
    folder = tmp_path / "a\nb"
    folder.mkdir()
    result = seminarbot("export", "--db", str(folder / "x.db"), "--cohort", "1", "--format",
                        "csv", "--out", str(tmp_path / "out.csv"),
                        env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 1
    assert one_line(result).startswith(f"seminarbot: {tmp_path}/a\u240ab/x.db: there is no ")


@pytest.mark.parametrize(("given", "shown"), [
    ("2026-01-05T09:00Z", "2026-01-05T09:00:00Z"), ("2026-01-05T09:00z", "2026-01-05T09:00:00Z"),
    ("2026-01-05T10:00+01:00", "2026-01-05T09:00:00Z"),
    ("2026-01-05 09:00Z", "2026-01-05T09:00:00Z")])
def test_a_console_clock_with_its_zone_is_taken(tmp_path: Path, given: str, shown: str) -> None:
    """RFC 3339's forms (a lower-case z too, and a space for the T)."""
    result = seminarbot("console", "--clock", given, stdin="/clock\n",
                        env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 0, result.stderr
    assert f"Simulated time: {shown} (UTC)" in result.stdout


@pytest.mark.parametrize("broken", ["not yaml", "no prompts file"])
@pytest.mark.parametrize("command", ["console", "run"])
def test_content_the_loader_refuses_leaves_no_data_folder(tmp_path: Path, broken: str,
                                                          command: str) -> None:
    """The database and its lock were made, then the content refused: the console's
    (helper-85), and `run`'s with a platform configured, whose heartbeat was left too."""
    import shutil

    content, prompts = tmp_path / "content", tmp_path / "prompts"
    shutil.copytree(MINI.content, content)
    shutil.copytree(MINI.prompts, prompts)
    if broken == "not yaml":
        with (content / "plan.yaml").open("a") as plan:
            plan.write("broken: [\n")
    else:
        next(prompts.glob("*.yaml")).unlink()
    conf = tmp_path / "c.yaml"
    conf.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {content}\n"
                    f"prompts_dir: {prompts}\n")
    # A Discord nothing answers for: the content must be refused before it is asked.
    env = environment(DISCORD_TOKEN="abc", DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
                      DISCORD_GATEWAY_URL="ws://127.0.0.1:9/") if command == "run" else None
    result = seminarbot(command, conf=conf, stdin="/clock\n", env=env)
    assert result.returncode == 2, result.stderr
    assert one_line(result).startswith("seminarbot: configuration error: ")
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("where", ["--db", "SEMINARBOT_DATA_DIR"])
@pytest.mark.parametrize("args", [("db", "migrate"), ("console",), ("cohorts",)])
def test_a_name_too_long_is_one_line(tmp_path: Path, args: tuple[str, ...], where: str) -> None:
    """helper-140's 2: a data folder whose name is too long broke the last-resort net itself
    (a traceback from writing the incident file), and such a --db was an internal error."""
    long = str(tmp_path / ("a" * 300))
    given = ["--db", f"{long}.db"] if where == "--db" else []
    env = {"SEMINARBOT_DATA_DIR": long if where != "--db" else str(tmp_path / "data")}
    result = seminarbot(*args, *given, stdin="/quit\n", env=environment(**env))
    assert result.returncode in (1, 2), result.stderr
    assert "File name too long" in one_line(result), result.stderr
    assert "incident" not in result.stderr and "Traceback" not in result.stderr


def test_what_blocks_a_path_is_found_whatever_stands_in_the_way(tmp_path: Path) -> None:
    """The explanations of a failure never fail themselves (helper-140's 1: a folder this user
    may not enter, or a name too long, raised again while the first error was explained)."""
    from seminarbot.cli.incidents import keep
    from seminarbot.storage.access import holds_no_files, permission_fix, read_only_mount

    too_long = tmp_path / ("a" * 300) / "seminarbot.db"
    assert not holds_no_files(too_long) and not read_only_mount(too_long)
    assert "chown" in permission_fix(too_long)
    _, where, written = keep("a traceback", tmp_path / ("b" * 300))
    assert written and "seminarbot-incident-" in where


def test_a_folder_this_user_may_not_enter_is_named_with_its_own_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-140's 1 and helper-144's 11: the fix named the file beneath (never made), and a
    folder already this user's was to be given to it (chown) where its mode was the fault."""
    import os

    from seminarbot.storage import access

    closed = tmp_path / "closed"
    closed.mkdir(mode=0o000)
    real = os.access
    monkeypatch.setattr(access.os, "access", lambda path, mode, **kw: False if Path(path) ==
                        closed else real(path, mode, **kw))
    try:
        said = access.permission_fix(closed / "x.db")
    finally:
        closed.chmod(0o700)
    assert f"`chmod u+rwx {closed}`" in said and "chown" not in said, said


def test_an_output_that_cannot_hold_every_character_gets_escapes_not_an_internal_error(
        tmp_path: Path) -> None:
    """helper-150's 6: with PYTHONIOENCODING=ascii (or latin-1) the console's first reply
    holding a dash or a curly quote was an internal error, exit 70. So it was under the C
    locale without UTF-8 mode, whose standard output escapes surrogates only."""
    c_locale = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    for encoding in ("ascii", "latin-1", "C locale"):
        env = environment(**c_locale) if encoding == "C locale" \
            else environment(PYTHONIOENCODING=encoding)
        result = seminarbot("console", "--clock", "2026-01-05T09:00Z", "--db",
                            str(tmp_path / f"{encoding}.db"),
                            stdin="/seminar setup tue 19:00 UTC\n", conf=config(tmp_path),
                            env={k: v for k, v in env.items() if v})
        assert result.returncode == 0, result.stderr
        assert "internal error" not in result.stderr, encoding
        assert "\\u2713 Seminar set up" in result.stdout, encoding


def test_an_output_in_utf_16_has_one_byte_order_mark(tmp_path: Path) -> None:
    """helper-160's 8: with PYTHONIOENCODING=utf-16 every reply began with a byte order mark
    of its own (each was encoded alone), which read as a stray U+FEFF before each."""
    result = subprocess.run([*BIN, "--config", str(config(tmp_path)), "console", "--db",
                             str(tmp_path / "x.db")], input=b"/term soviet\n/term duma\n",
                            capture_output=True, env=environment(PYTHONIOENCODING="utf-16"),
                            timeout=DEADLINE, check=False)
    assert result.returncode == 0, result.stderr
    shown = result.stdout.decode("utf-16")
    assert "\ufeff" not in shown and shown.count("Related") >= 1, shown[:300]


def _small_disk() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))  # some migrations fit


def test_a_migration_of_a_new_database_that_fails_leaves_no_half_built_one(
        tmp_path: Path) -> None:
    """helper-146's 5: `db migrate` of a new database on a full disk left it with 2 of 17
    migrations, its -wal, -shm and lock, taken later for a database."""
    db = tmp_path / "new.db"
    result = subprocess.run([*BIN, "db", "migrate", "--db", str(db)], capture_output=True,
                            text=True, env=environment(), preexec_fn=_small_disk,
                            timeout=DEADLINE, check=False)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert one_line(result).startswith(f"seminarbot: {db}: "), result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == []
    done = seminarbot("db", "migrate", "--db", str(db))  # with room: a whole one
    assert done.returncode == 0 and "schema version" in done.stdout, done.stderr


@pytest.mark.parametrize("limit", [8, 64, 192])
def test_a_first_console_on_a_nearly_full_disk_leaves_no_half_built_database(
        tmp_path: Path, limit: int) -> None:
    """helper-150's 10, helper-152's 7: the console's (and run's) first start with only a few
    kilobytes to write left its new database part way through its migrations, with its -wal
    and -shm. Database.open now removes a database it was making when that fails."""
    import resource
    import signal

    def nearly_full() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit * 1024, limit * 1024))

    db = tmp_path / "a" / "b" / "new.db"  # helper-155's 6: the folders made for it stayed
    result = subprocess.run([*BIN, "console", "--db", str(db)], input="/clock\n",
                            capture_output=True, text=True, env=environment(),
                            preexec_fn=nearly_full, timeout=DEADLINE, check=False)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert one_line(result).startswith(f"seminarbot: {db}: "), result.stderr
    assert f"past {limit} kB, this process's file-size limit" in one_line(result)
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_json_log_lines_stay_json_on_a_standard_error_that_cannot_hold_every_character(
        tmp_path: Path) -> None:
    """helper-152's 4: with PYTHONIOENCODING=ascii, `café` became `caf\\xe9` inside a JSON
    string, which no JSON reader takes."""
    import json

    conf = tmp_path / "c.yaml"
    conf.write_text(f"log_format: json\ndata_dir: {tmp_path}/café-😀\n")
    result = seminarbot("cohorts", conf=conf, env=environment(PYTHONIOENCODING="ascii"))
    assert result.returncode == 1, result.stderr
    (entry,) = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert f"{tmp_path}/café-😀/seminarbot.db: there is no database here" in entry["message"]


def test_a_start_refused_by_another_s_lock_removes_nothing_it_found_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-156's 4: a second console on a new path looked at what was missing, then found
    the lock taken by the first, which had made the folder and the database meanwhile; it
    removed them as its own (1 start in 21)."""
    import argparse
    from importlib import import_module

    from seminarbot.config.settings import load_settings
    from seminarbot.storage.lock import DatabaseInUse

    main = import_module("seminarbot.cli.main")  # the module (seminarbot.cli.main is a function)
    db = tmp_path / "n" / "x.db"

    def taken(database: Path) -> None:  # the first process, between the look and the lock
        db.parent.mkdir()
        db.write_bytes(b"the first console's")
        raise DatabaseInUse(database, None)

    monkeypatch.setattr(main, "exclusive", taken)
    settings = load_settings(None, {"SEMINARBOT_DATA_DIR": str(tmp_path)}, database=str(db))
    with pytest.raises(DatabaseInUse), main._locks(settings, argparse.Namespace(
            command="console")):
        pass
    assert db.read_bytes() == b"the first console's"


@pytest.mark.parametrize("kind", ["no table", "another program's"])
def test_a_database_found_at_the_path_is_never_removed_or_changed_by_a_failed_start(
        tmp_path: Path, kind: str) -> None:
    """helper-156's 1 and 3: an SQLite file with no table, made by another program, was taken
    for a new database and removed (its -wal too) when its migrations failed; another
    program's database was switched to WAL before it was refused."""
    import hashlib
    import sqlite3

    db = tmp_path / "x.db"
    with contextlib.closing(sqlite3.connect(db)) as made:
        made.execute("PRAGMA user_version = 1" if kind == "no table" else "CREATE TABLE t (a)")
        made.commit()
    before = hashlib.sha256(db.read_bytes()).hexdigest()

    def small() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    result = subprocess.run([*BIN, "console", "--db", str(db)], input="/clock\n",
                            capture_output=True, text=True, env=environment(),
                            preexec_fn=small, timeout=DEADLINE, check=False)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert db.exists(), result.stderr
    if kind == "another program's":
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before, result.stderr


async def test_a_first_db_migrate_stopped_while_its_database_is_made_leaves_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-187's 5: a stop in the fraction of a second while `db migrate` made a new
    database left an empty file (no table) that `db check` then took for one lacking every
    migration: the clean-up began only once the file was open."""
    from seminarbot.cli import db as db_cli
    from seminarbot.config.settings import load_settings
    from seminarbot.storage.db import Database

    real_open = Database.open

    async def stopped_while_made(path: Path, **options: object) -> Database:
        made = await real_open(path, migrate=False, create=True)
        await made.close()
        raise asyncio.CancelledError  # the stop's cancellation, as cli.stopping sends it

    monkeypatch.setattr(Database, "open", stopped_while_made)
    database = tmp_path / "new.db"
    settings = load_settings(None, {"SEMINARBOT_DATA_DIR": str(tmp_path / "data"),
                                    "SEMINARBOT_DB": str(database)})
    with pytest.raises(asyncio.CancelledError):
        await db_cli.main(settings, argparse.Namespace(db_command="migrate"))
    assert not database.exists() and not (tmp_path / "new.db-wal").exists()


# A real process stopped (SIGTERM) once the lock has made its new database, before any
# migration: where helper-190's stops landed.
STOPPED_AT_OPEN = """
import asyncio, os, signal, sys
from seminarbot.cli.main import main
from seminarbot.storage.db import Database

async def stopped(path, **options):
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.sleep(10)

Database.open = stopped
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(("command", "status"), [
    (["db", "migrate"], 143), (["console"], 0),
    (["content", "ingest", "--text", "mini-essay", str(MINI.content.parent / "texts" /
                                                       "mini-essay.txt")], 143)])
def test_a_stop_before_a_new_database_is_migrated_leaves_nothing(
        tmp_path: Path, command: list[str], status: int) -> None:
    """helper-190's 1, helper-191's 2: the lock makes the file before the command's work, so
    a stop before its migrations committed left an empty database, its lock and its folder
    (the console ends with 0 on SIGTERM, as the README says)."""
    import sys

    folder = tmp_path / "new"
    result = subprocess.run([sys.executable, "-c", STOPPED_AT_OPEN, "--config",
                             str(config(tmp_path)), *command, "--db", str(folder / "s.db")],
                            input="/clock\n", capture_output=True, text=True,
                            env=environment(), timeout=DEADLINE, check=False)
    assert result.returncode == status, (result.stdout, result.stderr)
    assert not folder.exists(), list(folder.iterdir())
