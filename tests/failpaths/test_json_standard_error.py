"""With `log_format: json` every line seminarbot writes to standard error is one JSON object like
the log's (README, Configuration: for log shippers), not only the commands' one-line errors:
`health`'s problems, `content check`'s count, an export's summary, a `--debug` traceback (in
its field, in the same line) were plain text. argparse's usage errors stay plain: they come
before the configuration that names the format is read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.failpaths.support import (
    DEADLINE,
    config,
    environment,
    one_line,
    seminar_database,
    seminarbot,
)
from tests.failpaths.test_boundary import BUGGY


def json_config(folder: Path, **replaced: str) -> Path:
    path = config(folder)
    lines = [line for line in path.read_text().splitlines()
             if line.split(":")[0] not in replaced]
    lines += [f"{key}: {value}" for key, value in replaced.items()]
    path.write_text("\n".join([*lines, "log_format: json", ""]))
    return path


def entries(result: subprocess.CompletedProcess[str]) -> list[dict[str, str]]:
    """Each line of standard error as the JSON object it must be, with the log's fields."""
    found = []
    for line in result.stderr.splitlines():
        entry = json.loads(line)  # raises on a plain line: the failure
        assert isinstance(entry, dict), line
        assert {"time", "level", "logger", "message"} <= entry.keys(), line
        found.append(entry)
    assert found, result
    return found


def test_healths_problems_are_json_lines(tmp_path: Path) -> None:
    for extra in ([], ["--json"]):
        result = seminarbot("health", *extra, conf=json_config(tmp_path))
        assert result.returncode == 1
        [entry] = entries(result)
        assert entry["level"] == "ERROR" and entry["message"].startswith("no heartbeat at ")


def test_content_checks_count_is_a_json_line(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = seminarbot("content", "check",
                        conf=json_config(tmp_path, content_dir=str(tmp_path / "empty")))
    assert result.returncode == 1
    [entry] = entries(result)
    assert entry["level"] == "ERROR" and entry["message"] == "content check: 1 problem(s)"
    assert "no text maps" in result.stdout  # the problems themselves are the output


@pytest.mark.parametrize("to_file", [True, False])
def test_an_exports_summary_is_a_json_line_at_info(tmp_path: Path, to_file: bool) -> None:
    db = seminar_database(tmp_path)
    out = str(tmp_path / "all.csv") if to_file else "-"
    result = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", "csv",
                        "--out", out, conf=json_config(tmp_path))
    assert result.returncode == 0, result.stderr
    [entry] = entries(result)
    assert entry["level"] == "INFO" and entry["message"].startswith("exported 1 response ")


def test_a_debug_traceback_is_in_the_errors_json_line(tmp_path: Path) -> None:
    conf = json_config(tmp_path)
    seminarbot("db", "migrate", conf=conf)
    result = subprocess.run([sys.executable, "-c", BUGGY, "--config", str(conf), "--debug",
                             "db", "check"], capture_output=True, text=True,
                            env=environment(), timeout=DEADLINE, check=False)
    assert result.returncode == 70
    [entry] = entries(result)
    assert entry["message"].startswith("internal error ZeroDivisionError (incident ")
    assert entry["traceback"].startswith("Traceback (most recent call last)")
    assert entry["traceback"].endswith("ZeroDivisionError: a bug")



@pytest.mark.parametrize("refused", [
    "bogus: 1", "log_level: LOUD", "scheduler:\n  grace_window: soon"])
def test_a_configuration_refused_for_another_key_is_said_as_it_asks(
        tmp_path: Path, refused: str) -> None:
    """helper-112: a file that sets `log_format: json` and is refused for another key was
    said in plain text: its refusal reads as the file asks, where the file can be read."""
    conf = json_config(tmp_path)
    conf.write_text(conf.read_text() + refused + "\n")
    result = seminarbot("db", "check", conf=conf)
    assert result.returncode == 2
    [entry] = entries(result)
    assert entry["level"] == "ERROR" and entry["message"].startswith("configuration error: ")


def test_a_configuration_that_cannot_be_read_is_said_in_plain_text(tmp_path: Path) -> None:
    """YAML that cannot be read names no format: the refusal is plain text."""
    conf = json_config(tmp_path)
    conf.write_text(conf.read_text() + "bad: [unclosed\n")
    result = seminarbot("db", "check", conf=conf)
    assert result.returncode == 2
    assert result.stderr.startswith("seminarbot: configuration error: ")


def test_the_log_s_format_and_level_come_from_the_environment_too(tmp_path: Path) -> None:
    """helper-151's 8: a container's log format and level could be set only in a file that
    compose.yaml does not pass: SEMINARBOT_LOG_FORMAT and SEMINARBOT_LOG_LEVEL set them, and
    win over the file, as every variable does; a refused configuration reads as they ask."""
    conf = config(tmp_path)
    result = seminarbot("health", conf=conf, env=environment(SEMINARBOT_LOG_FORMAT=" JSON "))
    assert result.returncode != 0 and entries(result)[0]["level"] == "ERROR"
    conf.write_text(conf.read_text() + "log_level: LOUD\n")
    result = seminarbot("db", "check", conf=conf, env=environment(SEMINARBOT_LOG_FORMAT="json"))
    [entry] = entries(result)
    assert result.returncode == 2 and "log_level: expected one of DEBUG" in entry["message"]
    # The environment wins over the file, whose value is checked all the same (helper-158's 6).
    still = seminarbot("db", "check", conf=conf, env=environment(SEMINARBOT_LOG_LEVEL="warning"))
    assert still.returncode == 2 and f"{conf}: log_level: expected one of" in still.stderr
    for variable, value in (("SEMINARBOT_LOG_LEVEL", "loud"), ("SEMINARBOT_LOG_FORMAT", "xml")):
        refused = seminarbot("db", "check", conf=config(tmp_path),
                             env=environment(**{variable: value}))
        assert refused.returncode == 2 and one_line(refused) == (
            f"seminarbot: configuration error: environment: {variable}: expected one of "
            f"{'DEBUG, INFO, WARNING, ERROR' if 'LEVEL' in variable else 'text, json'}, "
            f"got '{value}'")
