"""User pills read from a message's HTML in one pass (adapters/matrix/pills.py). helper-122's
first find: a member's message of `<a ` openings before an unclosed 50 KB link held the bot's
event loop for over ten minutes (a regular expression with nested repetition), and SIGTERM
could not stop it; so did a few thousand `<mx-reply>` openings, for seconds. The rest of the
kind: tests/test_hangs.py."""

from __future__ import annotations

import pytest

from seminarbot.adapters.matrix.pills import pills, plain
from tests.test_hangs import ends

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
    ("\u0130stanbul " + ANN, (("Ann", "@ann:hs", 0),)),  # helper-125's 6: İ lowers to two
])
def test_pills_are_read_as_element_writes_them(formatted: str,
                                               found: tuple[tuple[str, str, int], ...]) -> None:
    assert pills(formatted) == found


def test_plain_text_of_html() -> None:
    assert plain("a <b>b</b> &lt;c&gt; < d") == "a b <c> < d"


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
