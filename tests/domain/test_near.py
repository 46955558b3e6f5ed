"""domain/near.py: the one rule behind every "Did you mean …?"."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from seminarbot.core.params import Choice
from seminarbot.domain.errors import BadArgument
from seminarbot.domain.glossary import Glossary
from seminarbot.domain.near import MIN_SWAPPED, near, swaps
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
              if other not in swaps(typed)]
    assert near(typed, [*others, word], cutoff=1.0)[0] == word


def test_no_swap_is_offered_in_two_characters() -> None:
    """`no` is not a mistyped `on` (the digest's and the events' on/off)."""
    assert near("no", ["on", "off"]) == []
    assert swaps("sa") == []
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
