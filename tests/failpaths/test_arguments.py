"""Arguments out of range, time zones that are not places, and free text: each a bad argument
answered in one sentence that changes nothing, in the console, the command line, the help and
the Discord option schema alike."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from seminarbot.adapters.discord.slash import SlashCommands
from seminarbot.core.completion import zone_suggestions
from seminarbot.core.registry import Registry
from seminarbot.core.zones import TimeZone
from seminarbot.domain.errors import BadArgument
from seminarbot.features import all_commands
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver
from tests.failpaths.support import (
    BIN,
    DEADLINE,
    config,
    environment,
    one_line,
    seminar_database,
    seminarbot,
)
from tests.hostile.test_commands import counts

WINTER, SUMMER = date(2026, 1, 5), date(2026, 7, 6)


async def test_huge_durations_are_bad_arguments_and_the_console_goes_on(
        console: ConsoleDriver, app: Services) -> None:
    for line in ("/clock advance 99999999999999999999d", "/clock advance 366d",
                 "/clock advance " + "9" * 10_000, "/clock advance 0s", "/clock advance -1d"):
        said = await console.say(line)
        assert said.startswith("✗ `duration` expects a duration such as 3d, 2h30m, 90m or 1w, "
                               "more than zero and up to 365 days"), said  # helper-140's 13
        assert len(said) < 300
    assert (await console.say("/clock advance 1y")).strip().endswith("Did you mean 365d?")
    for _ in range(974):  # a year at a time, to the clock's end
        if "✗" in await console.say("/clock advance 365d"):
            break
    assert "The console's clock stops before 3000" in await console.say("/clock advance 365d")
    assert "Simulated time: 29" in await console.say("/clock")


async def test_durations_and_dates_out_of_range_change_nothing(console: ConsoleDriver,
                                                               app: Services) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    before = await counts(app)
    later = (WINTER + timedelta(days=366 * 11)).isoformat()
    answers = {
        "/seminar reminders 99999999999999999999d": "less than 7 days, or off",
        "/seminar reminders 7d": "less than 7 days, or off",
        "/seminar reminders 0m": "less than 7 days, or off",
        "/seminar setup tue 19:00 UTC 9999-12-30": "within 10 years of today",
        f"/seminar setup tue 19:00 UTC {later}": "within 10 years of today",
        "/seminar move 2 9999-12-31 10:00": "within 10 years of today",
        "/seminar move 2 0001-01-01 10:00": "within 10 years of today",
        "/seminar skip 9999-12-31": "within 10 years of today",
        "/seminar export csv --since 1000-01-01": "within 10 years of today",
        "/seminar export csv --until 9999-12-31": "within 10 years of today",
    }
    for line, expected in answers.items():
        said = await console.say(line)
        assert "✗ Bad argument" in said and expected in said, (line, said)
    after = await counts(app)
    assert after["audit_log"] == before["audit_log"] + len(answers)
    assert {k: v for k, v in after.items() if k != "audit_log"} == \
        {k: v for k, v in before.items() if k != "audit_log"}
    assert "Seminar set up" in await console.say(
        f"/seminar setup tue 19:00 UTC {(WINTER + timedelta(days=365 * 9)).isoformat()}")


@pytest.mark.parametrize(("raw", "day", "said"), [
    ("UTC+2", WINTER, "An offset is not a time zone; Africa/Cairo, Europe/Athens"),
    ("UTC+2", SUMMER, "An offset is not a time zone; Europe/Berlin, Europe/Paris, "
                      "Africa/Johannesburg"),
    ("+02:00", SUMMER, "Europe/Berlin, Europe/Paris, Africa/Johannesburg"),
    ("GMT-5", WINTER, "An offset is not a time zone; America/New_York, "),
    ("utc - 3", WINTER, "America/Sao_Paulo"),
    ("+05:30", WINTER, "Asia/Kolkata, Asia/Colombo are UTC+5:30 now."),
    ("UTC+15", WINTER, "No place on Earth uses that offset."),
    ("+02:75", WINTER, "No place on Earth uses that offset."),
    ("Etc/GMT+2", WINTER, "That is a fixed offset, UTC-2 (Etc names invert the sign)"),
    ("Etc/GMT-3", WINTER, "That is a fixed offset, UTC+3 (Etc names invert the sign)"),
    ("EST", WINTER, "An abbreviation is not a time zone"),
    ("cet", WINTER, "name the place instead: Europe/Berlin, Europe/Paris."),
    ("PST", WINTER, "America/Los_Angeles"),
    ("EST5EDT", WINTER, "a rule name; name the place instead: America/New_York"),
    ("GMT", WINTER, "Europe/London"),
    ("Etc/GMT", WINTER, "That is Greenwich's clock, which never changes"),
    ("Europe/Londn", WINTER, "Did you mean Europe/London"),
])
def test_zones_that_are_not_places_are_refused_with_places(raw: str, day: date,
                                                           said: str) -> None:
    with pytest.raises(BadArgument) as caught:
        TimeZone().parse(raw, "timezone", day)
    assert said in caught.value.message, caught.value.message
    assert "Etc/" not in caught.value.message.split("). ", 1)[1]  # never suggested


@pytest.mark.parametrize(("raw", "day"), [("UTC+2", WINTER), ("Etc/GMT+2", WINTER),
                                           ("GMT-5", SUMMER), ("+05:45", SUMMER)])
def test_every_suggested_zone_is_at_that_offset_on_that_day(raw: str, day: date) -> None:
    with pytest.raises(BadArgument) as caught:
        TimeZone().parse(raw, "timezone", day)
    hint = caught.value.message.rsplit("time zone", 1)[1]
    named = [w.strip(",.;") for w in hint.split() if "/" in w]
    assert named, caught.value.message
    shown = hint.split(" now")[0].rsplit(" ", 1)[1]  # UTC-2
    sign = -1 if "-" in shown else 1
    hours, _, minutes = shown[4:].partition(":")
    offset = sign * timedelta(hours=int(hours), minutes=int(minutes or 0))
    noon = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
    assert all(ZoneInfo(zone).utcoffset(noon) == offset for zone in named), (named, offset)


@pytest.mark.parametrize(("raw", "zone"), [("UTC", "UTC"), ("utc", "UTC"), ("Etc/UTC", "UTC"),
                                           ("Zulu", "UTC"), ("europe/berlin", "Europe/Berlin"),
                                           ("America/New York", "America/New_York"),
                                           ("US/Eastern", "US/Eastern")])
def test_places_and_utc_are_accepted(raw: str, zone: str) -> None:
    assert TimeZone().parse(raw, "timezone", WINTER) == zone


async def test_discord_offers_only_zones_it_would_accept(app: Services) -> None:
    offered = [s.value for s in zone_suggestions("")]
    every = [s.value for typed in ("etc", "est", "gmt", "cet", "europe/b", "utc")
             for s in zone_suggestions(typed)]
    assert offered and every
    for zone in offered + every:
        assert TimeZone().parse(zone, "timezone", WINTER) == zone


def test_the_discord_schema_states_each_bound() -> None:
    payload = {c["name"]: c for c in SlashCommands(Registry(all_commands())).payload()}
    moderators = {o["name"]: o for o in payload["seminar-mod"]["options"]}
    before = {o["name"]: o for o in moderators["reminders"]["options"]}["before"]
    assert "(less than 7 days)" in before["description"] and before["max_length"] == 20
    for command, option in (("setup", "start_date"), ("move", "date"), ("skip", "date"),
                            ("export", "since"), ("export", "until")):
        found = {o["name"]: o for o in moderators[command]["options"]}[option]
        assert "(within 10 years of today)" in found["description"], (command, option)


async def test_free_text_is_taken_verbatim(console: ConsoleDriver, app: Services) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    for text in ("--- three dashes", '"only quoted"', '"quoted" then more', "-- --prompt 2.1",
                 "--help", "a # not a comment"):
        said = await console.say(f"/seminar respond 1.1 {text}")
        assert "Recorded your response to 1.1" in said, (text, said)
    stored = [row[0] for row in await app.db.fetchall("SELECT body FROM responses ORDER BY id")]
    assert stored == ["--- three dashes", '"only quoted"', '"quoted" then more',
                      "-- --prompt 2.1", "--help", "a # not a comment"]
    assert "glasnost" in (await console.say('/term "glasnost"')).lower()
    assert "/seminar setup" in await console.say('/help "seminar setup"')


async def test_extra_words_are_an_error_that_shows_the_usage(console: ConsoleDriver,
                                                             app: Services) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    before = await counts(app)
    for line, usage in {
        "/seminar export csv 1 2 3": "/seminar export FORMAT [SESSION] [--since DATE] "
                                     "[--until DATE] [--participant WHO]",
        "/seminar schedule now": "/seminar schedule",
        "/seminar setup tue 19:00 UTC 2026-02-03 extra": "/seminar setup WEEKDAY HH:MM",
        "/seminar export csv --loud": "/seminar export FORMAT",
    }.items():
        said = " ".join((await console.say(line)).split())
        assert "Usage: " + usage in said, (line, said)
    assert (await counts(app))["outbox"] == before["outbox"]


async def test_the_extra_words_named_begin_where_the_words_stop_making_sense(
        console: ConsoleDriver) -> None:
    """helper-167's 2: `setup tue,thu 19:00 UTC extra words` named `words` alone, as if
    `extra` were a start date; without `words`, `extra` is refused as the start date. A word an
    optional parameter cannot read is named among the extra ones; one it can read, or one a
    required parameter took, is not."""
    for line, extra in (("/seminar setup tue,thu 19:00 UTC extra words", "'extra words'"),
                        ("/seminar setup tue 19:00 UTC 2026-03-03 more", "'more'"),
                        ("/seminar export csv 1 extra", "'extra'")):
        said = " ".join((await console.say(line)).split())
        assert f"Too many arguments for `{line.split()[0][1:]} {line.split()[1]}`: {extra}." \
            in said, (line, said)


def test_the_command_line_bounds_its_arguments_too(tmp_path: Path) -> None:
    db = seminar_database(tmp_path)
    for args, said in {
        ("export", "--db", str(db), "--cohort", "99999999999999999999", "--format", "csv",
         "--out", "-"): "argument --cohort: expected a cohort id",
        ("export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out", "-",
         "--since", "1000-01-01"): "`--since` expects a date",
        # Every parameter as the command line names it (helper-163's 5)
        ("export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out", "-",
         "--session", "99"): "`--session` expects a session number",
        ("export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out", "-",
         "--since", "2026-02-01", "--until", "2026-01-01"):
            "`--until` expects a date on or after `--since` (2026-02-01)",
        ("console", "--db", str(db), "--clock", "9999-12-31T00:00Z"):
            "from 2000 to 2999, such as 2026-01-05T09:00Z",
    }.items():
        result = seminarbot(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert said in result.stderr.splitlines()[-1] and "Traceback" not in result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("scheduler:\n  grace_window: 99999999999999999999d\n")
    result = seminarbot("db", "check", "--db", str(db), conf=bad)
    assert result.returncode == 2 and "up to 365 days" in one_line(result)


@pytest.mark.parametrize("saved", ["inf", "nan", "1e300", "-1e12", "4e10", "garbage", "1_000",
                                   "9" * 5000])
def test_a_damaged_console_clock_file_counts_as_no_moves(tmp_path: Path, saved: str) -> None:
    db = tmp_path / "c.db"
    db.with_name("c.db.console-clock").write_text(saved)
    result = seminarbot("console", "--db", str(db), stdin="/clock\n", conf=config(tmp_path))
    assert result.returncode == 0, result.stderr
    shown = result.stdout.split("Simulated time: ")[1][:10]
    assert shown == datetime.now(UTC).date().isoformat()
    # Said, not silent: one line naming the file.
    said = one_line(result)
    assert said.startswith(f"seminarbot: {db}.console-clock: the saved clock cannot be read (")
    assert said.endswith("); the console's clock is real time")  # a new database: nothing else


def test_a_start_without_clock_goes_on_from_a_frozen_clock_s_run(tmp_path: Path) -> None:
    """helper-167's 5, helper-173's 3: after a `--clock` run, a start without it jumped to
    real time, and every session was skipped as late "(the bot was down)"."""
    db = str(tmp_path / "c.db")
    frozen = seminarbot("console", "--db", db, "--clock", "2026-03-01T09:00Z",
                        stdin="/seminar setup tue 19:00 UTC\n/clock advance 3d\n",
                        conf=config(tmp_path))
    assert frozen.returncode == 0, frozen.stderr
    result = seminarbot("console", "--db", db, stdin="/clock\n/seminar schedule\n",
                        conf=config(tmp_path))
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.split("Simulated time: ")[1].startswith("2026-03-04T09:00")
    assert "skipped" not in result.stdout
    assert "Tue 10 Mar 2026 19:00 UTC  scheduled" in result.stdout
    # Kept as it stood when the run ended, however long it ran (helper-175's 5), and a file
    # damaged since goes on from the latest time the database recorded, not today (its 10).
    clock_file = tmp_path / "c.db.console-clock"
    clock_file.write_text("-1e30")
    damaged = seminarbot("console", "--db", db, stdin="/clock\n", conf=config(tmp_path))
    assert damaged.stdout.split("Simulated time: ")[1].startswith("2026-03-03T19:00")
    assert "the console's clock goes on from 2026-03-03T19:00:00Z, the latest time this " \
           "database has recorded" in one_line(damaged)
    assert float(clock_file.read_text()) < 0  # written anew


def test_the_clock_kept_is_read_again_however_near_real_time(tmp_path: Path) -> None:
    """A damaged clock file on a new database is written anew as real time: an offset of a few
    microseconds, which Python writes as `-3e-06`, and the reader took that for damage again."""
    db = str(tmp_path / "c.db")
    (tmp_path / "c.db.console-clock").write_text("garbage")
    first = seminarbot("console", "--db", db, stdin="/clock\n", conf=config(tmp_path))
    assert "the saved clock cannot be read" in one_line(first)
    again = seminarbot("console", "--db", db, stdin="/clock\n", conf=config(tmp_path))
    assert again.returncode == 0 and again.stderr == "", again.stderr


def test_a_frozen_clock_s_run_is_kept_as_it_stood_at_its_end(tmp_path: Path) -> None:
    """helper-175's 5: the frozen clock was kept as it stood at the start, so the time the run
    stayed open counted at the next start without --clock."""
    db = str(tmp_path / "c.db")
    process = subprocess.Popen([*BIN, "--config", str(config(tmp_path)), "console", "--db", db,
                                "--clock", "2026-03-01T12:00Z"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=environment())
    assert process.stdin is not None
    process.stdin.write("/clock\n")
    process.stdin.flush()
    time.sleep(6)
    out, _ = process.communicate("/clock\n", timeout=DEADLINE)
    assert out.count("Simulated time: 2026-03-01T12:00:00Z") == 2
    result = seminarbot("console", "--db", db, stdin="/clock\n", conf=config(tmp_path))
    shown = datetime.fromisoformat(result.stdout.split("Simulated time: ")[1][:20])
    assert shown - datetime(2026, 3, 1, 12, tzinfo=UTC) < timedelta(seconds=4)  # not 6 more


async def test_a_confirmation_code_in_any_script_is_only_wrong(console: ConsoleDriver,
                                                               app: Services) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar forget-me")
    for code in ("Ünïcödé", "\x80", "ß" * 6, "🙂", "ÄÖÜÄÖÜ", "٣٣٣٣٣٣"):
        said = await console.say(f"/seminar forget-me {code}")
        # Not the shape of a code: a typo, one sentence, and no try used up (try32, 16).
        assert "`code` expects the 6-character code the first step gave you" in said, said
    assert "2 tries left" in await console.say("/seminar forget-me `ZZZZZ2`")


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


async def test_a_number_typed_in_another_script_means_what_it_says_in_every_command(
        console: ConsoleDriver, app: Services) -> None:
    """One rule for every parameter read as a number (core.parsing.bind, params.ascii_digits):
    a session, a prompt, a time, a duration, a whole number, a date typed in Arabic-Indic digits
    answers as the same line in ASCII digits does; free text keeps the digits as typed."""
    lines = ("/seminar setup tue 19:00 UTC 2026-01-13", "/seminar prompt 2", "/seminar post 1",
             "/seminar respond 1.1 I count ٣ soviets",
             "/seminar reminders 1d", "/seminar retention 10", "/clock advance 13d",
             "/seminar timeline 2")
    typed = [await console.say(line.split(" I count")[0].translate(ARABIC_INDIC) +
                               (" I count ٣ soviets" if "I count" in line else ""))
             for line in lines]
    for line, answer in zip(lines, typed, strict=True):
        assert not answer.startswith("✗"), (line, answer)
    assert "Recorded your response to 1.1 (4 words)" in typed[3], typed[3]
    assert "Tue 13 Jan 2026 19:00 UTC" in typed[0], typed[0]
    assert "2026-01-18T09:00" in typed[-2] and "older than 10 days" in typed[-3], typed
    assert "24 hours before" in typed[-4], typed[-4]


async def test_an_argument_with_a_lone_surrogate_is_refused_and_audited(
        console: ConsoleDriver, app: Services) -> None:
    """helper-94: a lone surrogate (JSON's "\\ud800", from Matrix or Discord) in an argument
    could be neither audited nor looked up: the command was never answered, and the log had a
    traceback. Each argument is now Unicode text (U+FFFD in its place) before anything reads
    it."""
    await console.say("/seminar setup tue 19:00 UTC")
    before = await counts(app)
    answers = {
        "/seminar setup tue 19:00 Europe/Lon\ud800": "`timezone` expects an IANA time zone",
        "/seminar skip 2026-02-0\ud800": "✗ Bad argument",
        "/seminar export csv --participant \ud800": "",
        "/seminar reminders \ud800": "✗ Bad argument",
    }
    for line, expected in answers.items():
        said = await console.say(line)
        assert said.strip() and expected in said and "\ud800" not in said, (line, said)
    after = await counts(app)
    assert after["audit_log"] > before["audit_log"]
    details = await app.db.fetch_tuples("SELECT detail FROM audit_log")
    assert any("\ufffd" in str(detail) for (detail,) in details)
