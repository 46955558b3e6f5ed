"""Opt-out, opt-in, forget-me and retention, verified in the database."""

import json
import re
from collections import OrderedDict
from datetime import timedelta

import pytest

from seminarbot.adapters.console.session import PLACE
from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.core import redaction
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor
from seminarbot.core.redaction import redact
from seminarbot.domain.responses import Outcome
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_edit, record_message
from seminarbot.storage.audit import FORGOTTEN
from tests.conftest import ConsoleDriver
from tests.discussion import ANN, BOB, seed


async def test_opt_out_stops_recording_and_opt_in_resumes(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    discussion = await seed(console, app, clock)
    thread = discussion.threads[0]
    before = await app.db.scalar("SELECT COUNT(*) FROM responses")
    await console.say("/as bob")
    assert "Opted out" in await console.say("/seminar optout")
    assert await app.db.scalar(
        "SELECT opted_out FROM participants WHERE external_id = 'console:bob'") == 1
    message = InboundMessage("console", "after-optout", BOB, "Not to be kept", clock.now(),
                             thread_id=thread)
    assert await record_message(app, message) is None
    assert "not stored" in await console.say("/seminar respond 1.1 Not kept either")
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == before
    # What bob wrote before is still stored, but no export or statistic shows it.
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM responses r JOIN participants p ON p.id = r.participant_id"
        " WHERE p.external_id = 'console:bob'") > 0
    await console.say("/as ann --moderator")
    stats = await console.say("/seminar stats participants")
    assert "bob" not in stats and "ann" in stats
    await console.say("/as bob")
    assert "Opted in" in await console.say("/seminar optin")
    again = InboundMessage("console", "after-optin", BOB, "Kept", clock.now(), thread_id=thread)
    assert await record_message(app, again) is not None
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM responses WHERE message_id = 'after-optin'") == 1


# Seconds from the opt-out (made at 0) and the opt-in (at 60): instants around both edges.
EDGES = (-1, 0, 30, 59, 60, 61)


async def test_an_edit_made_while_opted_out_is_refused_as_a_message_would_be(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-110: an edit bob made to an earlier response while he had opted out was stored,
    and shown again after he opted in. Words written while opted out are never recorded, an
    edit's no more than a message's: at each instant an edit is taken exactly when a new
    message would be (storage/refusals.py, one rule), and a refused edit changes nothing, not
    even the history (also when it arrives after a later edit). A message first read with
    such an edit (its creation missed) is refused: the text it shows was written then."""
    discussion = await seed(console, app, clock)
    thread = discussion.threads[0]
    for edge in EDGES:
        assert await record_message(app, InboundMessage(
            "console", f"base{edge}", BOB, f"Before, {edge}", clock.now(),
            thread_id=thread)) is Outcome.CREATED
    late = InboundMessage("console", "late", BOB, "Written before", clock.now(),
                          thread_id=thread)
    before = clock.now()
    await record_message(app, late)
    clock.advance(timedelta(minutes=5))
    start = clock.now()
    await console.say("/as bob")
    assert "Opted out" in await console.say("/seminar optout")
    clock.advance(timedelta(seconds=60))
    assert "Opted in" in await console.say("/seminar optin")
    clock.advance(timedelta(minutes=5))
    assert await record_edit(app, "console", "late", "Edited after opting in",
                             clock.now()) is Outcome.UPDATED
    taken = {}
    for edge in EDGES:
        at = start + timedelta(seconds=edge)
        new = await record_message(app, InboundMessage(
            "console", f"new{edge}", BOB, f"New at {edge}", at, thread_id=thread))
        edited = await record_edit(app, "console", f"base{edge}", f"SECRET at {edge}", at)
        assert (new is None) == (edited is Outcome.REFUSED), (edge, new, edited)
        # first read (a missed creation, a catch-up) with this edit: its text is the edit's
        missed = await record_message(app, InboundMessage(
            "console", f"missed{edge}", BOB, f"SECRET, first read at {edge}", before,
            thread_id=thread, edited_at=at))
        assert (new is None) == (missed is None), (edge, new, missed)
        taken[edge] = edited is Outcome.UPDATED
    # the same second as an opt-out is refused, as an opt-in is not (README: Privacy)
    assert taken == {-1: True, 0: False, 30: False, 59: False, 60: True, 61: True}
    assert await record_edit(app, "console", "late", "SECRET, made while opted out, late",
                             start + timedelta(seconds=30)) is Outcome.REFUSED
    kept = [row[0] for row in await app.db.fetchall(
        "SELECT body FROM responses UNION ALL SELECT previous_body FROM response_edits")]
    assert sorted(text for text in kept if "SECRET" in text) == [
        "SECRET at -1", "SECRET at 60", "SECRET at 61", "SECRET, first read at -1",
        "SECRET, first read at 60", "SECRET, first read at 61"]


async def test_opt_outs_and_ins_read_out_of_order_count_in_the_order_sent(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-113: choices handled out of the order they were sent (after the bot was down,
    one Matrix sync hands over two rooms' commands either way) made a period backwards
    (opted out at :02, in at :01): a message after the latest wish, to opt out, was recorded,
    and in the other order one after opting in again was refused. Whatever order they are
    read in, a message is recorded exactly when the person's latest choice sent before it
    (the same second as an opt-out included) and their latest choice of all are to be
    recorded (checked for 40 people, each with up to six choices read in a random order)."""
    import random

    from seminarbot.adapters.console.session import PLACE
    from seminarbot.core.dispatch import run_line
    from seminarbot.core.invocation import Actor

    thread = (await seed(console, app, clock)).threads[0]
    start = clock.now()
    clock.advance(timedelta(hours=1))
    draw = random.Random(19)
    for n in range(40):
        person = Actor("console", f"console:p{n}", f"p{n}")
        sent = sorted(draw.sample(range(1, 30), draw.randint(1, 6)))
        choices = [(minute, draw.random() < 0.5) for minute in sent]
        for minute, out in draw.sample(choices, len(choices)):
            await run_line(app, "seminar optout" if out else "seminar optin", person, PLACE,
                           sent_at=start + timedelta(minutes=minute))
        out_now = choices[-1][1]  # and while they are opted out, nothing is recorded
        for minute in range(0, 31):
            latest = [out for at, out in choices if at <= minute]
            recorded = await record_message(app, InboundMessage(
                "console", f"p{n}-{minute}", person, "Words.",
                start + timedelta(minutes=minute), thread_id=thread))
            assert (recorded is None) == (out_now or bool(latest and latest[-1])), (
                choices, minute)


async def test_forget_me_asks_for_a_code_then_deletes_everything_about_the_caller(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await seed(console, app, clock)
    # bob appears in the audit log as an actor (a refusal) and by name (a moderator's export).
    await console.say("/seminar export csv --participant bob")
    await console.say("/as bob")
    await console.say("/seminar pause")
    bob_id = await app.db.scalar(
        "SELECT id FROM participants WHERE external_id = 'console:bob'")
    ask = await console.say("/seminar forget-me")
    assert "cannot be undone" in ask and "your name and id in 1 entry" in ask
    code = re.search(r"forget-me ([A-Z0-9]{6}) within 10 minutes", ask)
    assert code, ask
    assert "That code is wrong; 2 tries left" in await console.say("/seminar forget-me WRONG1")
    assert await app.db.scalar("SELECT COUNT(*) FROM participants WHERE id = ?", (bob_id,)) == 1
    others_before = await app.db.scalar(
        "SELECT COUNT(*) FROM responses WHERE participant_id != ?", (bob_id,))
    done = await console.say(f"/seminar forget-me {code.group(1).lower()}")
    assert "Forgotten" in done
    assert await app.db.scalar("SELECT COUNT(*) FROM participants WHERE id = ?", (bob_id,)) == 0
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM responses WHERE participant_id = ?", (bob_id,)) == 0
    assert await app.db.scalar("SELECT COUNT(*) FROM response_edits e LEFT JOIN responses r"
                               " ON r.id = e.response_id WHERE r.id IS NULL") == 0
    assert await app.db.scalar("SELECT COUNT(*) FROM forget_requests") == 0
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM responses WHERE participant_id != ?", (bob_id,)) == others_before
    audit = await app.db.fetchall("SELECT actor_id, actor_name, action, detail FROM audit_log")
    dump = json.dumps([tuple(row) for row in audit])
    assert "console:bob" not in dump and '"bob"' not in dump
    refusal = next(row for row in audit if row[2] == "seminar pause")
    assert refusal[0].startswith("forgotten-") and refusal[1] == ""
    export = next(row for row in audit if row[2] == "export")
    assert json.loads(export[3])["scope"]["participant"] == FORGOTTEN
    assert json.loads(next(row for row in audit if row[2] == "seminar export")[3])[
        "args"]["participant"] == FORGOTTEN
    assert "Nothing is stored about you" in await console.say("/seminar forget-me")


async def test_the_next_process_keeps_a_pending_code_out_of_its_log(
        console: ConsoleDriver, app: Services, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    await seed(console, app, clock)
    await console.say("/as bob")
    code = re.search(r"forget-me ([A-Z0-9]{6})", await console.say("/seminar forget-me"))
    assert code
    # A new process remembers nothing of the last one's codes but what the database holds.
    monkeypatch.setattr(redaction, "_words", OrderedDict())
    raw = ("{'t': 'INTERACTION_CREATE', 'd': {'data': {'name': 'forget-me', 'options': "
           f"[{{'type': 3, 'name': 'code', 'value': '{code.group(1).lower()}'}}]}}}}")
    assert code.group(1).lower() in redaction.redact(raw)
    again = await open_services(app.settings, clock)
    try:
        assert code.group(1).lower() not in redaction.redact(raw)
    finally:
        await again.close()


async def test_a_forget_me_code_expires(console: ConsoleDriver, app: Services,
                                        clock: ManualClock) -> None:
    await seed(console, app, clock)
    await console.say("/as bob")
    code = re.search(r"forget-me ([A-Z0-9]{6})", await console.say("/seminar forget-me"))
    assert code
    clock.advance(timedelta(minutes=11))
    assert "No code is waiting for you: it has expired" in await console.say(
        f"/seminar forget-me {code.group(1)}")
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM participants WHERE external_id = 'console:bob'") == 1
    # The scheduler's pass (run after every console line) swept the expired code away.
    assert await app.db.scalar("SELECT COUNT(*) FROM forget_requests") == 0


async def test_three_wrong_codes_cancel_the_pending_one(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await seed(console, app, clock)
    await console.say("/as bob")
    first = re.search(r"forget-me ([A-Z0-9]{6})", await console.say("/seminar forget-me"))
    assert first
    wrong = "ZZZZZZ" if first.group(1) != "ZZZZZZ" else "YYYYYY"
    assert "2 tries left" in await console.say(f"/seminar forget-me {wrong}")
    assert "1 try left" in await console.say(f"/seminar forget-me {wrong}")
    last = await console.say(f"/seminar forget-me {wrong}")
    assert "that was the last of 3 tries: the code is cancelled" in last
    assert await app.db.scalar("SELECT COUNT(*) FROM forget_requests") == 0
    # The right code no longer works; a new code starts with three tries again.
    assert "No code is waiting" in await console.say(f"/seminar forget-me {first.group(1)}")
    second = re.search(r"forget-me ([A-Z0-9]{6})", await console.say("/seminar forget-me"))
    assert second
    # A code of the wrong shape is a typo, not a guess: refused, and no try is used up.
    for typo in ("ÄÖÜ", "ÄÖÜÄÖÜ", "123", "ABCDEFG"):
        answer = await console.say(f"/seminar forget-me {typo}")
        assert "`code` expects the 6-character code the first step gave you" in answer
    wrong = "ZZZZZZ" if second.group(1) != "ZZZZZZ" else "YYYYYY"
    assert "2 tries left" in await console.say(f"/seminar forget-me {wrong}")
    assert "Forgotten" in await console.say(f"/seminar forget-me {second.group(1)}")
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM participants WHERE external_id = 'console:bob'") == 0


async def test_retention_deletes_old_responses_on_the_scheduler_pass(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await seed(console, app, clock)
    total = await app.db.scalar("SELECT COUNT(*) FROM responses")
    assert "kept with no time limit" in await console.say("/seminar retention")
    set_reply = await console.say("/seminar retention 30")
    assert "Responses older than 30 days are deleted" in set_reply and "0 older" in set_reply
    assert await app.db.scalar("SELECT retention_days FROM cohorts") == 30
    clock.advance(timedelta(days=29))
    await app.scheduler.run_due()
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == total
    clock.advance(timedelta(days=1, hours=1))
    # A fresh response, written now, must survive the sweep.
    thread = (await app.outbox.for_cohort(1))[0].thread_id
    await record_message(app, InboundMessage("console", "fresh", BOB, "new", clock.now(),
                                             thread_id=thread))
    await app.scheduler.run_due()
    remaining = await app.db.fetchall("SELECT message_id FROM responses")
    assert [r[0] for r in remaining] == ["fresh"]
    assert await app.db.scalar("SELECT COUNT(*) FROM response_edits") == 0
    swept = await app.db.fetchone(
        "SELECT actor_id, outcome, detail FROM audit_log WHERE action = 'retention'")
    assert swept is not None and swept[0] == "seminarbot"
    assert json.loads(swept[2])["responses_deleted"] == total
    assert "kept (no retention limit)" in await console.say("/seminar retention 0")
    assert await app.db.scalar("SELECT retention_days FROM cohorts") is None
    await console.say("/as bob")
    assert "Only moderators" in await console.say("/seminar retention 1")
    assert await app.db.scalar("SELECT retention_days FROM cohorts") is None


async def test_forget_me_takes_the_name_out_of_every_value_that_mentions_it(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-142's 3 and 4: a name typed as `@name`, in backticks, with a comma, or quoted in
    a refusal's reason stayed in the audit log (only whole values were scrubbed), and so did
    the free text the person typed into a command refused to them."""
    await seed(console, app, clock)
    await console.say("/as ZEBRANAMEONE")
    await console.say("/seminar respond 1.1 Mine.")
    await console.say("/seminar export csv --participant ZEBRAPEEK")  # refused: not a moderator
    await console.say("/as ann --moderator")
    for typed in ("@ZEBRANAMEONE", "`ZEBRANAMEONE`", "ZEBRANAMEONE,",
                  "ZEBRANAMEONE --since ZEBRANAMEONE", "zebranameone"):
        await console.say(f"/seminar export csv --participant {typed}")
    await console.say("/seminar export csv --participant ZEBRANAMEONEX")  # someone else
    before = await app.db.scalar("SELECT COUNT(*) FROM audit_log")
    await console.say("/as ZEBRANAMEONE")
    code = re.search(r"forget-me ([A-Z0-9]{6}) within", await console.say("/seminar forget-me"))
    assert code
    done = await console.say(f"/seminar forget-me {code.group(1)}")
    assert "Forgotten" in done
    # Others' entries that named them are counted too (helper-163's 2: "0 entries")
    named = re.search(r"your name from (\d+) entries that named you", " ".join(done.split()))
    assert named and int(named.group(1)) >= 5, done
    dump = json.dumps([tuple(row) for row in await app.db.fetchall(
        "SELECT actor_id, actor_name, action, outcome, detail FROM audit_log")])
    assert "zebranameone" not in dump.casefold().replace("zebranameonex", ""), dump
    assert "ZEBRAPEEK" not in dump
    assert "ZEBRANAMEONEX" in dump  # another's name is not a mention of theirs
    # Nothing was deleted but the forget-me's own entry added: the actions stay recorded.
    assert await app.db.scalar("SELECT COUNT(*) FROM audit_log") == before + 1
    assert dump.count(FORGOTTEN) >= 5


async def test_forget_me_finds_a_name_of_two_words_typed_without_quotes(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-193's 1: `--participant Zed Quux` binds Quux to the next parameter (the session)
    and is refused for it; the entry kept `Zed` and `Quux` apart, which matched no name of
    theirs, so both stayed after their forget-me, and the reason's quote of Quux too."""
    await seed(console, app, clock)
    await console.say("/as Zed Quux")
    await console.say("/seminar respond 1.1 Mine.")
    await console.say("/as ann --moderator")
    for typed in ("`Zed Quux`", "@Zed Quux", "console:zed quux", "Zed Quux,", "zed Other"):
        await console.say(f"/seminar export csv --participant {typed}")
    before = await _audit_dump(app)
    assert "Quux" in before and "console:zed" in before
    await console.say("/as Zed Quux")
    code = re.search(r"forget-me ([A-Z0-9]{6}) within", await console.say("/seminar forget-me"))
    assert code
    assert "Forgotten" in await console.say(f"/seminar forget-me {code.group(1)}")
    after = await _audit_dump(app)
    assert "quux" not in after.casefold(), after
    assert '\\"participant\\": \\"zed\\"' in after  # zed Other: another, not them
    assert "Other" in after


async def test_a_name_spilled_over_two_arguments_is_the_longer_name_s(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-195's 1: Zed's forget-me took `Zed` out of entries about Zed Quux (`Zed`, then
    `Quux` in the session), leaving Quux; Zed Quux's forget-me then found nothing to take."""
    await seed(console, app, clock)
    for name in ("Zed Quux", "Zed"):
        await console.say(f"/as {name}")
        await console.say(f"/seminar respond 1.1 words of {name}")
    await console.say("/as ann --moderator")
    for typed in ("Zed Quux", "Zed Quux --since 2026-01-01", "Zed"):
        await console.say(f"/seminar export csv --participant {typed}")
    for name in ("Zed", "Zed Quux"):
        await console.say(f"/as {name}")
        code = re.search(r"forget-me ([A-Z0-9]{6}) within",
                         await console.say("/seminar forget-me"))
        assert code
        done = " ".join((await console.say(f"/seminar forget-me {code.group(1)}")).split())
        named = re.search(r"your name from (\d+) entr", done)
        assert named and int(named.group(1)) == 2, done  # Zed: the command, its export
        if name == "Zed":
            dump = await _audit_dump(app)
            assert dump.count("Quux") >= 4, dump  # the spilled entries stay whole
    after = await _audit_dump(app)
    assert "Quux" not in after and '\\"Zed' not in after, after


async def test_words_that_fit_no_usage_are_refused_to_a_participant_and_audited(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-195's 6: too many words for a moderator's command answered "Too many arguments"
    before "Only moderators may", and neither it nor a moderator's was audited; the line kept
    is then cleared of a forgotten person's name, as any argument naming them is."""
    await seed(console, app, clock)
    await console.say("/as Mary Ann Evans")
    await console.say("/seminar respond 1.1 Mine.")
    await console.say("/as bob")
    assert "Only moderators may use /seminar pause" in await console.say("/seminar pause now")
    await console.say("/as ann --moderator")
    said = await console.say("/seminar export csv --participant Mary Ann Evans")
    assert "Too many arguments" in said or "expects" in said
    rows = await app.db.fetch_tuples(
        "SELECT actor_name, action, outcome, detail FROM audit_log WHERE id > (SELECT MAX(id) - 2"
        " FROM audit_log) ORDER BY id")
    assert [(r[0], r[1], r[2]) for r in rows] == [("bob", "seminar pause", "refused"),
                                                  ("ann", "seminar export", "failed")], rows
    assert json.loads(str(rows[1][3]))["args"] == {
        "line": "seminar export csv --participant Mary Ann Evans"}
    await console.say("/as Mary Ann Evans")
    code = re.search(r"forget-me ([A-Z0-9]{6}) within", await console.say("/seminar forget-me"))
    assert code
    await console.say(f"/seminar forget-me {code.group(1)}")
    dump = await _audit_dump(app)
    assert "Evans" not in dump and "Mary" not in dump, dump
    assert "seminar export csv --participant [forgotten]" in dump


async def _forget_in_console(console: ConsoleDriver, name: str) -> None:
    await console.say(f"/as {name}")
    code = re.search(r"forget-me ([A-Z0-9]{6}) within", await console.say("/seminar forget-me"))
    assert code
    assert "Forgotten" in await console.say(f"/seminar forget-me {code.group(1)}")


async def _lines(app: Services) -> list[tuple[str, str]]:
    rows = await app.db.fetch_tuples("SELECT detail FROM audit_log WHERE json_extract(detail,"
                                     " '$.args.line') IS NOT NULL ORDER BY id")
    return [(json.loads(str(r[0]))["args"]["line"], json.loads(str(r[0])).get("reason", ""))
            for r in rows]


async def _typed_by_a_moderator(console: ConsoleDriver, app: Services, clock: ManualClock,
                                typed: list[str], people: tuple[str, ...]) -> None:
    """Each of `people` responds, then a moderator types each of `typed`, lines whose words
    fit no usage, each kept whole as its entry's `line`."""
    await seed(console, app, clock)
    for name in people:
        await console.say(f"/as {name}")
        await console.say(f"/seminar respond 1.1 words of {name}")
    await console.say("/as ann --moderator")
    for line in typed:
        await console.say(f"/{line}")
    assert [line for line, _ in await _lines(app)] == list(map(redact, typed))


async def test_a_typed_line_loses_only_the_name_its_participant_option_gives(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-196's 1-3: the line of a command whose words fit no usage lost every word of a
    forgotten person's names wherever it stood (Zed's forget-me cut Zed out of "Zed Quux Jr",
    "London" out of Europe/London, "Csv" out of the format), and kept their name typed in
    another case or form, or quoted in the reason with the words after it."""
    typed = ["seminar export csv --participant Zed Quux Jr", "seminar export csv "
             "--participant Zed Quux 2", "seminar export csv 2 --participant Zed Quux",
             "seminar export csv 1 --participant RENÉE   ROSS --bogus",
             "seminar export csv 1 --participant=Rene\u0301e Roß 2",
             "seminar reschedule mon 19:00 Europe/London 2026-03-30 extra",
             "seminar export csv 1 2"]
    await _typed_by_a_moderator(console, app, clock, typed, (
        "Zed Quux", "Zed", "Zed Quux Jr", "Renée Roß", "London", "Csv"))
    await _forget_in_console(console, "Zed")
    assert [line for line, _ in await _lines(app)] == typed
    for name in ("London", "Csv", "Zed Quux", "Zed Quux Jr", "Renée Roß"):
        await _forget_in_console(console, name)
    kept = await _lines(app)
    assert [line for line, _ in kept] == [
        "seminar export csv --participant [forgotten]",
        "seminar export csv --participant [forgotten] 2",
        "seminar export csv 2 --participant [forgotten]",
        "seminar export csv 1 --participant [forgotten] --bogus",
        "seminar export csv 1 --participant=[forgotten] 2",
        "seminar reschedule mon 19:00 Europe/London 2026-03-30 extra",
        "seminar export csv 1 2"], kept
    dump = (await _audit_dump(app)).casefold()
    for word in ("quux", "jr'", "ross", "roß", "renée", "bogus'"):
        assert word not in dump, (word, dump)


async def test_a_typed_line_s_name_is_read_as_the_parser_reads_its_words(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-197's 1-3: an option typed with a smart dash was never read as one, a name of
    five words was cut to four (and a shorter name of another's took its first word), and a
    name partly in quotes kept its quote, so it matched the wrong person."""
    typed = ["seminar export csv —participant Zed Quux Jr",
             "seminar export csv –participant=Zed Quux Jr",
             "seminar export csv --participant Zed —participant Zed Quux Jr",
             "seminar export csv --participant Maria de la Cruz Pérez",
             "seminar export csv --participant=Maria de la Cruz Pérez 2",
             'seminar export csv --participant "Zed Quux" Jr 1']
    await _typed_by_a_moderator(console, app, clock, typed, (
        "Zed Quux Jr", "Zed", "Maria de la Cruz Pérez", "Maria"))
    for name in ("Zed", "Maria"):
        await _forget_in_console(console, name)
    assert [line for line, _ in await _lines(app)] == [
        *typed[:2], "seminar export csv --participant [forgotten] —participant Zed Quux Jr",
        *typed[3:]]
    for name in ("Zed Quux Jr", "Maria de la Cruz Pérez"):
        await _forget_in_console(console, name)
    assert [line for line, _ in await _lines(app)] == [
        "seminar export csv —participant [forgotten]",
        "seminar export csv –participant=[forgotten]",
        "seminar export csv --participant [forgotten] —participant [forgotten]",
        "seminar export csv --participant [forgotten]",
        "seminar export csv --participant=[forgotten] 2",
        "seminar export csv --participant [forgotten] 1"]
    dump = (await _audit_dump(app)).casefold()
    for word in ("quux", "jr", "cruz", "pérez", "maria"):
        assert word not in dump, (word, dump)


async def test_an_entry_about_a_person_keeps_its_other_arguments_that_look_alike(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-197's 4: `--participant Csv csv` lost its format with the name, and a reason's
    Europe/London became Europe/[forgotten] for a person named London."""
    await seed(console, app, clock)
    for name in ("Csv", "London"):
        await console.say(f"/as {name}")
        await console.say(f"/seminar respond 1.1 words of {name}")
    await console.say("/as ann --moderator")
    for line in ("/seminar export csv --participant Csv csv",
                 "/seminar export csv --participant London Europe/London"):
        await console.say(line)
    for name in ("Csv", "London"):
        await _forget_in_console(console, name)
    rows = [json.loads(str(r[0])) for r in await app.db.fetch_tuples(
        "SELECT detail FROM audit_log WHERE action = 'seminar export' ORDER BY id")]
    # (the session the reason quoted, the name again, goes: "an argument the reason quoted")
    assert rows[-2]["args"] == {"format": "csv", "participant": FORGOTTEN, "session": FORGOTTEN}
    assert rows[-1]["args"]["participant"] == FORGOTTEN
    assert "(got 'Europe/London')" in rows[-1]["reason"], rows[-1]


async def test_names_as_people_type_them_go_and_words_typed_before_them_stay(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-198's 1-5, 12: a session typed before `--participant` was read as the rest of a
    name (Joseph's name stayed, Joseph Stalin's forget-me took the session id); a name with
    a full stop or a comma, one quoted with two spaces, one of punctuation alone stayed; a
    token redacted before the name moved the places of its words; a participant's own
    refused line kept the places of its words."""
    typed = ["seminar export csv stalin --participant Joseph --until nonsense",
             "seminar export csv --participant Dr. Who --bogus",
             "seminar export csv --participant Smith, John --bogus",
             'seminar export csv --participant "Zed  Quux" --bogus',
             "seminar export csv --participant ?! --bogus",
             "seminar export csv --since syt_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa --participant "
             "Zed Quux --bogus"]
    await _typed_by_a_moderator(console, app, clock, typed[1:], (
        "Joseph", "Joseph Stalin", "Dr. Who", "Smith, John", "Zed Quux", "?!", "Pat"))
    await console.say(f"/{typed[0]}")
    await console.say("/as Pat")
    await console.say("/seminar export csv --participant Zed Quux --bogus")
    for name in ("Joseph Stalin", "Joseph", "Dr. Who", "Smith, John", "Zed Quux", "?!", "Pat"):
        await _forget_in_console(console, name)
    dump = await _audit_dump(app)
    for gone in ("Joseph", "Who", "Smith", "Quux", "?!"):
        assert gone not in dump, (gone, dump)
    assert '\\"session\\": \\"stalin\\"' in dump, dump
    refused = [json.loads(str(r[0])) for r in await app.db.fetch_tuples(
        "SELECT detail FROM audit_log WHERE outcome = 'refused' AND action = 'seminar export'")]
    assert refused == [{"args": {}, "channel": "console"}], refused  # Pat's own, emptied
    rows = [json.loads(str(r[0])) for r in await app.db.fetch_tuples(
        "SELECT detail FROM audit_log WHERE json_extract(detail, '$.args.line') IS NOT NULL")]
    assert [row["args"]["line"] for row in rows] == [
        "seminar export csv --participant [forgotten] --bogus",
        "seminar export csv --participant [forgotten] --bogus",
        "seminar export csv --participant [forgotten] --bogus",
        "seminar export csv --participant [forgotten] --bogus",
        "seminar export csv --since [redacted] --participant [forgotten] --bogus"], rows


async def test_forget_me_takes_nothing_of_the_bot_s_own_words_in_a_reason(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-198's 6-8: a person named Session, Seminar or a date took those words out of
    every reason that named them (`[forgotten]` expects a [forgotten] number …)."""
    await seed(console, app, clock)
    for name in ("Session", "Seminar", "2026-03-20"):
        await console.say(f"/as {name}")
        await console.say(f"/seminar respond 1.1 words of {name}")
    await console.say("/as ann --moderator")
    for line in ("/seminar export csv 99 --participant Session",
                 "/seminar export csv --participant Seminar --bogus",
                 "/seminar export csv --since 2026-03-20 --until 2026-03-01 --participant "
                 "2026-03-20"):
        await console.say(line)
    for name in ("Session", "Seminar", "2026-03-20"):
        await _forget_in_console(console, name)
    reasons = [str(json.loads(str(r[0])).get("reason")) for r in await app.db.fetch_tuples(
        "SELECT detail FROM audit_log WHERE action = 'seminar export' ORDER BY id")][-3:]
    assert reasons[0].startswith("`session` expects a session number"), reasons
    assert reasons[1].startswith("`seminar export` has no option --bogus"), reasons
    assert "on or after `since` (2026-03-20)" in reasons[2], reasons


async def test_a_name_runs_on_only_into_the_words_typed_after_it(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-199's 1-3: `--participant Ann Evans --until nonsense` (refused for the date)
    kept Ann Evans's name, as did a participant's refused line and one in backticks; and
    `--participant Ann --until Evans`, Ann's, lost Ann with Ann Evans's forget-me. The words
    typed after `--participant`, in order, now decide."""
    await seed(console, app, clock)
    for name in ("Ann", "Ann Evans", "Bob"):
        await console.say(f"/as {name}")
        await console.say(f"/seminar respond 1.1 words of {name}")
    await console.say("/as Bob")
    await console.say("/seminar export csv --participant Ann Evans")
    await console.say("/as ann --moderator")
    for line in ("--participant Ann Evans --until nonsense", "--participant Ann Evans --since x",
                 "--participant `Ann Evans` --until nonsense", "--participant Ann --until Evans",
                 "--until Evans --participant Ann", "Evans --participant Ann"):
        await console.say(f"/seminar export csv {line}")
    await _forget_in_console(console, "Ann Evans")
    rows = [json.loads(str(r[0]))["args"] for r in await app.db.fetch_tuples(
        "SELECT detail FROM audit_log WHERE action = 'seminar export' ORDER BY id")][-7:]
    for args in rows[:4]:  # Bob's refused line, then the moderator's
        assert "Evans" not in json.dumps(args) and args["participant"] == FORGOTTEN, rows
    assert [args["participant"] for args in rows[4:]] == ["Ann", "Ann", "Ann"], rows
    await _forget_in_console(console, "Ann")
    rows = [json.loads(str(r[0]))["args"] for r in await app.db.fetch_tuples(
        "SELECT detail FROM audit_log WHERE action = 'seminar export' ORDER BY id")][-3:]
    assert [(args["participant"], "Evans" in json.dumps(args)) for args in rows] == [
        (FORGOTTEN, True)] * 3, rows


async def _forget(app: Services, who: Actor) -> None:
    asked = await run_line(app, "seminar forget-me", who, PLACE)
    code = re.search(r"forget-me ([A-Z0-9]{6}) within", " ".join(
        (asked.footer or "", *asked.paragraphs)))
    assert code, asked
    done = await run_line(app, f"seminar forget-me {code.group(1)}", who, PLACE)
    assert done.title == "Forgotten", done


async def _audit_dump(app: Services) -> str:
    return json.dumps([tuple(row) for row in await app.db.fetchall(
        "SELECT actor_id, actor_name, action, outcome, detail FROM audit_log")],
        ensure_ascii=False)


async def test_forget_me_finds_a_name_with_quotes_and_one_since_changed(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-143's 1 and 2: a name holding `"` or `\\` was looked for in the stored JSON
    (where it is escaped) and never found; a moderator's `--participant bob`, typed before bob
    took another name, stayed, as only the latest name is known. The participant a command
    found is noted in its entry, and goes with them."""
    await seed(console, app, clock)
    thread = str((await app.outbox.for_cohort(1))[0].thread_id)
    for number, name in enumerate(('Bob"Q"Smith', "back\\slash", "Roberta")):
        person = Actor("console", "console:renamed", name)
        await record_message(app, InboundMessage("console", f"r{number}", person, "Mine.",
                                                 clock.now(), thread_id=thread))
        await run_line(app, f"seminar export csv --participant {name}", ANN, PLACE)
    before = await _audit_dump(app)
    assert "Bob" in before and "back" in before  # escaped, as JSON stores them
    await _forget(app, Actor("console", "console:renamed", "Roberta"))
    dump = await _audit_dump(app)
    for name in ("Bob", "Smith", "back", "slash", "Roberta"):
        assert name not in dump, (name, dump)


@pytest.mark.parametrize("name", ["London", "a", "all", "Mary", "console", "csv"])
async def test_forget_me_leaves_words_that_only_look_like_the_name(
        console: ConsoleDriver, app: Services, clock: ManualClock, name: str) -> None:
    """helper-143's 3: every standalone word equal to the name was scrubbed, everyone's and
    the bot's own: a zone (Europe/London), another's name (Mary Ann), an argument (`--since
    all`), a channel, a file name, the words of a reason ("expects a date")."""
    await console.say("/seminar setup tue 19:00 Europe/London")
    await console.say("/seminar post 1")
    thread = str((await app.outbox.for_cohort(1))[0].thread_id)
    person, other = Actor("console", "console:p", name), Actor("console", "console:o", "Mary Ann")
    for number, who in enumerate((person, other)):
        await record_message(app, InboundMessage("console", f"w{number}", who, "Words.",
                                                 clock.now(), thread_id=thread))
    for line in ("seminar export csv --participant Mary Ann", "seminar export csv --since all",
                 "seminar export csv --participant nobody-here", f"seminar export csv "
                 f"--participant {name}"):
        await run_line(app, line, ANN, PLACE)
    before = await _audit_dump(app)
    await _forget(app, person)
    after = await _audit_dump(app)
    for kept in ("Europe/London", "Mary Ann", '\\"since\\": \\"all\\"', "expects a date",
                 '\\"channel\\": \\"console\\"', "nobody-here", "seminar-console-"):
        assert before.count(kept) == after.count(kept), (kept, after)
    assert after.count(FORGOTTEN) > before.count(FORGOTTEN)


async def test_a_participant_is_found_by_name_whatever_its_case_in_any_script(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-143's 9: SQLite's lower() folds ASCII only: `émile` found no Émile, `STRASSE` no
    Straße."""
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    thread = str((await app.outbox.for_cohort(1))[0].thread_id)
    for number, name in enumerate(("Émile", "Straße")):
        await record_message(app, InboundMessage("console", f"c{number}", Actor(
            "console", f"console:{number}", name), "Words.", clock.now(), thread_id=thread))
    for typed, meant in (("émile", "Émile"), ("ÉMILE", "Émile"), ("STRASSE", "Straße"),
                         ("strasse", "Straße"), ("e\u0301mile", "Émile")):
        found = await app.participants.matching(1, typed)
        assert [person.display_name for person in found] == [meant], typed
    for prefix in ("ém", "e\u0301m", "ÉM"):
        assert [p.display_name for p in await app.participants.matching(
            1, prefix, prefix=True)] == ["Émile"], prefix


async def _responded(app: Services, clock: ManualClock, *people: Actor) -> None:
    thread = str((await app.outbox.for_cohort(1))[0].thread_id)
    for person in people:
        await record_message(app, InboundMessage("console", f"{person.user_id}-{clock.now()}",
                                                 person, "Words.", clock.now(),
                                                 thread_id=thread))


async def test_forget_me_takes_them_out_of_what_was_said_about_them_and_only_them(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-144's 1 to 7: a refusal naming them without quotes ("Mary has opted out"), or
    listing their id beside a namesake's, a name with a backslash (quoted doubled), one typed
    decomposed (e + U+0301) or of emoji alone, and forms of an old name, all stayed; and an
    argument merely equal to their name (`csv`, a session `1`), or a namesake's found entry
    (Zoë beside "Zoë 🙂"), went."""
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    mary, sam, namesake = (Actor("console", "console:mary", "Mary"),
                           Actor("console", "console:sam", "Sam"),
                           Actor("console", "console:sam2", "Sam"))
    slash, emile, smiles = (Actor("console", "console:slash", "back\\slash"),
                            Actor("console", "console:emile", "Émile"),
                            Actor("console", "console:smiles", "🙂🙂"))
    zoe, zoe_smiling, csv = (Actor("console", "console:zoe", "Zoë"),
                             Actor("console", "console:zoe2", "Zoë 🙂"),
                             Actor("console", "console:csv", "csv"))
    eve = Actor("console", "console:eve", "Evelyn\u202c")  # a stray bidi control (helper-145)
    people = (mary, sam, namesake, slash, emile, smiles, zoe, zoe_smiling, csv, eve)
    await _responded(app, clock, *people)
    for opting in (mary, eve):
        await run_line(app, "seminar optout", opting, PLACE)
    for typed in ("Mary", "Sam", "back\\slash", "e\u0301mile", "🙂🙂,", "Zoë",
                  "csv", "@Mary", "`Sam`", "Evelyn\u202c"):
        await run_line(app, f"seminar export csv --participant {typed}", ANN, PLACE)
    await run_line(app, "seminar export markdown 1 --participant csv", ANN, PLACE)
    for person in (mary, sam, slash, emile, smiles, zoe_smiling, csv, eve):
        await _forget(app, person)
    dump = await _audit_dump(app)
    for gone in ("Mary", "console:sam\\", "back", "mile", "🙂🙂", "console:mary", "Evelyn"):
        assert gone not in dump, (gone, dump)
    assert "console:sam2" in dump  # the namesake's id stays
    assert '\\"participant\\": \\"Zoë\\"' in dump  # found Zoë, not "Zoë 🙂"
    assert '\\"format\\": \\"csv\\"' in dump and '\\"session\\": \\"1\\"' in dump


async def test_no_id_is_given_twice_after_forget_me_retention_or_a_re_plan(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-163's 1: SQLite numbers a new row one above the largest there, so deleting the
    newest (a forget-me, a retention sweep, pending posts a re-plan drops) gave its id to the
    next: a newcomer took a forgotten person's participant and response numbers, which an
    earlier export shows, and a new outbox row the idempotency key of a dropped one."""
    await seed(console, app, clock)
    newcomer = Actor("console", "console:ZEBRANEW", "ZEBRANEW")
    forgotten = Actor("console", "console:ZEBRAGONE", "ZEBRAGONE")

    async def ids() -> dict[str, set[int]]:
        return {table: {int(row[0]) for row in await app.db.fetchall(f"SELECT id FROM {table}")}
                for table in ("participants", "responses", "outbox")}

    await _responded(app, clock, forgotten)
    given = await ids()
    await _forget(app, forgotten)
    await _responded(app, clock, newcomer)
    await console.say("/as ann --moderator")
    await console.say("/seminar retention 1")
    clock.advance(timedelta(days=2))
    await app.scheduler.run_due()
    await _responded(app, clock, newcomer)
    await console.say("/seminar reminders 1d")  # the pending reminders and digests dropped
    await console.say("/seminar reminders 2d")  # and planned again
    now = await ids()
    for table, before in given.items():
        newer = now[table] - before
        assert newer and min(newer) > max(before), (table, before, now[table])
