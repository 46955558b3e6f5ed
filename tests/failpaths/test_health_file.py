"""`seminarbot health` on a heartbeat it cannot make sense of (another version's, a hand edit):
unhealthy with the reason, never an internal error; its bounds must be positive; and the
database's entry, as services.connections keeps it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from seminarbot.clock import ManualClock
from seminarbot.domain.errors import Busy, WriteFailed
from seminarbot.services.connections import Connections
from tests.failpaths.support import environment, seminarbot

NOW = "2999-01-01T00:00:00+00:00"  # a `since` still to come: no link is down since then


def just_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def health(tmp_path: Path, platforms: object, *args: str) -> tuple[int, str]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "heartbeat").write_text(json.dumps({"at": 0, "platforms": platforms}))
    result = seminarbot("health", *args, env=environment(SEMINARBOT_DATA_DIR=str(data)))
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.returncode, result.stderr


@pytest.mark.parametrize(("link", "reason"), [
    ({"state": "retrying", "since": "2020-01-01T00:00:00"}, "since a time the heartbeat does "
                                                             "not give (with its zone)"),
    ({"state": "retrying", "since": "garbage"}, "since a time the heartbeat does not give"),
    ({"state": "retrying"}, "since a time the heartbeat does not give"),
    ("x", "the heartbeat holds an unknown state 'x'"),
    ({"state": "asleep", "since": NOW}, "the heartbeat holds an unknown state 'asleep'"),
    ({"since": NOW}, "the heartbeat holds an unknown state 'None'"),
    # helper-183's 7: connected or stopped, a `since` was not looked at
    ({"state": "connected", "since": None}, "since a time the heartbeat does not give"),
    ({"state": "connected", "since": "2026-12-07T10:00:00"}, "(with its zone)"),
    ({"state": "connected", "since": NOW}, "a time still to come"),
    ({"state": "stopped", "since": None}, "since a time the heartbeat does not give"),
])
def test_a_link_it_cannot_read_is_unhealthy_with_the_reason(
        tmp_path: Path, link: object, reason: str) -> None:
    status, said = health(tmp_path, {"matrix": link})
    assert status == 1, said
    state = link.get("state") if isinstance(link, dict) else None
    assert f"matrix{'' if 'unknown' in reason else f' is {state}'}" in said and reason in said


def test_links_it_can_read_are_judged_as_before(tmp_path: Path) -> None:
    assert health(tmp_path, {"matrix": {"state": "connected", "since": just_now()}})[0] == 0
    stopped = just_now()
    status, said = health(tmp_path, {"matrix": {"state": "stopped", "since": stopped}})
    assert status == 1 and f"matrix: the bot stopped at {stopped}" in said, said
    assert health(tmp_path, {"matrix": {"state": "retrying", "since": just_now()}})[0] == 0
    status, said = health(tmp_path, {"matrix": {"state": "retrying", "since": NOW}})
    assert status == 1 and "a time still to come (was the clock set back?)" in said, said
    status, said = health(tmp_path, {"matrix": {"state": "retrying",
                                                "since": "2020-01-01T00:00:00Z"}},
                          "--max-down", "5")
    assert status == 1 and "matrix has not been connected for" in said


@pytest.mark.parametrize("args", [("--max-down", "-1"), ("--max-down", "0"),
                                  ("--max-age", "0"), ("--max-age", "soon"),
                                  ("--max-age", "99999999999999999999"),
                                  ("--max-down", "604801"), ("--max-age", "-5")])
def test_bounds_must_be_positive_seconds(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = seminarbot("health", *args, env=environment(SEMINARBOT_DATA_DIR=str(tmp_path)))
    assert result.returncode == 1  # a HEALTHCHECK's status is 0 or 1 (helper-187's 13)
    assert result.stderr.count("\n") <= 3  # argparse's usage line, then the one sentence
    assert "expected a" in result.stderr.splitlines()[-1] and "seconds" in result.stderr


def test_a_start_that_fails_leaves_a_stopped_beat_not_an_earlier_runs(tmp_path: Path) -> None:
    """An earlier run killed while connected left its beat; this one fails on its database
    before any platform is asked: health must not read the old beat as this bot's."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "heartbeat").write_text(json.dumps(
        {"at": 0, "platforms": {"discord": {"state": "connected", "since": NOW}}}))
    (data / "seminarbot.db").write_bytes(b"not a database, " * 512)
    env = environment(SEMINARBOT_DATA_DIR=str(data), DISCORD_TOKEN="never.used.token",
                      DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
                      DISCORD_GATEWAY_URL="ws://127.0.0.1:9")
    started = seminarbot("run", env=env)
    assert started.returncode == 1 and "Traceback" not in started.stderr, started.stderr
    checked = seminarbot("health", env=env)
    assert checked.returncode == 1, checked.stderr
    assert "discord: the bot stopped at " in checked.stderr, checked.stderr


def test_a_damaged_database_refused_at_a_first_beat_leaves_a_stopped_beat(
        tmp_path: Path) -> None:
    """helper-183's 5: with no heartbeat yet, a `run` refused for its damaged database left
    none, and health said `run` had never run with this data directory."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "seminarbot.db").write_bytes(b"not a database, " * 512)
    env = environment(SEMINARBOT_DATA_DIR=str(data), DISCORD_TOKEN="never.used.token",
                      DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
                      DISCORD_GATEWAY_URL="ws://127.0.0.1:9")
    assert seminarbot("run", env=env).returncode == 1
    checked = seminarbot("health", env=env)
    assert checked.returncode == 1 and "discord: the bot stopped at " in checked.stderr, \
        checked.stderr


def test_a_configuration_health_cannot_read_is_unhealthy_not_status_2(tmp_path: Path) -> None:
    """helper-183's 6: a HEALTHCHECK's status 2 is reserved (Docker's reference)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("data_dir: [\n")
    checked = seminarbot("--config", str(bad), "health", env=environment())
    assert checked.returncode == 1 and "configuration error" in checked.stderr, checked.stderr
    for usage in (("health", "--max-age", "0"), ("--config", str(bad), "health", "--bogus")):
        refused = seminarbot(*usage, env=environment())  # helper-187's 13: argparse's 2
        assert refused.returncode == 1 and "error" in refused.stderr, refused.stderr


def _judged(tmp_path: Path, part: str, entry: object, *args: str) -> tuple[int, str]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "heartbeat").write_text(json.dumps(
        {"at": 0, "platforms": {"matrix": {"state": "connected", "since": just_now()}},
         part: entry}))
    result = seminarbot("health", *args, env=environment(SEMINARBOT_DATA_DIR=str(data)))
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.returncode, result.stderr


def test_the_database_entry_is_judged_like_a_link(tmp_path: Path) -> None:
    def judged(database: object, *args: str) -> tuple[int, str]:
        return _judged(tmp_path, "database", database, *args)

    assert judged({"state": "writing"})[0] == 0
    assert judged(None)[0] == 0  # the last beat's, or an older version's heartbeat
    assert judged({"state": "failing", "since": just_now(), "detail": "full"})[0] == 0
    status, said = judged({"state": "failing", "since": NOW, "detail": "the disk is full"})
    assert status == 1 and "a time still to come" in said
    status, said = judged({"state": "failing", "since": "2020-01-01T00:00:00Z",
                           "detail": "one\ntwo\rthree"})
    assert status == 1 and said.count("\n") == 1 and "(one two three)" in said, said
    status, said = judged({"state": "failing", "since": "2020-01-01T00:00:00Z",
                           "detail": "the disk is full"}, "--max-down", "5")
    assert status == 1 and "the database has not taken writes for" in said
    assert said.rstrip().endswith("s (the disk is full)"), said
    for odd, reason in [({"state": "failing", "since": "2020-01-01T00:00:00"},
                         "since a time the heartbeat does not give (with its zone)"),
                        ({"state": "failing"}, "since a time the heartbeat does not give"),
                        ({"state": "full"}, "unknown database state 'full'"),
                        ("x", "unknown database state 'x'")]:
        status, said = judged(odd)
        assert status == 1 and reason in said, (odd, said)


def test_the_scheduler_entry_is_judged_like_the_database(tmp_path: Path) -> None:
    def judged(scheduler: object, *args: str) -> tuple[int, str]:
        return _judged(tmp_path, "scheduler", scheduler, *args)

    assert judged({"state": "running"})[0] == 0
    assert judged(None)[0] == 0  # an older version's heartbeat
    assert judged({"state": "failing", "since": just_now(), "detail": "KeyError"})[0] == 0
    status, said = judged({"state": "failing", "since": "2020-01-01T00:00:00Z",
                           "detail": "KeyError: an error on the bot's side"}, "--max-down", "5")
    assert status == 1 and said.count("\n") == 1
    assert "the scheduler's passes have failed for" in said and "(KeyError: an error" in said
    status, said = judged({"state": "stuck"})
    assert status == 1 and "unknown scheduler state 'stuck'" in said


def test_the_schedulers_faults_are_told_from_the_first_until_a_pass_runs() -> None:
    clock = ManualClock(datetime(2026, 1, 5, 19, tzinfo=UTC))
    links = Connections(clock, ["discord"])
    assert links.beat()["scheduler"] == {"state": "running"}
    links.changed.clear()
    links.scheduler_fault("KeyError")
    since = links.scheduler()["since"]
    assert links.scheduler() == {"state": "failing", "since": since, "detail": "KeyError"}
    assert links.changed.is_set()
    links.changed.clear()
    clock.advance(timedelta(seconds=30))
    links.scheduler_fault("ValueError")  # still failing: the first `since`, the latest kind
    assert links.scheduler() == {"state": "failing", "since": since, "detail": "ValueError"}
    assert not links.changed.is_set()
    links.scheduler_fault(None)
    assert links.beat()["scheduler"] == {"state": "running"} and links.changed.is_set()


def test_writers_failing_are_told_from_the_first_failure_until_none_fails() -> None:
    clock = ManualClock(datetime(2026, 1, 5, 19, tzinfo=UTC))
    links = Connections(clock, ["discord"])
    assert links.database() == {"state": "writing"}
    state = links.database
    links.changed.clear()
    links.storage("discord", WriteFailed("the disk is full"))
    assert links.changed.is_set()
    since = state()["since"]
    clock.advance(timedelta(seconds=30))
    links.changed.clear()
    links.storage("discord", Busy())  # still failing: the first `since`, the latest reason
    links.storage("scheduler", WriteFailed("a disk I/O error"))
    assert state() == {"state": "failing", "since": since,
                       "detail": "the database was busy: another process holds it"}
    links.storage("discord", None)  # one writer saves again, the other still fails
    assert state()["state"] == "failing" and state()["detail"] == "a disk I/O error"
    assert state()["since"] > since and links.changed.is_set()
    links.storage("scheduler", None)
    assert links.beat()["database"] == {"state": "writing"}


@pytest.mark.parametrize(("text", "said"), [
    (b"{}", "holds no platform's state"), (b'{"platforms": {}}', "holds no platform's state"),
    (b'{"platforms": [1]}', "holds no platform's state"),
    (b"[1, 2]", "cannot be read: it is not a JSON object"),
    (b"null", "cannot be read: it is not a JSON object"),
    (b'"connected"', "cannot be read: it is not a JSON object"),
    (b"", "cannot be read: it is empty"), (b" \n", "cannot be read: it is empty"),
    (b'{"platforms": {"discord": ', "cannot be read: it is not JSON"),
    # Nested too deep (json's RecursionError) was an internal error, exit 70.
    (b"[" * 60_000, "cannot be read: it is not JSON"),
    (b'{"platforms": ' + b"1" * 5000 + b"}", "cannot be read: it is not JSON"),
    (b'{"platforms": {"discord\xff": {}}}', "cannot be read: it is not UTF-8 text")])
def test_a_heartbeat_naming_no_platform_is_unhealthy(tmp_path: Path, text: bytes,
                                                     said: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "heartbeat").write_bytes(text)
    result = seminarbot("health", env=environment(SEMINARBOT_DATA_DIR=str(data)))
    assert result.returncode == 1 and said in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_heartbeat_not_renewed_for_longer_than_max_down_is_unhealthy(tmp_path: Path) -> None:
    """helper-127's 3: on a full disk the heartbeat cannot be written, and `health` went on
    reading its last words ("writing", healthy) until --max-age."""
    import os
    import time

    link = {"state": "connected", "since": just_now()}
    assert health(tmp_path, {"discord": link}, "--max-down", "5")[0] == 0  # just written
    beat = tmp_path / "data" / "heartbeat"
    old = time.time() - 90  # three beats missed, within the default --max-age
    os.utime(beat, (old, old))
    result = seminarbot("health", "--max-down", "5",
                        env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 1 and "not renewed for longer than --max-down (5s)" in \
        result.stderr
    # With the default --max-down (300 s) the same beat is not yet out of date.
    result = seminarbot("health", env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 0, result.stderr


def test_a_heartbeat_dated_in_the_future_is_unhealthy(tmp_path: Path) -> None:
    """helper-129's 12: it was taken for a fresh one."""
    import os
    import time

    link = {"state": "connected", "since": just_now()}
    health(tmp_path, {"discord": link})
    beat = tmp_path / "data" / "heartbeat"
    later = time.time() + 86_400
    os.utime(beat, (later, later))
    result = seminarbot("health", env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode == 1 and "in the future" in result.stderr
