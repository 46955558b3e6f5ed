"""The last-resort net: a bug anywhere in a subcommand is one line with an incident id and the
log file that holds the traceback, exit 70; the traceback reaches the terminal only with
--debug. And a failed open leaves no connection thread behind (which is what used to hang)."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from seminarbot.storage.db import Database
from seminarbot.storage.dbfile import DatabaseUnusable
from tests.failpaths.support import DEADLINE, config, environment, seminarbot

# A real process whose `db check` has a bug: the subcommand raises something no one expected
# after the database was opened.
BUGGY = textwrap.dedent("""
    import sys
    from seminarbot.cli.main import main
    from seminarbot.storage import migrate

    async def broken(database):
        raise ZeroDivisionError("a bug")

    migrate.problems = broken
    sys.exit(main(sys.argv[1:]))
""")


def buggy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BUGGY, *args], capture_output=True, text=True,
                          env=environment(), timeout=DEADLINE, check=False)


def test_an_incidents_traceback_holds_no_secret(tmp_path: Path) -> None:
    """The incident file and --debug's traceback are logs too (issue 18: no secret in a log)."""
    conf = config(tmp_path)
    (tmp_path / "data").mkdir()
    assert buggy("--config", str(conf), "db", "migrate").returncode == 0
    leaky = BUGGY.replace('"a bug"', '"a bug: POST /interactions/1/aW50ZXJhY3Rpb246eHl6/cb"'
                                     ' + " token=syt_abcdefghijkl"')
    result = subprocess.run([sys.executable, "-c", leaky, "--config", str(conf), "--debug",
                             "db", "check"], capture_output=True, text=True, env=environment(),
                            timeout=DEADLINE, check=False)
    assert result.returncode == 70, result.stderr
    [kept] = (tmp_path / "data").glob("incident-*.log")
    for text in (result.stderr, kept.read_text()):
        assert "ZeroDivisionError: a bug: POST /interactions/1/[redacted]/cb" in text
        assert "syt_" not in text and "aW50" not in text and "token=[redacted]" in text


def test_an_unexpected_error_is_one_line_an_incident_and_exit_70(tmp_path: Path) -> None:
    conf = config(tmp_path)
    (tmp_path / "data").mkdir()
    result = buggy("--config", str(conf), "db", "migrate")
    assert result.returncode == 0, result.stderr
    result = buggy("--config", str(conf), "db", "check")
    assert result.returncode == 70
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    found = re.fullmatch(r"seminarbot: internal error ZeroDivisionError \(incident "
                         r"([0-9a-f]{12})\); the traceback is in (\S+)\. Nothing more was "
                         r"done; please report it with that file\.", lines[0])
    assert found, lines[0]
    log = Path(found.group(2))
    assert log == tmp_path / "data" / f"incident-{found.group(1)}.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    kept = log.read_text()
    assert "Traceback" in kept and "ZeroDivisionError: a bug" in kept and "db check" in kept


def test_debug_puts_the_traceback_on_the_terminal_too(tmp_path: Path) -> None:
    conf = config(tmp_path)
    buggy("--config", str(conf), "db", "migrate")
    result = buggy("--config", str(conf), "--debug", "db", "check")
    assert result.returncode == 70
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("seminarbot: internal error")


def test_without_a_data_directory_the_log_goes_to_the_temporary_folder(tmp_path: Path) -> None:
    conf = config(tmp_path)
    db = tmp_path / "elsewhere.db"
    buggy("--config", str(conf), "db", "migrate", "--db", str(db))
    result = buggy("--config", str(conf), "db", "check", "--db", str(db))
    assert result.returncode == 70
    log = Path(re.findall(r"the traceback is in (\S+)\.", result.stderr)[0])
    try:
        assert log.name.startswith("seminarbot-incident-") and log.exists()
        assert not (tmp_path / "data").exists()  # never created for an incident
    finally:
        log.unlink()


@pytest.mark.parametrize("content", [b"hello\n", b"", b"SQLite format 3\x00" + b"\xff" * 200])
async def test_a_failed_open_leaves_no_thread_behind(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(content)
    for create in (True, False):
        with pytest.raises(DatabaseUnusable, match=re.escape(str(path))):
            await Database.open(path, create=create)
    workers = [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]
    for worker in workers:
        worker.join(timeout=5)  # a thread still running keeps the interpreter from exiting
    assert not any(worker.is_alive() for worker in workers)


def test_lines_that_quote_a_platform_or_a_file_send_no_escape_sequence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The kind of issue 13's second try-out, finding 6: what the command line prints may quote
    # words it did not write (an error from a homeserver, a name); they are shown, not obeyed.
    from argparse import Namespace

    from seminarbot.cli import health
    from seminarbot.cli.boundary import say
    from seminarbot.config.settings import Settings

    evil = "\x1b]0;pwned\x07\x1b[2J\x1b[31mRED"
    say(f"the homeserver said {evil}")
    beat = tmp_path / "heartbeat"
    beat.write_text(json.dumps({"platforms": {"matrix": {
        "state": "retrying", "since": "2020-01-01T00:00:00Z", "detail": f"sync refused: {evil}"}}}))
    settings = Settings(data_dir=tmp_path, database=tmp_path / "x.db")
    assert health.main(settings, Namespace(max_age=10**9, max_down=0, json=False)) == 1
    said = capsys.readouterr().err
    assert "\x1b" not in said and "\x07" not in said
    assert said.count("␛[31mRED") == 2


def test_a_refused_configuration_never_repeats_a_secret(tmp_path: Path) -> None:
    """A token pasted into the wrong key, or a value equal to a secret in the environment, is
    quoted redacted (try32, 6): standard error is the log in a container."""
    conf = config(tmp_path)
    token = "syt_" + "abcdefghijklmnop_123"
    with conf.open("a") as file:
        file.write(f"matrix:\n  homeserver: http://127.0.0.1:1\n  user_id: {token}\n"
                   "  password: x\n")
    done = seminarbot("run", conf=conf, env=environment(MATRIX_PASSWORD="hunter2secret"))
    assert done.returncode == 2 and "matrix.user_id" in done.stderr
    # A user id that is none is not quoted at all: a secret set there need not look like one
    assert token not in done.stderr and "a value of 24 characters" in done.stderr
    conf.write_text(conf.read_text().replace(token, "hunter2secret"))  # the password, here
    done = seminarbot("run", conf=conf, env=environment(MATRIX_PASSWORD="hunter2secret"))
    assert done.returncode == 2 and "matrix.user_id" in done.stderr
    assert "hunter2secret" not in done.stderr


# A real console whose retention sweep (the scheduler's housekeeping) and whose /seminar stats
# have a bug: each is caught by its own boundary and logged, and the console goes on.
BUGGY_CONSOLE = textwrap.dedent("""
    import sys
    from seminarbot.cli.main import main
    from seminarbot.features import stats
    from seminarbot.services import retention

    async def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    retention.RetentionSweep.__call__ = broken
    stats.stats = broken
    sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.parametrize("debug", [False, True])
def test_on_the_console_a_logged_fault_is_one_line_and_an_incident_file(
        tmp_path: Path, debug: bool) -> None:
    """The console's terminal is a person's, not a log's: a fault its boundaries catch (here
    the retention sweep's, at every scheduler pass, and a command's) is one line there saying
    where the traceback is; `--debug` shows it there too."""
    conf = config(tmp_path)
    (tmp_path / "data").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", BUGGY_CONSOLE, "--config", str(conf),
         *(["--debug"] if debug else []), "console"],
        input="/seminar setup tue 18:00 Europe/Berlin\n/seminar stats\n",
        capture_output=True, text=True, env=environment(), timeout=DEADLINE, check=False)
    assert result.returncode == 0, result.stderr
    assert "Seminar set up" in result.stdout and "incident" in result.stdout
    kept = sorted((tmp_path / "data").glob("incident-*.log"))
    if debug:
        assert "Traceback (most recent call last)" in result.stderr and not kept
        return
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    faults = [line for line in lines if "the traceback is in" in line]
    sweeps = {line.split("(the traceback")[1] for line in faults
              if "housekeeping task RetentionSweep failed" in line}
    assert len(sweeps) == 1, lines  # the same fault at every pass: one file, named each time
    assert any("failed (incident" in line and "seminar stats" in line for line in faults)
    for line in faults:
        log = Path(re.findall(r"the traceback is in (\S+)\)", line)[0])
        assert log in kept and stat.S_IMODE(log.stat().st_mode) == 0o600
        assert "ZeroDivisionError: a bug" in log.read_text()


@pytest.mark.parametrize("key", ["password", "access_token"])
def test_a_secret_of_the_file_quoted_by_another_key_s_refusal_is_redacted(
        tmp_path: Path, key: str) -> None:
    """helper-128's 1: a password of the file itself, pasted into another key too, was quoted
    back whole: only the environment's secrets and token shapes were known by then."""
    conf = config(tmp_path)
    secret = "Tr0ub4dor&3horse"
    with conf.open("a") as file:
        file.write(f"matrix:\n  homeserver: http://127.0.0.1:1\n  user_id: '@b:x'\n"
                   f"  {key}: '{secret}'\n  command_prefix: '{secret}'\n")
    done = seminarbot("run", conf=conf)
    assert done.returncode == 2 and "matrix.command_prefix" in done.stderr
    assert secret not in done.stderr and "[redacted]" in done.stderr


@pytest.mark.parametrize(("given", "where"), [
    ("log_level: 'Tr0ub4dor&3horse'\n", "log_level"),  # quoted upper-cased
    ("log_format: 'Tr0ub4dor&3horse'\n", "log_format"),  # lower-cased
    ("console:\n  user: \"Tr0ub4dor&3horse" + "x" * 70 + "\\t\"\n", "console.user")])  # cut
def test_a_secret_quoted_changed_or_cut_is_redacted(tmp_path: Path, given: str,
                                                    where: str) -> None:
    """helper-129's 1 and 2: the password quoted in another case, or its first 60 characters
    only, was not found by the redaction."""
    secret = "Tr0ub4dor&3horse" + ("x" * 70 if where == "console.user" else "")
    conf = tmp_path / "c.yaml"
    conf.write_text(f"discord:\n  token: '{secret}'\n{given}")
    done = seminarbot("run", conf=conf)
    assert done.returncode == 2 and where in done.stderr, done.stderr
    assert "tr0ub4dor" not in done.stderr.lower() and "[redacted]" in done.stderr


@pytest.mark.parametrize(("token", "env"), [
    ("|\n    MySuperSecretValue42", None),  # a block scalar: the value ends in a line break
    (">\n    MySuperSecretValue42", None),
    ("'  MySuperSecretValue42'", None),
    ('"MySuperSecretValue42\\u00a0"', None),
    ('"\\u200bMySuperSecretValue42"', None),  # helper-152's 14: a zero-width space pasted too
    (None, "MySuperSecretValue42\r"),  # an .env file written on Windows
    (None, " MySuperSecretValue42")])
def test_a_secret_given_with_blanks_around_it_is_redacted_as_it_is_read(
        tmp_path: Path, token: str | None, env: str | None) -> None:
    """helper-147's 1: every setting is read trimmed, but the secret was remembered as given,
    so a refusal quoting the trimmed value showed it."""
    conf = tmp_path / "c.yaml"
    conf.write_text("discord:\n" + (f"  token: {token}\n" if token else "")
                    + "  test_guild: MySuperSecretValue42\n")
    done = seminarbot("run", conf=conf,
                      env=environment(**({"DISCORD_TOKEN": env} if env else {})))
    assert done.returncode == 2 and "discord.test_guild" in done.stderr, done.stderr
    assert "MySuperSecret" not in done.stderr and "got '[redacted]'" in done.stderr


def test_a_tag_is_refused_without_quoting_it(tmp_path: Path) -> None:
    """helper-129's 3: an unquoted secret beginning with ! was quoted by PyYAML's message."""
    conf = tmp_path / "c.yaml"
    conf.write_text("discord:\n  token: !MyS3cretPassw0rd\n")
    done = seminarbot("run", conf=conf)
    assert done.returncode == 2 and "MyS3cret" not in done.stderr
    assert "a value beginning with ! is read as a YAML tag: quote it" in done.stderr


def test_a_key_that_is_a_list_is_not_said_to_be_a_tag(tmp_path: Path) -> None:
    """helper-150's 14: PyYAML's refusal of an unhashable key was told as a YAML tag."""
    conf = tmp_path / "c.yaml"
    conf.write_text("? [a]\n: 2\n")
    done = seminarbot("run", conf=conf)
    assert done.returncode == 2 and "a key that is a list or a mapping" in done.stderr
    assert "YAML tag" not in done.stderr


def test_a_secret_of_the_file_inside_a_longer_word_is_redacted(tmp_path: Path) -> None:
    """helper-131's 1: a secret of one word was found as a whole word only: inside another
    value (`xHunter2Secret99`, a path) it was quoted back."""
    conf = tmp_path / "c.yaml"
    conf.write_text("matrix:\n  password: 'Hunter2Secret99'\n  homeserver: 'xHunter2Secret99'\n")
    done = seminarbot("run", conf=conf)
    assert done.returncode == 2 and "matrix.homeserver" in done.stderr
    assert "Hunter2Secret99" not in done.stderr and "x[redacted]" in done.stderr
