"""`/seminar mine` shows each response's beginning from its start only (a 20,000-character
response was split whole, twice: 25,000 of them took 11 s), the same as from the whole text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from seminarbot.features.responses import beginning

SPACES = st.sampled_from([" ", "\n", "\t", "\u00a0", "\u3000", "  \n "])


def reference(text: str) -> str:
    whole = " ".join(text.split())
    return whole if len(whole) <= 60 else whole[:59] + "…"


@given(st.lists(st.one_of(st.text(min_size=1, max_size=30), SPACES,
                          SPACES.map(lambda s: s * 300)), max_size=80))
def test_the_beginning_is_the_whole_texts(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert beginning(text) == reference(text)


def test_edges() -> None:
    for text in ("", " ", "a" * 60, "a" * 61, " " * 500 + "late words", "w " * 30 + "x" * 200,
                 "a" * 239 + " " + "b" * 10):
        assert beginning(text) == reference(text), text
