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


# A copy of eight pages whose furniture follows each page's text, as in a PDF's drawing order:
# the printer's slug of p. 10 after that page's text, nothing for pp. 11–13, then the running
# head of p. 14 after p. 14's text. The stretch from p. 11 to p. 14 holds 898 words, about 225 a
# page.
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
    assert pages["one"] == PageRange(10, 11, False)  # ends 96 words after the p. 10 slug
    assert pages["two"] == PageRange(11, 13, True)  # ends mid-stretch: interpolated
    assert pages["three"] == PageRange(13, 14, True)  # ends just before p. 14's head: p. 14
    assert pages["four"] == PageRange(15, 17, True)  # after the last marker: interpolated
    assert str(pages["four"]) == "15–17" and str(PageRange(7, 7, False)) == "7"


def test_a_marker_closes_the_page_it_names() -> None:
    """The words just before a page's head and slug are on that page, those after on the next,
    whether the group holds a head, a slug or both (the copy's first page shows the order)."""
    text_map = TextMap("t", "A Title", "journal-article", (
        _section("one", "Alpha begins here"), _section("two", "Beta begins here")), pages="5–9")
    for furniture in ("6 Test Quarterly Vol. 1 No. 2\n\nx 20/11/01 Page 6", "x Page 6",
                      "6 Test Quarterly Vol. 1 No. 2"):
        copy = "\n".join(["A Title", "", "Alpha begins here " + _filler("a", 300) + ".",
                          "An Author", "x Page 5", "", _filler("b", 300) + " Beta begins here "
                          + _filler("b", 10) + ".", furniture, "", _filler("c", 50) + "."])
        pages = section_pages(text_map, align(text_map, copy), copy)
        assert pages["one"] == PageRange(5, 6, False), furniture
        assert pages["two"] == PageRange(6, 7, False), furniture  # ends 50 words into p. 7


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
    assert pages["pr-stalin-left-turn"] == PageRange(118, 119, True)  # across p. 118's marker
    assert pages["pr-conclusion"] == PageRange(125, 126, True)  # the endnotes are not in the copy
    bodies = {a.section.id: alignment.text[a.start : a.end] for a in alignment.sections}
    assert bodies["pr-four-elements"].startswith("The Origins of Soviet Democracy\n")
    assert not bodies["pr-intro"].rstrip().endswith("Democracy")
    assert bodies["pr-khrushchev-programme"].startswith("‘Democracy’ after Stalin\n")
    blog = syllabus.text("soviets-aftermath")
    aligned = align(blog, (SEEDS / "002_e4af6ccfc7b9eecd.txt").read_text())
    blog_bodies = {a.section.id: aligned.text[a.start : a.end] for a in aligned.sections}
    assert blog_bodies["ap-khrushchev-reorientation"].startswith("News of Stalin’s death.")
    assert "Credits" not in blog_bodies["ap-stalin-1936"]
