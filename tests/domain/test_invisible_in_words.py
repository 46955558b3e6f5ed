"""What shows nothing is not compared: a zero-width space, a soft hyphen or a word joiner pasted
into an argument, a command's name or a term looked up leaves it meaning what it shows
(`/seminar export c​sv` was told there is no such format; `/term ki​rov` found nothing)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from seminarbot.core.params import Choice, Weekday
from seminarbot.domain.textfold import as_word, fold, search_terms

INVISIBLE = st.sampled_from(["\u200b", "\u00ad", "\u2060", "\ufeff", "\u200c", "\u180e"])
WORD = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x24F), min_size=1, max_size=12)


@given(WORD, st.lists(st.tuples(st.integers(0, 12), INVISIBLE), max_size=4))
def test_a_word_with_invisible_characters_in_it_folds_as_the_word(
        word: str, inserted: list[tuple[int, str]]) -> None:
    pasted = word
    for at, char in inserted:
        pasted = pasted[:at] + char + pasted[at:]
    assert as_word(pasted) == as_word(word)
    assert fold(pasted) == fold(word)
    assert search_terms(pasted) == search_terms(word)


def test_arguments_and_terms_with_a_zero_width_space_in_them() -> None:
    from seminarbot.domain.glossary import Glossary
    from seminarbot.syllabus.loader import load_syllabus

    assert Choice(("csv", "html")).parse("c\u200bsv", "format") == "csv"
    assert Weekday().parse("tu\u2060e", "weekday") == 1
    glossary = Glossary(load_syllabus().glossary)
    assert glossary.lookup("ki\u200brov") is glossary.lookup("kirov") is not None
