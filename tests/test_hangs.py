"""No input a person can give holds the bot (helper-122, helper-124): every reader of text
from outside ends on the worst input a platform lets through (a Matrix event's 64 KiB, a
console line's 25,000 characters) in time that grows with its length. Each case here took
seconds to hours before; it must now end within a deadline a thousand times what it takes
(no speed is asserted: benchmarks/ measure speed)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from seminarbot.adapters.console.render import columns_of, wrap
from seminarbot.adapters.matrix.events import Said
from seminarbot.adapters.matrix.pills import pills
from seminarbot.core.params import Duration, DurationOrOff
from seminarbot.core.redaction import redact
from seminarbot.domain.display import isolate
from seminarbot.domain.errors import BadArgument
from seminarbot.domain.responses import MAX_BODY_CHARS, with_attachments


def ends(work: Callable[[], object]) -> None:
    """`work` ends within 60 s (linear code takes milliseconds; the code it replaced took
    minutes to hours on these inputs)."""
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(60), "still reading after 60 s"


@pytest.mark.parametrize("text", ["a-" * 100_000, "1" * 100_000, "x" * 25_000 + "." * 25_000,
                                  "token" * 40_000, "secret" * 30_000 + ":",
                                  'password: "' + "\\\\" * 50_000, "password: '" + "''" * 50_000])
def test_no_line_holds_the_log_s_redaction(text: str) -> None:
    """helper-122's 7: `a-a-a-…` took 13 s for 60,000 characters (quadratic), a line a
    traceback quoting a long message could carry."""
    ends(lambda: redact(text))


@pytest.mark.parametrize("raw", ["1" * 60_000, "1" * 59_990 + "days", "1 " * 30_000 + "h"])
def test_no_duration_a_line_can_carry_holds_the_parser(raw: str) -> None:
    def parse() -> None:
        for kind in (Duration(), DurationOrOff()):
            with pytest.raises(BadArgument):
                kind.parse(raw, "wait")

    ends(parse)


@pytest.mark.parametrize("text", ["\u202a" * 30_000 + "\u2069" * 30_000,
                                  "x" + "\u202b\u2069" * 30_000])
def test_bidirectional_controls_are_balanced_in_one_pass(text: str) -> None:
    """helper-124's 1: each PDI that closed nothing looked through every embedding open (2 s
    for 20,000 characters, on every export of such a response)."""
    ends(lambda: isolate(text))


@pytest.mark.parametrize("text", ["\U0001F1E6\U0001F1E7" * 4_000, "\U0001F1E6" * 8_000,
                                  "a " + "\U0001F1FA\U0001F1E6" * 3_000 + " b"])
def test_a_long_word_of_flags_is_wrapped_on_the_console(text: str) -> None:
    """helper-124's 3: wcwidth's wrap cut a long word of flags in time growing faster than
    its square (16 s for 4,000 characters); the console cuts such a word itself."""
    lines: list[str] = []
    ends(lambda: lines.extend(wrap(text, 80, "  ")))
    assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")


def test_many_pills_of_one_name_are_placed_in_one_pass() -> None:
    """helper-124's 2: the nth pill of a name searched the text n times (quadratic)."""
    count = 20_000
    formatted = "!seminar respond 1.1 " + "<a href='https://matrix.to/#/@a:hs'>x</a>" * count
    said = Said("$e", "@ann:hs", "!seminar respond 1.1 " + "x" * count, None,  # type: ignore[arg-type]
                pills=pills(formatted))
    placed: list[int] = []
    ends(lambda: placed.append(len(said.as_command("!")[1])))
    assert placed == [count]


@pytest.mark.parametrize("text", ["\xa0".join(["\U0001F1EB\U0001F1F7" * 100] * 120),
                                  " ".join(["\U0001F1EB\U0001F1F7" * 100] * 120)])
def test_words_wcwidth_would_cut_are_cut_before_it(text: str) -> None:
    """helper-125's 1 and 2: words told apart by a no-break space (which wcwidth's wrap does
    not break at) or of 200 characters each still reached wcwidth's own cutting."""
    lines: list[str] = []
    ends(lambda: lines.extend(wrap(text, 40)))
    assert all(columns_of(line) <= 40 for line in lines)


def test_a_poll_of_thousands_of_answers_keeps_within_a_response() -> None:
    """helper-125's 7: a Matrix poll of 4,000 answers made a text of 68,000 characters that
    began with a truncation mark and lost the text before it."""
    text = with_attachments("hello", [], ("q", ["a" * 999] * 25))
    assert text.startswith("hello\n[poll: q]\n") and len(text) <= MAX_BODY_CHARS
    assert text.endswith("[poll answers left out: 16]")
    many = with_attachments("", [], ("q", ["a"] * 10_000))
    assert len(many) <= MAX_BODY_CHARS and many.endswith("[poll answers left out: 9412]")
