"""What a person typed, quoted in the bot's own text, is marked for the platform that draws
markup (Discord) and reaches nothing else with its marks: not the console, not Matrix, not the
audit log, not an exception's text (domain/typed.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from seminarbot.adapters.console.render import render_reply
from seminarbot.adapters.matrix.pages import reply_contents
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.domain.errors import BadArgument
from seminarbot.domain.typed import TYPED_END, TYPED_START, as_typed, outside, spans, untyped
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver

MOD = Actor("matrix", "@mod:hs", "mod", is_moderator=True)
ROOM = Place("matrix", "hs", "!room:hs")
MARKS = (TYPED_START, TYPED_END)
texts = st.text(alphabet=st.sampled_from("ab */@<#\n" + TYPED_START + TYPED_END), max_size=12)


def unmarked(text: str) -> bool:
    return not any(mark in text for mark in MARKS)


@given(texts, texts, texts)
def test_a_typed_piece_is_one_span_whatever_it_holds(before: str, words: str,
                                                     after: str) -> None:
    said = untyped(before) + as_typed(words) + untyped(after)
    assert untyped(said) == untyped(before) + untyped(words) + untyped(after)
    assert [piece for piece, typed in spans(said) if typed] == \
        ([untyped(words)] if untyped(words) else [])
    assert "".join(piece for piece, _ in spans(said)) == untyped(said)
    # the bot's own pieces change, the typed piece never
    assert untyped(outside(said, str.upper)) == \
        untyped(before).upper() + untyped(words) + untyped(after).upper()


@given(texts)
def test_stray_marks_never_reach_what_is_shown(text: str) -> None:
    assert all(unmarked(piece) for piece, _ in spans(text))
    assert unmarked(untyped(text))


def test_an_error_s_text_has_no_marks_and_its_reply_keeps_them() -> None:
    error = BadArgument("weekday", "a weekday", "t /seminar setup")
    assert unmarked(str(error)) and unmarked(error.message)
    assert "'t /seminar setup'" in str(error)
    assert as_typed("'t /seminar setup'") in error.marked


async def test_a_typed_echo_is_unmarked_on_the_console_matrix_and_in_the_audit_log(
        console: ConsoleDriver, app: Services) -> None:
    """And `/seminar` in it is not given the platform's prefix (`!seminar` on Matrix)."""
    await run_line(app, "seminar setup tue 19:00 UTC", MOD, ROOM)
    refused = await run_line(app, "seminar skip t /seminar", MOD, ROOM, prefix="!")
    glossary = await run_line(app, "term /seminar setup **x**", MOD, ROOM, prefix="!")
    for reply in (refused, glossary):
        shown = render_reply(reply)
        assert unmarked(shown), shown
        for content in reply_contents(reply):
            assert unmarked(content["body"]) and unmarked(content["formatted_body"])
    assert "/seminar setup **x**" in render_reply(glossary)
    assert "`seminar skip`: 't /seminar'. Usage: !seminar skip" in render_reply(refused)
    # helper-155's 3: a mention's form was read to its id before it was quoted back
    unknown = await run_line(app, "seminar export csv --participant <@!123>", MOD, ROOM)
    assert "No participant here is called '<@!123>'." in render_reply(unknown)
    rows = await app.db.fetchall("SELECT detail FROM audit_log")
    assert rows and all(unmarked(row[0]) for row in rows)
