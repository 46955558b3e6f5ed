"""Text as shown: bidirectional controls isolated line by line (checked against UAX #9's
matching of initiators and closers), control characters never raw on a terminal, and the one
normalisation of stored text."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from seminarbot.domain.display import (
    BIDI_CONTROLS,
    FSI,
    PDF,
    PDI,
    RLO,
    clean,
    embedded,
    has_bidi_controls,
    in_a_line,
    is_blank,
    isolate,
    terminal_safe,
    without_bidi_controls,
)
from seminarbot.domain.responses import author_name, one_line, stored_body
from tests.words import normalised, visible

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
TEXT = st.text(st.sampled_from(BIDI + "ab\n ") | st.characters(blacklist_categories=("Cs",)),
               max_size=60)


@given(TEXT)
def test_text_has_bidirectional_controls_when_any_of_its_characters_is_one(text: str) -> None:
    assert frozenset(BIDI) == BIDI_CONTROLS
    assert has_bidi_controls(text) == any(c in BIDI for c in text)


def balanced(line: str) -> bool:
    """Every PDF closes an embedding and every PDI an isolate opened before it on the line (the
    matching UAX #9 does), and nothing is left open at its end."""
    open_: list[str] = []
    for char in line:
        if char in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068":
            open_.append(char)
        elif char == PDF:
            if not open_ or open_[-1] not in "\u202a\u202b\u202d\u202e":
                return False
            open_.pop()
        elif char == PDI:
            if open_.count(FSI) + open_.count("\u2066") + open_.count("\u2067") == 0:
                return False
            while open_.pop() not in "\u2066\u2067\u2068":
                pass
    return not open_


@given(TEXT)
def test_isolated_text_is_balanced_on_every_line_and_shows_the_same_characters(text: str) -> None:
    shown = isolate(text)
    assert all(balanced(line) for line in shown.split("\n"))
    assert without_bidi_controls(shown) == without_bidi_controls(text)
    assert isolate(shown) == shown
    if not any(c in BIDI for c in text):
        assert shown == text
    else:
        assert all(line.startswith(FSI) and line.endswith(PDI)
                   for line in shown.split("\n") if any(c in BIDI for c in line))


def test_an_override_is_closed_before_what_follows_it() -> None:
    assert isolate(f"{RLO}evil") == f"{FSI}{RLO}evil{PDF}{PDI}"
    assert isolate(f"a{PDI}{RLO}b\nc{PDF}") == f"{FSI}a{RLO}b{PDF}{PDI}\nc"
    assert f"name: {isolate(RLO + 'ann')} (3 responses)".endswith(f"{PDF}{PDI} (3 responses)")


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_no_control_character_reaches_a_terminal_raw(text: str) -> None:
    safe = terminal_safe(text)
    assert len(safe) == len(text)
    assert all(unicodedata.category(c) != "Cc" or c in "\t\n" for c in safe)
    assert terminal_safe("\x1b[31mred") == "\u241b[31mred"


@given(st.text(st.sampled_from(BIDI + "ab\n\r\x1b\u2028")
               | st.characters(blacklist_characters="…"), max_size=300),
       st.integers(1, 250))
def test_another_programs_words_in_a_line_are_one_balanced_line_cut_where_marked(
        text: str, limit: int) -> None:
    shown = in_a_line(text, limit)
    assert "\n" not in shown and "\u2028" not in shown and terminal_safe(shown) == shown
    assert balanced(shown)
    assert shown.endswith("…") == (len(text) > limit)
    visible = without_bidi_controls(shown.removesuffix("…") if len(text) > limit else shown)
    assert len(visible) == len(without_bidi_controls(text[:limit]))


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_stored_text_loses_only_control_characters(text: str) -> None:
    kept = clean(text)
    assert kept == normalised(text)
    assert stored_body(text) == (None if is_blank(kept) else kept)


def test_a_control_that_ends_a_line_is_a_line_break_not_nothing() -> None:
    """helper-148: a lone CR, NEL, VT or FF was deleted, so "first\rsecond" was stored as one
    word, "firstsecond"."""
    for typed in ("first\rsecond", "first\r\nsecond", "first\x85second", "first\x0bsecond",
                  "first\x0csecond", "first\nsecond"):
        assert clean(typed) == stored_body(typed) == "first\nsecond", repr(typed)
    assert clean("a\r\r\nb\x00\x1b[31m") == "a\n\nb[31m"
    assert clean("a\ud800\rb") == "a\ufffd\nb"


def test_blank_means_nothing_visible() -> None:
    for blank in ("", " \n\t", "\u200b\u200c\u200d\u2060\ufeff", "\u202e\u2066", "\u3164",
                  "\x00\x1b", "\u2800", "\ufe0f", "\U0001d159", "\u0301", " \u0300\u20dd",
                  "\u200b\u0301"):
        assert is_blank(blank) and stored_body(blank) is None, repr(blank)
    # Unicode's whole Default_Ignorable_Code_Point set, marks that draw nothing included (the
    # second try-out of issue 13 recorded a message of U+17B5 alone).
    for code in (0x00AD, 0x034F, 0x061C, 0x115F, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180E,
                 0x180F, 0x2065, 0xFFA0, 0xFFF0, 0x1BCA0, 0x1D173, 0xE0001, 0xE0041, 0xE01EF,
                 0xE0FFF):
        assert is_blank(chr(code) * 3), hex(code)
    for shown in ("a", "漢", "😀", "e\u0301", "—", "\u0915\u093f"):
        assert not is_blank(shown)
    assert clean("a\ud800b") == "a\ufffdb"  # a lone surrogate cannot be stored as UTF-8


def test_an_echo_is_an_isolate_of_its_own() -> None:
    said = f"There is no command `{embedded(RLO + 'foo')}`."
    assert said == f"There is no command `{FSI}{RLO}foo{PDF}{PDI}`."
    assert embedded("plain") == "plain"
    assert embedded(f"a{PDF}{PDI}b\nc") == f"{FSI}ab c{PDI}"  # stray closers dropped, one line


MIXED = st.text(st.sampled_from("ab !~._…«+\t\n\r\x00\x1b\x1f\x7f\x80\x85\x9f\xa0\xab\xc2—"
                                "\u200b\u2800\u3164\ud800\udfff") | st.characters(), max_size=40)


@given(MIXED)
def test_clean_and_blank_keep_their_definitions_on_mostly_plain_text(text: str) -> None:
    """The fast paths (a byte scan for controls, a look at the first character shown) answer as
    the definitions do, lone surrogates and controls of every range included."""
    assert clean(text) == "".join("\ufffd" if unicodedata.category(c) == "Cs" else c
                                  for c in normalised(text))
    assert is_blank(text) == (not visible(text))


@given(MIXED)
def test_a_name_keeps_its_definition_on_mostly_plain_text(name: str) -> None:
    """`one_line` and `author_name` (fast paths: a name told free of controls by
    isprintable, told to show by a first character of printable ASCII) answer as their
    definitions do."""
    shown = " ".join(clean(name).split())
    assert one_line(name) == shown
    assert author_name(name, "id-1") == (shown if visible(shown) else "id-1")


def test_what_shows_nothing_is_no_word_no_name_and_no_response() -> None:
    """helper-153's 2, 3 and 6: a zero-width space, a filler or a mark alone counted as a
    word; /as took a name that showed nothing; an unassigned code point was taken as shown,
    and an Arabic number sign or a spacing mark as not."""
    from seminarbot.domain.display import is_person_name
    from seminarbot.domain.stats import word_count

    assert word_count("hello \u200b world \u3164 \u0301") == 2
    assert word_count("hello world") == 2 and word_count("") == 0
    for nothing in ("\u3164", "\u2800", "\u0301", "\ufe0f", "\u0378", "\uffff", "\U0010ffff"):
        assert is_blank(nothing) and not is_person_name(nothing), hex(ord(nothing))
    for shown in ("\u0600", "\u06dd", "\u0903", "\ue000", "ann"):
        assert not is_blank(shown), hex(ord(shown[0]))
    assert is_person_name("\u0915\u0903") and is_person_name("ann")
    assert clean("a\u2028b\u2029c") == "a\nb\nc"  # the separators end lines as NEL does


def test_an_emoji_zwj_sequence_is_a_name_and_a_joiner_elsewhere_is_not() -> None:
    """helper-181's 3: `/as 👨‍👩‍👧` was refused as holding an invisible character; a joiner
    between letters, or at an end, still is one."""
    from seminarbot.domain.display import is_person_name

    for emoji in ("👨\u200d👩\u200d👧", "🏳\ufe0f\u200d🌈", "👨🏽\u200d🦰", "ann 👩\u200d💻"):
        assert is_person_name(emoji), emoji
    for hidden in ("a\u200dnn", "ann\u200d", "\u200d👩", "👩\u200d", "👩\u200da", "\ufe0f\u200d👩"):
        assert not is_person_name(hidden), ascii(hidden)


@given(MIXED)
def test_words_are_counted_as_their_definition_says(text: str) -> None:
    """The scans that find the words that may show nothing, or be punctuation alone (helper-167's
    4: the README's `are ...` counted `...`), find every one of them, in text as it is stored
    (`clean`: no control characters)."""
    from seminarbot.domain.stats import word_count

    text = clean(text)
    if "[attachment: " not in text:
        assert word_count(text) == sum(1 for word in text.split() if not is_blank(word) and not all(
            unicodedata.category(ch).startswith("P") for ch in word))
