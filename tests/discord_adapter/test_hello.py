"""A connection's first message: a HELLO discord.py can keep, or a failed try (check_hello).
Discord's Gateway docs: every connection begins with op 10, `d.heartbeat_interval` in ms."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from seminarbot.adapters.discord.connecting import HEARTBEAT_FLOOR, NotHello, check_hello

LONGEST = 60.0  # discord.py's wait for any message (heartbeat_timeout)
NUMBERS = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(min_value=10 ** 300, max_value=10 ** 400))


def kept(interval: object) -> bool:
    """The rule, said once more: a number, not a boolean, of HEARTBEAT_FLOOR to LONGEST s."""
    if isinstance(interval, bool) or not isinstance(interval, int | float):
        return False
    if isinstance(interval, int) and interval > 10 ** 300:
        return False
    return not math.isnan(interval) and HEARTBEAT_FLOOR <= interval / 1000 <= LONGEST


@given(NUMBERS | st.booleans() | st.text(max_size=5) | st.none())
@example(41250)
@example(0)
@example(-1)
@example(float("nan"))
@example(True)
@example(1000)
@example(60000)
@example(60001)
def test_a_hello_is_kept_only_with_an_interval_discord_py_can_keep(interval: object) -> None:
    message = json.dumps({"op": 10, "d": {"heartbeat_interval": interval}})
    if kept(interval):
        check_hello(message, LONGEST)
    else:
        with pytest.raises(NotHello, match="HELLO"):
            check_hello(message, LONGEST)


@given(st.dictionaries(st.text(max_size=3), st.integers() | st.none(), max_size=3)
       | st.lists(st.integers(), max_size=3) | st.integers() | st.none())
def test_a_first_message_that_is_no_hello_is_a_failed_try(message: object) -> None:
    if isinstance(message, dict) and message.get("op") == 10:
        return  # a HELLO: the test above
    with pytest.raises(NotHello, match=r"is not a HELLO \(op 10\)"):
        check_hello(json.dumps(message), LONGEST)


def test_what_is_no_json_is_left_to_discord_py_which_fails_on_it_the_same_way() -> None:
    check_hello("not json {{{", LONGEST)
