"""The exports' fast paths against their plain forms, for any text: escaping that skips text
needing none, the JSON lines SQLite renders, and the transcripts written from raw rows, each
with its links back to the platform (or none)."""

import html
import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from seminarbot.domain.display import has_bidi_controls, isolate, json_safe
from seminarbot.domain.exports import Entry, ExportMeta, Thread, jsonl_lines, jsonl_prefix
from seminarbot.domain.links import Links, links_for
from seminarbot.domain.markup import (
    blockquote,
    escape_lines,
    html_escape,
    html_escape_bytes,
    html_text_bytes,
    markdown_escape,
    quoted_markdown,
)
from seminarbot.domain.transcript import HtmlTranscript, MarkdownTranscript
from seminarbot.storage.damage import segment
from seminarbot.storage.export_lines import JSONL_LINE, link_params

# Text heavy in what the rules care about: markers, punctuation, blanks, line ends, digits,
# control characters and non-ASCII (accents, Cyrillic, other blanks and digits).
MARKED = st.text(alphabet=st.sampled_from(list(
    "ab 1.-+=#>*_`[]()<>&|~\\!{}:\n\r\t\x0b\x1c\x85\xa0\u2028\u3000'\"٣é П\u202e\u2066\u2069")) |
    st.characters(codec="utf-8", blacklist_categories=("Cs",), blacklist_characters="\x00"))
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
THREAD = Thread(3, "stalin", "Stalin \"&\" <co>", "3.1", "stalin-comprehension",
                "comprehension", "What *is* it?", ("Part 1 (P; p1)",), "=thread-1")
# Any thread's links (the JSON line and the transcripts take any text in them), none included.
LINKS = st.sampled_from([
    Links(), links_for("discord", "111", "222", "333", "333"),
    links_for("matrix", "!room:example.org", "!room:example.org", "$root/+x", "$root/+x"),
]) | st.builds(Links, thread=st.just("") | MARKED, event_base=st.none() | MARKED,
               channel_base=st.none() | MARKED)


# Line starts that need escaping, next to their look-alikes that do not.
STARTS = ["1. x", "12) y", "1 x", "٣. z", "# h", "#h", "- i", "+", "=", " \u3000x", "\xa0y", "",
          "a\nb", "x\r", "\x1cz", "п", "10.5 kg"]


@settings(max_examples=500)
@given(MARKED, st.booleans())
@example("", False)
def test_the_fast_markdown_escape_is_the_line_by_line_rule(text: str, mid_line: bool) -> None:
    for one in (text, *STARTS):
        assert markdown_escape(one, mid_line=mid_line) == escape_lines(one, mid_line=mid_line)


@settings(max_examples=500)
@given(MARKED)
@example("")
def test_quoting_utf8_text_is_quoting_the_text(text: str) -> None:
    for one in (text, *STARTS):
        quoted = blockquote(escape_lines(one)).encode()
        assert quoted_markdown(one.encode()) == quoted
        assert html_escape_bytes(one.encode()) == html.escape(one, quote=True).encode()
        escaped = html.escape(isolate(one), quote=True).encode()
        assert html_text_bytes(one.encode()) == escaped
        if not has_bidi_controls(one):  # a page storage found none in
            assert quoted_markdown(one.encode(), controls=False) == quoted
            assert html_text_bytes(one.encode(), controls=False) == escaped
        for quote in (True, False):
            assert html_escape(one, quote=quote) == html.escape(one, quote=quote)


@settings(max_examples=300)
@given(author=TEXT, message_id=MARKED | TEXT, body=MARKED | TEXT, edited=st.booleans(),
       response_id=st.integers(1, 2**62), participant=st.integers(1, 2**31), links=LINKS,
       channel_id=st.none() | MARKED)
def test_sqlite_renders_the_same_json_line_as_the_python_reference(
        author: str, message_id: str, body: str, edited: bool, response_id: int,
        participant: int, links: Links, channel_id: str | None) -> None:
    entry = Entry(response_id, participant, author, message_id, "2026-01-06T19:05:00Z",
                  "2026-01-07T08:00:00Z" if edited else None,
                  links.response(message_id, channel_id), body)
    conn = sqlite3.connect(":memory:")
    conn.create_function("url_segment", 1, segment, deterministic=True)  # as storage.db does
    try:
        (line,) = conn.execute(
            f"SELECT {JSONL_LINE} FROM (SELECT ? AS id, ? AS participant_id, ? AS message_id,"
            " ? AS created_at, ? AS edited_at, ? AS body, ? AS channel_id) r,"
            " (SELECT ? AS display_name) n, (SELECT 'x' AS external_id) p",
            (jsonl_prefix(THREAD), *link_params(links), entry.response_id, participant,
             message_id, entry.written_at, entry.edited_at, body, channel_id,
             author)).fetchone()
    finally:
        conn.close()
    # Storage escapes bidirectional controls over the page's bytes (storage/exports.py).
    assert json_safe(line) == jsonl_lines(THREAD, [entry])


STAMPS = st.datetimes(datetime(2025, 1, 1), datetime(2027, 1, 1)).map(
    lambda d: d.replace(tzinfo=UTC).isoformat(timespec="seconds")[:-6] + "Z")
# What a damaged row may hold instead (the transcripts show it as stored, escaped).
DAMAGED = st.sampled_from(["2026-01-06T19:60:00Z", "2026-01-06T19:ab:00Z", "*soon* <b>",
                           "2026-01-06T19:05:00+01:00", "x\ny", "2026-13-45T99:00:00Z"])
ENTRIES = st.lists(st.tuples(st.integers(1, 2**40), st.integers(1, 500),
                             st.sampled_from(["", "ann", "*bob*", "<tia> & 'co'", "Ёлка"]) | TEXT,
                             STAMPS | DAMAGED, st.none() | STAMPS | DAMAGED,
                             st.sampled_from(["", "https://discord.com/channels/1/2/3"]) | MARKED,
                             MARKED), max_size=12)


@settings(max_examples=200)
@given(pages=st.lists(ENTRIES, max_size=4), thread_link=st.just("") | MARKED,
       zone=st.sampled_from(["Europe/London", "Asia/Kolkata", "America/St_Johns"]))
def test_transcripts_from_raw_rows_are_the_reference_transcripts(
        pages: list[list[tuple[int, int, str, str, str | None, str, str]]], thread_link: str,
        zone: str) -> None:
    meta = ExportMeta("Transcript", "seminar", "all", datetime(2026, 2, 1, tzinfo=UTC),
                      ZoneInfo(zone))
    thread = THREAD._replace(link=thread_link)
    for kind in (MarkdownTranscript, HtmlTranscript):
        reference, fast, told = kind(meta), kind(meta), kind(meta)
        for page in pages:
            entries = [Entry(i, p, a, "m", w, e, link, t) for i, p, a, w, e, link, t in page]
            raw = [(str(i).encode(), str(p).encode(), a.encode(), w.encode(),
                    (e or "").encode(), link.encode(), t.encode())
                   for i, p, a, w, e, link, t in page]
            written = fast.encoded(thread, raw)
            assert written == reference.entries(thread, entries).encode()
            # As storage hands a page over: told whether any field holds a control.
            controls = any(has_bidi_controls(b"".join(row).decode()) for row in raw)
            assert told.encoded(thread, raw, controls=controls) == written
            for *_, link, _ in page:  # the link is there, as the format writes it
                escaped = link if kind is MarkdownTranscript else html.escape(isolate(link))
                assert not link or f"(<{escaped}>)".encode() in written \
                    or f'href="{escaped}"'.encode() in written
