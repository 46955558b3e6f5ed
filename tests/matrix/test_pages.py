"""Answers cut into pages that each fit one Matrix event, measured as the homeserver does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from seminarbot.adapters.matrix.pages import PAGE_BYTES, event_size, reply_contents
from seminarbot.core.replies import Reply, Table, Tone
from seminarbot.domain.display import without_bidi_controls


def test_a_small_answer_is_one_event_and_an_empty_one_still_says_something() -> None:
    assert len(reply_contents(Reply(title="Done", paragraphs=("All set.",)))) == 1
    (only,) = reply_contents(Reply(title="Nothing"))
    assert only["body"] == "Nothing"


def test_a_paragraph_too_big_for_one_event_is_cut_and_nothing_is_lost() -> None:
    words = " ".join(f"слово{n}" for n in range(20_000))  # about 240 KB as UTF-8
    pages = reply_contents(Reply(title="Long", paragraphs=(words,), tone=Tone.INFO,
                                 footer="The end."))
    assert len(pages) > 4
    assert all(event_size(p, encrypted=False) <= PAGE_BYTES for p in pages)
    texts = [p["body"].split("\n", 1)[1] for p in pages]
    assert texts[-1].endswith("The end.")
    joined = "".join(t.removesuffix("\nThe end.") for t in texts)
    assert joined.replace(" ", "") == words.replace(" ", "")
    assert [p["body"].split("\n")[0] for p in pages] == ["Long"] + ["Long (continued)"] * (
        len(pages) - 1)


def test_encrypted_rooms_get_smaller_pages() -> None:
    rows = tuple((f"Участник {n}", "1", "1", "12", "вт 06 янв 2026 19:00") for n in range(600))
    reply = Reply(title="People", table=Table(("who", "n", "s", "m", "last"), rows))
    plain, encrypted = reply_contents(reply), reply_contents(reply, encrypted=True)
    assert len(encrypted) > len(plain) >= 2
    assert all(event_size(p, encrypted=True) <= PAGE_BYTES for p in encrypted)
    for pages in (plain, encrypted):
        shown = [line for p in pages for line in p["body"].split("\n")[2:]]
        assert shown == [" | ".join(row) for row in rows]
        assert all(p["formatted_body"].count("<thead>") == 1 for p in pages)


@settings(max_examples=30, deadline=None)
@given(st.text(st.sampled_from("a \n\u202e\u2066\u2069\u202c😀<&") , min_size=1, max_size=3000),
       st.integers(2_000, 20_000))
def test_any_text_is_cut_into_pages_that_fit(text: str, budget: int) -> None:
    pages = reply_contents(Reply(paragraphs=(text,)), page_bytes=budget)
    assert all(event_size(p, encrypted=False) <= budget for p in pages)
    shown = "".join(without_bidi_controls(p["body"]) for p in pages)
    assert shown.replace(" ", "").replace("\n", "") == \
        without_bidi_controls(text).replace(" ", "").replace("\n", "")


def test_the_bots_code_spans_are_drawn_as_code_and_a_persons_backticks_kept() -> None:
    """helper-174's 4: Element showed the backticks of "`format` expects …" as typed, no HTML
    having <code>. What a person typed, quoted, keeps its backticks, and the plain body all."""
    from seminarbot.domain.typed import quoted_typed

    said = ("`format` expects one of csv or jsonl (got " + quoted_typed("`md`")
            + "); one ` alone stays, \ufdd2 a noncharacter goes")
    (page,) = reply_contents(Reply(paragraphs=(said,), fields=(("`a`", "b `c`"),),
                                   table=Table(("`x`",), (("`y`",),))))
    assert page["body"].startswith("`format` expects one of csv or jsonl (got '`md`'); one ` "
                                   "alone stays,  a noncharacter goes")
    html = page["formatted_body"]
    assert "<code>format</code> expects" in html and "(got '`md`')" in html
    assert "<code>a</code></strong>: b <code>c</code>" in html
    assert "<th><code>x</code></th>" in html and "<td><code>y</code></td>" in html
    assert "\ufdd2" not in html + page["body"] and "\ufdd3" not in html + page["body"]
