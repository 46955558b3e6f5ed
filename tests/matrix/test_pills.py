"""User pills read from a message's HTML in one pass (adapters/matrix/pills.py). helper-122's
first find: a member's message of `<a ` openings before an unclosed 50 KB link held the bot's
event loop for over ten minutes (a regular expression with nested repetition), and SIGTERM
could not stop it; so did a few thousand `<mx-reply>` openings, for seconds. Each reader of
untrusted text here, and the log's redaction, must end on the worst input an event can carry:
checked with a deadline a thousand times what the reading takes (no speed is asserted)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from seminarbot.adapters.matrix.pills import pills, plain
from seminarbot.core.params import Duration, DurationOrOff
from seminarbot.core.redaction import redact
from seminarbot.domain.errors import BadArgument

ANN = '<a href="https://matrix.to/#/@ann:hs">Ann</a>'


@pytest.mark.parametrize(("formatted", "found"), [
    (f"Hi {ANN} and {ANN}", (("Ann", "@ann:hs", 0), ("Ann", "@ann:hs", 1))),
    ('<A HREF="https://matrix.to/#/%40bob%3Ahs?via=hs">Bob &amp; co</A>',
     (("Bob & co", "@bob:hs", 0),)),
    ("<a href='https://matrix.to/#/@c:hs/x'> <b>C</b> </a>", (("C", "@c:hs", 0),)),
    ('<a href="https://matrix.to/#/!room:hs">Room</a> <a href="https://example.org">x</a>', ()),
    ('<a class="x"><a href="https://matrix.to/#/@d:hs">D</a>', (("D", "@d:hs", 0),)),
    ('<a href="https://matrix.to/#/@e:hs"></a>', ()),  # shows nothing
    (f"<mx-reply><a href=\"https://matrix.to/#/@mod:hs\">@mod</a></mx-reply>{ANN}",
     (("Ann", "@ann:hs", 0),)),
    (f"<mx-reply>unclosed {ANN}", (("Ann", "@ann:hs", 0),)),
    ('<a href="https://matrix.to/#/@f:hs">F', ()),  # never closed
    ("<ab>Ann</ab> " + ANN, (("Ann", "@ann:hs", 1),)),
])
def test_pills_are_read_as_element_writes_them(formatted: str,
                                               found: tuple[tuple[str, str, int], ...]) -> None:
    assert pills(formatted) == found


def test_plain_text_of_html() -> None:
    assert plain("a <b>b</b> &lt;c&gt; < d") == "a b <c> < d"


def ends(work: Callable[[], object]) -> None:
    """`work` ends within 60 s (linear code takes milliseconds; the code it replaced took
    minutes to hours on these inputs)."""
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(60), "still reading after 60 s"


@pytest.mark.parametrize("formatted", [
    "<a " * 30 + 'href="https://matrix.to/#/@' + "x" * 60_000,
    "<mx-reply>" * 6_500 + "https://matrix.to/#/",
    "<" * 60_000 + "https://matrix.to/#/",
    "<a " * 20_000 + "https://matrix.to/#/",
    '<a href="https://matrix.to/#/@x:y">' * 1_700 + "https://matrix.to/#/",
    f"{ANN}" * 1_400,
])
def test_no_html_an_event_can_carry_holds_the_reader(formatted: str) -> None:
    ends(lambda: pills(formatted))


@pytest.mark.parametrize("text", ["a-" * 100_000, "1" * 100_000, "x" * 25_000 + "." * 25_000])
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
