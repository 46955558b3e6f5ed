"""Drive the bot through the console the way a person would, and check answers and database."""

import json
import re
from datetime import timedelta

import pytest

from seminarbot.adapters.console.render import columns_of
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver


def flat(text: str) -> str:
    return " ".join(text.split())


async def test_term_lookup_is_forgiving_and_suggests(console: ConsoleDriver) -> None:
    for query in ("glasnost", "glasnost’", "Glasnost'"):
        reply = await console.say(f"/term {query}")
        assert reply.startswith("glasnost'\n")
        assert "Openness about public business." in reply
        assert "On Councils (Writer; me-early)" in reply
        assert "A closing question (Notes on the harbour council; mn-question)" in flat(reply)
    reply = await console.say("/term otryvv")
    assert "No glossary entry for “otryvv”" in reply and "Did you mean: otryv?" in reply
    # A letter or two is no word to shorten further
    assert "with a whole word or name" in flat(await console.say("/term s"))
    # helper-189's 2: a whole name is no shorter word; the search may find it
    unknown = flat(await console.say("/term zzzzzzzz"))
    assert "Try /seminar search zzzzzzzz, or /help term." in unknown


async def test_full_seminar_week(console: ConsoleDriver, app: Services,
                                 clock: ManualClock) -> None:
    assert "No seminar runs in this channel yet" in await console.say("/seminar schedule")
    reply = await console.say("/seminar setup tuesday 19:00 Europe/London")
    assert "✓ Seminar set up" in reply
    assert "session 1 (Beginnings) on Tue 06 Jan 2026 19:00 GMT" in reply
    schedule = await console.say("/seminar schedule")
    assert "Tue 13 Jan 2026 19:00 GMT  scheduled" in schedule

    # Nothing is posted before its time; at its time every prompt prints once.
    clock.advance(timedelta(days=1, hours=9, minutes=59))
    assert "prompt 1.1" not in await console.say("/clock")
    posted = await console.say("/clock advance 1m")
    assert posted.count("── Session 1: Beginnings") == 3
    assert "prompt 1.2 (interpretation)" in posted and "– Who elected the chair?" in posted
    assert "── Session" not in await console.say("/clock advance 1h")

    reply = await console.say("/seminar respond 1.1 The minutes hung on the door.")
    assert "Recorded your response to 1.1 (6 words)" in reply
    refused = await console.say("/seminar respond 2.1 Too early")
    assert "Prompt 2.1 has not been posted" in refused and "Tue 13 Jan 2026" in refused
    mine = await console.say("/seminar mine")
    assert "1.1" in mine and "The minutes hung on the door." in mine

    rows = await app.db.fetchall(
        "SELECT n.display_name, r.prompt_id, r.body FROM responses r"
        " JOIN participant_names n ON n.participant_id = r.participant_id")
    assert [tuple(r) for r in rows] == [
        ("ann", "beginnings-comprehension", "The minutes hung on the door.")]
    posted_rows = await app.db.fetchall(
        "SELECT session_id, state, message_id FROM outbox WHERE kind = 'prompt' ORDER BY id")
    assert [(r[0], r[1]) for r in posted_rows] == [("beginnings", "posted")] * 3 + \
        [("later", "pending")] * 3
    assert all(r[2] for r in posted_rows[:3])


async def test_non_moderators_are_refused_and_the_refusal_is_audited(
        console: ConsoleDriver, app: Services) -> None:
    await console.say("/seminar setup tue 19:00 Europe/London")
    assert "Now acting as bob (participant)." in await console.say("/as bob")
    for command in ("/seminar pause", "/seminar post", "/seminar setup mon 9:00 UTC"):
        reply = await console.say(command)
        assert "✗ Not allowed" in reply and "Only moderators may use" in reply
    assert await app.db.scalar("SELECT state FROM cohorts") == "active"
    assert await app.db.scalar("SELECT COUNT(*) FROM outbox WHERE state = 'posted'") == 0
    audit = await app.db.fetchall(
        "SELECT actor_name, action, outcome, detail FROM audit_log ORDER BY id")
    assert [(r[0], r[1], r[2]) for r in audit] == [
        ("ann", "seminar setup", "ok"), ("bob", "seminar pause", "refused"),
        ("bob", "seminar post", "refused"), ("bob", "seminar setup", "refused")]
    assert json.loads(audit[-1][3])["args"] == {"weekday": "mon", "time": "9:00",
                                                "timezone": "UTC"}
    # The help a participant sees leaves moderator commands out.
    help_text = await console.say("/help")
    assert "/seminar respond PROMPT TEXT" in help_text and "/seminar setup" not in help_text


async def test_post_pause_resume(console: ConsoleDriver, app: Services,
                                 clock: ManualClock) -> None:
    await console.say("/seminar setup tue 19:00 Europe/London")
    posted = await console.say("/seminar post")
    assert posted.count("── Session 1") == 3 and "Posted session 1" in posted
    assert "posted already" in await console.say("/seminar post 1")
    assert "Paused." in await console.say("/seminar pause")
    assert "is paused, not running" in await console.say("/seminar pause")
    # Three weeks pass while paused: nothing is posted.
    assert "── Session" not in await console.say("/clock advance 3w")
    reply = await console.say("/seminar resume")
    assert "Resumed. Next: session 2 (Later years) on Tue 27 Jan 2026 19:00 GMT" in reply
    assert "── Session 2" in await console.say("/clock advance 1w")
    assert "Every session of this seminar has been posted" in await console.say("/seminar post")


async def test_bad_arguments_change_nothing(console: ConsoleDriver, app: Services) -> None:
    cases = {
        "/seminar setup tuesday 25:00 Europe/London": "`time` expects a 24-hour time",
        "/seminar setup tusday 19:00 Europe/London": "`weekday` expects a weekday",
        "/seminar setup tue 19:00 Mars/Olympus": "`timezone` expects an IANA time zone",
        "/seminar setup tue 19:00 UTC 2025-12-31": "`start_date` expects a date today",
        "/seminar setup tue 19:00": "`timezone` is missing",
        "/seminar reading 99": "`session` expects a session number from 1 to 2",
        "/seminar frob": "`seminar` has no subcommand 'frob'",
        "hello": "Commands start with /",
    }
    for line, message in cases.items():
        assert message in await console.say(line), line
    assert await app.db.scalar("SELECT COUNT(*) FROM cohorts") == 0
    assert await app.db.scalar("SELECT COUNT(*) FROM outbox") == 0


async def test_reading_and_prompt_default_to_this_week(console: ConsoleDriver) -> None:
    reading = await console.say("/seminar reading")
    assert reading.startswith("Session 1: Beginnings")
    assert "begins “Workers in the harbour town first met …”" in reading
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    refused = await console.say("/seminar post")  # session 1 has been open no time at all
    assert "each session stays open at least 24 hours" in refused
    assert "session 2 can be posted from Tue 06 Jan 2026 09:00 UTC" in refused
    await console.say("/clock advance 1d")
    await console.say("/seminar post")
    assert (await console.say("/seminar prompt")).startswith("Session 2 prompts: Later years")
    assert "2.3 · comparison" in await console.say("/seminar prompt later")


async def test_console_only_commands(console: ConsoleDriver) -> None:
    assert "Simulated time: 2026-01-05T09:00:00Z" in await console.say("/clock")
    assert "2026-01-08T09:00:00Z" in await console.say("/clock advance 3d")
    assert "Usage: /clock" in await console.say("/clock rewind 1d")
    assert "`duration` expects a duration" in await console.say("/clock advance soon")
    assert "Usage: /as NAME" in await console.say("/as")
    assert "Now acting as Dee (moderator)." in await console.say("/as Dee --moderator")
    # helper-150's 13: a name of a bidirectional control alone showed nothing at all
    for nothing in ("\u202e", "\u200f\u2067"):
        assert "no control or invisible characters" in await console.say(f"/as {nothing}")
    assert "Now acting as \u2068\u202eevil\u202c\u2069" in await console.say("/as \u202eevil")
    assert "Console commands" in await console.say("/help")
    assert "Who elected the chair?" not in await console.say("# a comment line")


async def test_names_that_look_the_same_are_one_person(console: ConsoleDriver) -> None:
    """helper-182's 5: `/as án` composed and decomposed, or `Zoe` with a variation selector
    after it, were two people, listed under the same name."""
    for one, other in (("\u00e1n", "a\u0301n"), ("Zoe", "Zoe\ufe0e"), ("x", "X\ufe0f")):
        await console.say(f"/as {one}")
        first = console.console.actor.user_id
        assert "Now acting as" in await console.say(f"/as {other}")
        assert console.console.actor.user_id == first, (one, other)
    await console.say("/as ann")
    assert console.console.actor.user_id != first


async def test_as_takes_a_name_of_several_words_and_says_why_it_refuses(
        console: ConsoleDriver) -> None:
    """helper-167's 1: `/as Ann Smith` was a bare "Usage", and the lines after it ran as the
    person before (a script's answer stored under the moderator's name)."""
    assert "Now acting as Ann Smith (participant)." in await console.say("/as Ann Smith")
    # helper-170's 3: two spaces made another person, shown under the same name
    assert "Now acting as Ann Smith (moderator)." in await console.say(
        '/as "Ann  Smith" --moderator')
    # helper-170's 4: `--moderator off` made "Lee off" a moderator; a switch takes its yes or no
    assert "Now acting as Lee (participant)." in await console.say("/as Lee --moderator off")
    assert "Now acting as Lee (moderator)." in await console.say("/as Lee --moderator=yes")
    assert "Now acting as Eve (participant)." in await console.say('/as Eve "')
    assert "Now acting as --x (participant)." in await console.say('/as "--x"')
    # helper-168's 6: the dash smart punctuation makes of `--` is the option, as anywhere
    assert "Now acting as Max (moderator)." in await console.say("/as —moderator Max")
    for typed, said in (("/as --moderator", "Whom to act as? Name them."),
                        ("/as bob --mod", "no other option (got '--mod')"),
                        ("/as bob --moderator --moderator", "takes --moderator once")):
        assert said in flat(await console.say(typed)), typed
    await console.say("/as you --moderator")
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    await console.say("/as Ann Smith")
    await console.say("/seminar respond 1.1 Councils first.")
    await console.say("/as you --moderator")
    assert "Ann Smith" in flat(await console.say("/seminar stats participants"))


async def test_a_mistyped_console_command_is_told_its_near_match(console: ConsoleDriver) -> None:
    """/clok, /qiut got "There is no command" with no hint: the core knows only its own."""
    for typed, meant in (("/clok", "clock"), ("/cloc advance 1d", "clock"), ("/qiut", "quit"),
                         ("/exti", "exit"), ("/ass bob", "as")):
        assert f"Did you mean `{meant}`?" in flat(await console.say(typed)), typed
    assert "Did you mean `term`?" in flat(await console.say("/trem x"))  # the core's own
    assert "Did you mean" not in flat(await console.say("/zzzz"))


@pytest.mark.parametrize("room", [2, 5, 24, 40])
async def test_every_line_the_console_prints_fits_a_narrow_terminal(
        console: ConsoleDriver, room: int) -> None:
    """helper-100: the console's own lines (/as's and /clock's errors) and a reply's field
    names ran past a narrow terminal's edge."""
    console.console.width = room
    said = "".join([await console.say(line) for line in (
        "/as", "/as " + "x" * 70, "/clock soon", "/clock advance 9999999d", "hello",
        "/seminar setup tue 19:00 Europe/Berlin", "/seminar timeline", "/help")])
    assert said.count("\n") > 8
    # A word wider than the line (a path, "[--moderator]" at 2 columns) stands alone, uncut.
    assert all(columns_of(line) <= room or " " not in line.strip()
               for line in said.splitlines()), said


async def test_a_script_that_begins_with_a_byte_order_mark_loses_no_command() -> None:
    """helper-148: a script saved as "UTF-8" by Notepad or PowerShell begins with a byte order
    mark, which hid its first command (and so every command after a failed setup)."""
    from collections.abc import AsyncIterator

    from seminarbot.adapters.console.terminal import split_lines

    async def lines(*chunks: bytes) -> list[str]:
        async def given() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk
        return [line async for line in split_lines(given())]

    bom = "\ufeff".encode()
    assert await lines(bom + b"/clock\r\n/quit\n") == ["/clock", "/quit"]
    assert await lines(bom[:1], bom[1:] + b"/clock", b"\n") == ["/clock"]  # split across reads
    assert await lines(bom + b"/clock") == ["/clock"]  # no newline at the end
    assert await lines(bom) == [""]  # an empty line, passed over as any
    # At the start of any line: scripts put one after another (`cat a.txt b.txt`).
    assert await lines(b"/clock\n" + bom + b"/quit\n") == ["/clock", "/quit"]
    assert await lines(b"/as \xef\xbb\xbfann\n") == ["/as \ufeffann"]  # inside: a character
    # helper-166's 7: a CR alone ends a line (classic Mac line ends), CR LF once, wherever
    # the reads split them
    script = b"/clock\r/clock advance 1d\r\n\r\n/quit\r"
    for at in range(len(script) + 1):
        assert await lines(script[:at], script[at:]) == [
            "/clock", "/clock advance 1d", "", "/quit"], at


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                      "utf-32-le", "utf-32-be"])
async def test_a_script_saved_as_utf_16_is_read_as_written(encoding: str) -> None:
    """helper-153's 4: a script saved as Windows' "Unicode" (UTF-16, with its byte order mark)
    lost every letter beyond ASCII to U+FFFD, a response's words among them; helper-160's 7:
    one in UTF-32, whose mark begins with UTF-16's, was read as UTF-16."""
    import codecs
    from collections.abc import AsyncIterator

    from seminarbot.adapters.console.terminal import as_utf8, split_lines

    text = "/seminar respond 1.1 café — naïve 𝄞\r\n/quit\n"
    marks = {"16-le": codecs.BOM_UTF16_LE, "16-be": codecs.BOM_UTF16_BE,
             "32-le": codecs.BOM_UTF32_LE, "32-be": codecs.BOM_UTF32_BE}
    bom = marks.get(encoding[4:], b"")  # "utf-16" and "utf-32" write their own
    raw = bom + text.encode(encoding)

    async def lines(size: int) -> list[str]:
        async def given() -> AsyncIterator[bytes]:
            for start in range(0, len(raw), size):
                yield raw[start:start + size]
        return [line async for line in split_lines(as_utf8(given()))]

    for size in (1, 3, 4096):  # a read may split a character, or the mark itself
        assert await lines(size) == ["/seminar respond 1.1 café — naïve 𝄞", "/quit"], size


async def test_the_console_s_clock_advances_by_a_duration_typed_in_parts(
        console: ConsoleDriver, clock: ManualClock) -> None:
    """helper-158's 7: `/clock advance 1d 12h` got only the usage, where every DURATION's parts
    may be typed apart (README); one no unit reads is refused as a duration, and changes
    nothing."""
    from datetime import timedelta

    start = clock.now()
    await console.say("/clock advance 1 day 12 hours")
    await console.say("/clock advance 1d 12h")
    assert clock.now() - start == timedelta(days=3)
    assert "'5 parsecs'" in await console.say("/clock advance 5 parsecs")
    assert clock.now() - start == timedelta(days=3)


async def test_a_secret_typed_into_a_command_is_not_kept_in_the_audit_log(
        console: ConsoleDriver, app: Services) -> None:
    """helper-147's 2: a token pasted as an argument was stored whole in the audit log (the
    arguments and the refusal quoting them), where the log line about it was redacted."""
    from seminarbot.core import redaction

    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.Qw3rTy8uIoP1aSdFgHjKlZxCvBnM45"
    words, phrases = redaction._words.copy(), redaction._phrases.copy()
    try:
        redaction.remember_secret(token, anywhere=True)
        await console.say("/seminar setup tue 19:00 UTC")
        await console.say(f"/seminar export csv --participant {token}")
        await console.say(f"/seminar reminders {token}")
        details = " ".join(str(row[0]) for row in await app.db.fetchall(
            "SELECT detail FROM audit_log"))
        assert "Qw3rTy8u" not in details and "MTIzNDU2" not in details, details
        assert details.count("[redacted]") >= 3, details
    finally:
        redaction._words, redaction._phrases = words, phrases
        redaction._phrases_found.clear()


async def test_respond_with_the_same_words_again_is_recorded_once(
        console: ConsoleDriver, app: Services) -> None:
    """helper-172's 1, then helper-175's 3, 4 and helper-176's 3: the same words again (a
    retry of a command the platform showed as failed) are recorded once, however their spaces,
    composition or invisible characters differ; other words, letter case, another prompt or
    person are responses of their own; someone opted out is told that, not "recorded"."""
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    first = "Four elements: participation, unity."
    assert "Recorded your response to 1.1" in await console.say(f"/seminar respond 1.1 {first}")
    for again in (first, "  Four  elements:\tparticipation,\u00a0unity.\u200b",
                  "Four\u3164 elements:\u034f participation,\ufe0f unity."):  # show nothing
        assert "already recorded" in await console.say(f"/seminar respond 1.1 {again}"), again
    accented = "Fóur elements."
    await console.say(f"/seminar respond 1.1 {accented}")
    assert "already recorded" in await console.say("/seminar respond 1.1 Fo\u0301ur elements.")
    for other in ("/seminar respond 1.1 four elements: participation, unity.",
                  f"/seminar respond 1.2 {first}"):
        assert "Recorded your response" in await console.say(other), other
    await console.say("/as bob")
    assert "Recorded your response" in await console.say(f"/seminar respond 1.1 {first}")
    await console.say("/seminar optout")
    assert "opted out" in await console.say(f"/seminar respond 1.1 {first}")
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 5


async def test_a_response_refused_for_a_forget_me_in_its_second_says_so(
        console: ConsoleDriver, app: Services) -> None:
    """helper-177's 2: in the same second as a confirmed forget-me, `/seminar respond` said
    "You have opted out of recording", and the person had not."""
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    await console.say("/seminar respond 1.1 Before.")
    asked = await console.say("/seminar forget-me")
    code = re.search(r"forget-me ([A-Z0-9]{6})", asked)
    assert code, asked
    assert "Forgotten" in await console.say(f"/seminar forget-me {code.group(1)}")
    said = " ".join((await console.say("/seminar respond 1.1 After.")).split())
    assert "came in the same second as your request to be forgotten" in said, said
    assert "opted out" not in said
