"""Prompt titles (a forum post's title, a thread's name): the first sentence, cut at a word and
never inside a character as shown."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wcwidth import iter_graphemes

from seminarbot.domain.titles import TITLE_MAX, prompt_title


@pytest.mark.parametrize(("text", "title"), [
    ("Read ch. 3. What did Lenin mean?", "1.2 · Read ch. 3."),
    ("Was the U.S. council democratic? Say why.", "1.2 · Was the U.S. council democratic?"),
    ("What did V. I. Lenin promise? More.", "1.2 · What did V. I. Lenin promise?"),
    ("See p. 12. Then answer.", "1.2 · See p. 12."),
    ("Did it work (e.g. in 1918)? Yes.", "1.2 · Did it work (e.g. in 1918)?"),
    ("Who kept the minutes? The secretary.", "1.2 · Who kept the minutes?")])
def test_a_title_is_the_first_sentence_not_cut_at_an_abbreviation(text: str,
                                                                    title: str) -> None:
    """helper-126's 6: titles were cut at `ch.` and `U.S.`."""
    assert prompt_title("1.2", text) == title


@given(st.lists(st.sampled_from(["🇺🇦", "e\u0301", "👩\u200d👩\u200d👧", "a", " ", "、", "ก้"]),
                max_size=200).map("".join))
def test_a_cut_title_ends_between_characters_as_shown(text: str) -> None:
    """helper-126's 6: 80 flags were cut inside one, leaving half of it."""
    title = prompt_title("1.2", text)
    assert len(title) <= TITLE_MAX
    body = title.removeprefix("1.2 ·").removeprefix(" ").removesuffix("…")
    line = " ".join(text.split())
    clusters = list(iter_graphemes(body))
    assert line.startswith(body) and clusters == list(iter_graphemes(line))[:len(clusters)]


@pytest.mark.parametrize(("text", "title"), [
    ("Approx. 30 people came. More.", "1.2 · Approx. 30 people came."),
    ("1. Read it. 2. Answer it.", "1.2 · 1. Read it."),
    ("这是第一句。这是第二句？", "1.2 · 这是第一句。"),
    ("Wait... what now? Then.", "1.2 · Wait... what now?"),
    ("\u202eevil. More", "1.2 · \u2068\u202eevil.\u202c\u2069")])
def test_more_abbreviations_list_numbers_other_scripts_and_bidirectional_text(
        text: str, title: str) -> None:
    """helper-129's 14: cut at `Approx.` and `1.`, not at CJK sentence ends, and a cut left an
    override open over the rest of the title."""
    assert prompt_title("1.2", text) == title


@given(st.lists(st.sampled_from(["\u202b", "\u202e", "\u2067", "\u2069", "\u202c", "ab", " ",
                                 "?", ". ", "C"]), max_size=120).map("".join),
       st.sampled_from(["1.2", "R" * 90]))
def test_a_title_s_bidirectional_controls_are_always_closed_within_the_limit(
        text: str, ref: str) -> None:
    """helper-131's 5: a cut of the whole title dropped the closers isolate() had added."""
    from seminarbot.domain.display import _balanced

    title = prompt_title(ref, text)
    assert len(title) <= TITLE_MAX and _balanced(title) == title
