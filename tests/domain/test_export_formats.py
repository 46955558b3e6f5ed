"""The formula rule, the CSV line rendered in SQLite against its Python reference, Markdown
escaping against a real CommonMark renderer, file names, medians."""

import csv
import html
import io
import re
import sqlite3
import statistics
import sys
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from seminarbot.domain.chart import nice_step
from seminarbot.domain.display import BIDI_CONTROLS, DEFAULT_IGNORABLE, is_blank, isolate
from seminarbot.domain.exports import (
    FORMULA_LOOKALIKES,
    FORMULA_TRIGGERS,
    UNSEEN,
    Entry,
    Thread,
    csv_cell,
    csv_line,
    csv_prefix,
    neutralise_cell,
    restore_cell,
)
from seminarbot.domain.filenames import safe_filename, sanitise_filename
from seminarbot.domain.links import Links, links_for
from seminarbot.domain.stats import Lengths
from seminarbot.domain.transcript import markdown_escape
from seminarbot.storage.damage import segment
from seminarbot.storage.export_lines import CSV_LINE, link_params, sql_formula_guard

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
# What SQLite renders itself: text without bidirectional controls (rows with them are rendered
# by csv_row, see tests/storage/test_export_reader.py).
PLAIN_TEXT = st.text(st.characters(blacklist_categories=("Cs",),
                                   blacklist_characters="\x00" + "".join(BIDI_CONTROLS)))
THREAD = Thread(3, "stalin", "Stalin", "3.1", "stalin-comprehension", "comprehension",
                "What?", (), "=thread-1")


@given(TEXT)
def test_the_formula_rule_is_undone_exactly(value: str) -> None:
    cell = neutralise_cell(value)
    assert cell[:1] not in set(FORMULA_TRIGGERS) - {"'"}
    assert restore_cell(cell) == value
    parsed = next(csv.reader(io.StringIO(csv_cell(value), newline="")))
    assert parsed == [neutralise_cell(isolate(value))] or "\r" in value


def test_each_trigger_is_neutralised() -> None:
    for trigger in FORMULA_TRIGGERS:
        assert neutralise_cell(trigger + "1+1") == "'" + trigger + "1+1"
    assert neutralise_cell("a=1") == "a=1" and neutralise_cell("") == ""


# Ids as platforms make them (a Matrix event id of room version 3 may hold "/" and "+").
IDS = st.text(st.sampled_from(list("0123456789abcXYZ$_-+/%:.!")), min_size=1, max_size=30)
BASES = IDS.map(lambda s: f"https://{s}/")
# Any thread's links, none at all (Links()) and a thread's own link without bases included.
LINKS = st.sampled_from([
    Links(),
    links_for("discord", "111", "222", "333", "333"),
    links_for("discord", "111", "222", "333", None),
    links_for("matrix", "!room:example.org", "!room:example.org", "$root/+x", "$root/+x"),
    links_for("matrix", "!opaque", "!opaque", "$root", "$root", ("a.org", "b.org:8448")),
]) | st.builds(Links, thread=st.just("") | BASES, event_base=st.none() | BASES,
               channel_base=st.none() | BASES, via=st.sampled_from(["", "?via=x.org"]))


@settings(max_examples=300)
@given(author=PLAIN_TEXT, message_id=PLAIN_TEXT, body=PLAIN_TEXT, edited=st.booleans(),
       response_id=st.integers(1, 2**62), participant=st.integers(1, 2**31), links=LINKS,
       platform_id=IDS, channel_id=st.none() | IDS)
def test_sqlite_renders_the_same_csv_line_as_the_python_reference(
        author: str, message_id: str, body: str, edited: bool, response_id: int,
        participant: int, links: Links, platform_id: str, channel_id: str | None) -> None:
    if links != Links():  # a platform with links: its ids are the platform's
        message_id = platform_id
    entry = Entry(response_id, participant, author, message_id, "2026-01-06T19:05:00Z",
                  "2026-01-07T08:00:00Z" if edited else None,
                  links.response(message_id, channel_id), body)
    conn = sqlite3.connect(":memory:")
    conn.create_function("url_segment", 1, segment, deterministic=True)  # as storage.db does
    try:
        (line,) = conn.execute(
            f"SELECT {CSV_LINE} FROM (SELECT ? AS id, ? AS participant_id, ? AS message_id,"
            " ? AS created_at, ? AS edited_at, ? AS body, ? AS channel_id) r,"
            " (SELECT ? AS display_name) n, (SELECT 'x' AS external_id) p",
            (csv_prefix(THREAD), *link_params(links), entry.response_id, participant,
             message_id, entry.written_at, entry.edited_at, body, channel_id,
             author)).fetchone()
    finally:
        conn.close()
    assert line == csv_line(THREAD, entry)


def test_links_lead_back_to_the_message() -> None:
    discord = links_for("discord", "111", "222", "333", "333")
    assert discord.thread == "https://discord.com/channels/111/333"
    assert discord.response("444", "333") == "https://discord.com/channels/111/333/444"
    assert discord.response("cmd", None) == discord.thread  # /seminar respond: no message
    unthreaded = links_for("discord", "111", "222", "333", None)
    assert unthreaded.thread == "https://discord.com/channels/111/222/333"
    matrix = links_for("matrix", "!r:example.org", "!r:example.org", "$a/b", "$a/b")
    assert matrix.thread == "https://matrix.to/#/!r:example.org/$a%2Fb"
    assert matrix.response("$c", None) == "https://matrix.to/#/!r:example.org/$c"
    assert links_for("console", "local", "main", "p1", "p1") == Links()


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("ab 1.-+=#>*_`[]()<>&|~\\!{}:$\n\t")) |
               st.characters(codec="utf-8", blacklist_categories=("Cs", "Cc"))))
def test_escaped_markdown_renders_as_the_text_itself(text: str) -> None:
    assert re.search(r"(?<!\\)(\\\\)*\$", markdown_escape(text)) is None  # no mathematics
    rendered = MarkdownIt("commonmark").render(markdown_escape(text))
    tags = set(re.findall(r"</?([a-z0-9]+)", rendered))
    assert tags <= {"p", "br"}, (text, rendered)
    shown = html.unescape(re.sub(r"<[^>]+>", " ", rendered))
    assert " ".join(shown.split()) == " ".join(isolate(text).split())


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("ab 1.-+=#>*_`[]()<>&|~\\!{}:$\n\t")) |
               st.characters(codec="utf-8", blacklist_categories=("Cs", "Cc"))))
@example("ann\n## Session 9").via("a display name")
@example("a\n- b\n1. c\n> d\n+ e").via("line-start markers")
def test_text_escaped_to_follow_something_on_its_line_renders_as_itself(text: str) -> None:
    # A name after "**" in the transcript: a line break in it must start no heading or list.
    rendered = MarkdownIt("commonmark").render("Name: " + markdown_escape(text, mid_line=True))
    assert set(re.findall(r"</?([a-z0-9]+)", rendered)) <= {"p", "br"}, (text, rendered)


def test_file_names_are_safe() -> None:
    assert safe_filename("seminar-Сове́ты é/../../etc", "csv") == "seminar-e-etc.csv"
    assert safe_filename("../../.bashrc", "") == "bashrc"
    assert safe_filename("", "PNG") == "export.png"
    assert safe_filename("con", "txt") == "file-con.txt"
    assert safe_filename("a" * 300, "md") == "a" * 80 + ".md"
    assert sanitise_filename("..\\evil/x\x00y.h tml") == "x-y.html"
    for name in ("a b.csv", "=cmd.csv", "-rf", "x.tar.gz"):
        cleaned = sanitise_filename(name)
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", cleaned), cleaned


@given(st.lists(st.integers(0, 500), max_size=60))
def test_the_histogram_median_is_the_median(values: list[int]) -> None:
    lengths = Lengths()
    for value in values:
        lengths.add(value)
    assert lengths.median() == (statistics.median(values) if values else None)


def test_chart_steps_are_round() -> None:
    assert [nice_step(n) for n in (0, 3, 9, 40, 130, 7000)] == [1, 1, 2, 10, 50, 2000]


def test_a_link_segment_cannot_end_a_cell_a_markdown_link_or_an_attribute() -> None:
    from seminarbot.domain.links import links_for

    links = links_for("matrix", "!room:hs", "!room:hs", '$ev"<x> y/%', None)
    link = links.response('$a"b<c>d e/f%', None)
    assert not set('"<> ') & set(link.split("#/", 1)[1]), link
    assert link.endswith("$a%22b%3Cc%3Ed%20e%2Ff%25"), link


# Leading characters that show nothing, a sample of each kind, and the signs.
_UNSEEN_SAMPLE = [" ", "\t", "\n", "\r", "\x0b", "\x1f", "\x85", "\xa0", "\u3000", "\u200b",
                  "\u2060", "\ufeff", "\u2068", "\u202e", "\u00ad", "\u2800", "\u3164",
                  "\U000e0020", "\U000e0100", "\U0001d159"]
_SIGNS = list("=+-@") + list(FORMULA_LOOKALIKES)


def test_signs_in_another_form_or_after_unseen_characters_are_neutralised() -> None:
    """A spreadsheet may read ＝ as =, or trim what shows nothing before a sign."""
    for sign in _SIGNS:
        for lead in ["", *_UNSEEN_SAMPLE, " \n ", "\u200b\ufeff"]:
            value = lead + sign + "1+1"
            assert neutralise_cell(value) == "'" + value, repr(value)
            assert restore_cell(neutralise_cell(value)) == value
    for value in (" a=1", "\u200ba", "x\uff1d1", " 'quoted", "\u2013 a dash", ""):
        assert neutralise_cell(value) == value, repr(value)


def test_the_unseen_characters_are_those_that_show_nothing() -> None:
    # All show nothing, but the format characters that are drawn (Unicode's
    # Prepended_Concatenation_Mark: U+0600 …), guarded too, as Cf, before a sign.
    assert all(is_blank(char) or unicodedata.category(char) == "Cf" for char in UNSEEN)
    wanted = {chr(code) for code in range(1, sys.maxunicode + 1)
              if chr(code).isspace() or unicodedata.category(chr(code)) in ("Cc", "Cf")
              or (DEFAULT_IGNORABLE.match(chr(code)) and unicodedata.category(chr(code)) != "Cn")
              or chr(code) in "\u2800\U0001d159"}  # the blank-looking ones (helper-163's 3)
    assert wanted <= set(UNSEEN), sorted(hex(ord(c)) for c in wanted - set(UNSEEN))
    lookalikes = {chr(code) for code in range(sys.maxunicode + 1) if chr(code) not in "=+-@"
                  and unicodedata.normalize("NFKC", chr(code))[:1] in ("=", "+", "-", "@",
                                                                     "\u2212")}
    assert lookalikes == set(FORMULA_LOOKALIKES)


@settings(max_examples=300)
@given(st.text(st.sampled_from([c for c in _UNSEEN_SAMPLE if c not in BIDI_CONTROLS]
                               + _SIGNS + ["a", "1", "'", '"']), max_size=8))
def test_sqlite_guards_the_cells_python_guards(value: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.create_function("url_segment", 1, segment, deterministic=True)  # as storage.db does
    try:
        (guard,) = conn.execute(f"SELECT {sql_formula_guard('v')} FROM (SELECT ? AS v)",
                                (value,)).fetchone()
    finally:
        conn.close()
    assert guard + value == neutralise_cell(value)
