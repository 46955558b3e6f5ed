"""Page ranges from a copy's page markers, and headings that begin their own sections."""

from seminarbot.domain.syllabus import Locator, Section, TextMap
from seminarbot.syllabus.alignment import align
from seminarbot.syllabus.loader import load_syllabus
from seminarbot.syllabus.pages import PageRange, section_pages
from tests.conftest import SEEDS, needs_seeds


def _section(sid: str, opening: str, heading: str | None = None) -> Section:
    return Section(sid, "t", sid, Locator(opening, heading=heading), "A summary.", ())


def _filler(word: str, count: int) -> str:
    return " ".join([word] * count)


def _text_map(pages: str | None = "10–20") -> TextMap:
    return TextMap("t", "A Title", "journal-article", (
        _section("one", "Alpha begins here"),
        _section("two", "Beta begins here", heading="Second Part"),
        _section("three", "Gamma begins here", heading="Second Part"),
        _section("four", "Delta begins here"),
    ), pages=pages)


# A copy of six pages: a printer's slug at the foot of p. 10, nothing for pp. 11–13, then the
# running head of p. 14. The stretch from p. 11 to p. 13 holds 901 words, about 300 a page.
COPY = "\n".join([
    "Alpha begins here " + _filler("alpha", 97) + ".",
    "x Page 10",
    "",
    "Beta starts on page eleven " + _filler("beta", 94) + ".",
    "",
    "Second Part",
    "",
    "Beta begins here " + _filler("beta", 397) + ".",
    "",
    "Gamma begins here " + _filler("gamma", 397) + ".",
    "14 Test Quarterly Vol. 1 No. 2",
    "",
    "Delta begins here " + _filler("delta", 497) + ".",
])


def test_ranges_from_markers_exact_near_a_marker_and_estimated_between() -> None:
    text_map = _text_map()
    pages = section_pages(text_map, align(text_map, COPY), COPY)
    assert pages["one"] == PageRange(10, 11, False)  # ends 99 words after the p. 10 slug
    assert pages["two"] == PageRange(11, 12, True)  # ends mid-stretch: interpolated
    assert pages["three"] == PageRange(12, 13, True)  # ends just before the p. 14 head
    assert pages["four"] == PageRange(14, 15, True)  # after the last marker: interpolated
    assert str(pages["four"]) == "14–15" and str(PageRange(7, 7, False)) == "7"


def test_no_markers_or_no_pages_give_no_ranges() -> None:
    plain = COPY.replace("x Page 10", "").replace("14 Test Quarterly Vol. 1 No. 2", "")
    assert section_pages(_text_map(), align(_text_map(), plain), plain) == {}
    assert section_pages(_text_map(None), align(_text_map(None), COPY), COPY) == {}


def test_a_heading_and_a_caption_begin_the_next_section() -> None:
    text_map = _text_map(None)
    aligned = align(text_map, "A Title\n\n" + COPY.replace("x Page 10", "A picture. Credits:"))
    bodies = {a.section.id: aligned.text[a.start : a.end] for a in aligned.sections}
    assert bodies["one"].startswith("Alpha begins")  # the text's own title begins nothing
    assert bodies["two"].startswith("Second Part\n\nBeta begins here")
    assert "Second Part" not in bodies["one"]
    assert bodies["one"].rstrip().endswith(".")  # the caption stays with the paragraph after it
    assert "A picture. Credits:" in bodies["one"]  # …which is still section one's


@needs_seeds
def test_the_real_copies() -> None:
    syllabus = load_syllabus()
    priestland = syllabus.text("priestland-2002")
    raw = (SEEDS / "000_4d311acc6299d87d.txt").read_text()
    alignment = align(priestland, raw)
    pages = section_pages(priestland, alignment, raw)
    assert pages["pr-intro"] == PageRange(111, 112, False)
    assert pages["pr-stalin-left-turn"] == PageRange(117, 118, True)
    assert pages["pr-conclusion"].last < 130  # the endnotes are not in the copy
    bodies = {a.section.id: alignment.text[a.start : a.end] for a in alignment.sections}
    assert bodies["pr-four-elements"].startswith("The Origins of Soviet Democracy\n")
    assert not bodies["pr-intro"].rstrip().endswith("Democracy")
    assert bodies["pr-khrushchev-programme"].startswith("‘Democracy’ after Stalin\n")
    blog = syllabus.text("soviets-aftermath")
    aligned = align(blog, (SEEDS / "002_e4af6ccfc7b9eecd.txt").read_text())
    blog_bodies = {a.section.id: aligned.text[a.start : a.end] for a in aligned.sections}
    assert blog_bodies["ap-khrushchev-reorientation"].startswith("News of Stalin’s death.")
    assert "Credits" not in blog_bodies["ap-stalin-1936"]
