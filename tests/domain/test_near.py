"""domain/near.py: the one rule behind every "Did you mean …?"."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from seminarbot.core.params import Choice
from seminarbot.domain.errors import BadArgument
from seminarbot.domain.glossary import Glossary
from seminarbot.domain.near import MIN_SWAPPED, near, one_swap
from seminarbot.domain.syllabus import GlossaryEntry

LETTERS = "abcdeknoprstuvгдж'- 1"
words = st.text(alphabet=LETTERS, max_size=12)


@given(words, st.lists(words, max_size=8), st.integers(1, 4), st.floats(0.0, 1.0))
def test_only_options_are_offered_each_once_and_at_most_n(typed: str, options: list[str],
                                                           n: int, cutoff: float) -> None:
    found = near(typed, options, n=n, cutoff=cutoff)
    assert set(found) <= set(options)
    assert len(found) == len(set(found)) <= n


@given(st.text(alphabet=LETTERS, min_size=MIN_SWAPPED, max_size=12), st.data())
def test_an_option_one_swap_away_is_offered_first_whatever_the_cutoff(word: str,
                                                                       data: st.DataObject
                                                                       ) -> None:
    at = data.draw(st.integers(0, len(word) - 2))
    assume(word[at] != word[at + 1])
    typed = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    # Other options, none of them a swap of what was typed: the swap is the only first choice.
    others = [other for other in data.draw(st.lists(words, max_size=6))
              if not one_swap(typed, other)]
    assert near(typed, [*others, word], cutoff=1.0)[0] == word


def test_no_swap_is_offered_in_two_characters() -> None:
    """`no` is not a mistyped `on` (the digest's and the events' on/off)."""
    assert near("no", ["on", "off"]) == []
    assert near("BG", ["GB", "NZ"], cutoff=0.5) == []  # difflib's ratio for it is 0.5
    assert not one_swap("sa", "as")
    with pytest.raises(BadArgument) as refused:
        Choice(("on", "off")).parse("no", "digest")
    assert "Did you mean" not in str(refused.value)


def test_a_short_glossary_term_with_two_letters_swapped_is_offered() -> None:
    """`npe` shares none of NEP's letter pairs, which the glossary's first filter reads: it got
    no near match before the swap rule."""
    glossary = Glossary([
        GlossaryEntry("nep", "NEP", "policy", "The New Economic Policy.", ("a",)),
        GlossaryEntry("purge", "purge", "campaign", "A purge.", ("a",))])
    assert [entry.id for entry in glossary.near("npe")] == ["nep"]
    assert [entry.id for entry in glossary.near("pugre")][:1] == ["purge"]


def test_a_long_word_costs_memory_in_proportion_to_its_length() -> None:
    """Every swap of a 25,000-character word, each a copy of it, took 0.65 GB in the console
    and 2.9 GB on the core's path (helper-90)."""
    import tracemalloc

    typed = ("ab" * 12_500)[:24_990]
    tracemalloc.start()
    try:
        near(typed, ["seminar", "term", "help", "b" + typed[1:]], n=2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, peak
