"""The one prompt card: participants see whether a prompt is written or for discussion, on
the console, Discord and Matrix alike (each adapter lays the same card out)."""

from __future__ import annotations

import dataclasses

import pytest

from seminarbot.adapters.console.render import render_post
from seminarbot.adapters.discord.render import prompt_embed
from seminarbot.adapters.matrix.render import prompt_content
from seminarbot.core.replies import PromptPost, prompt_card


def post(mode: str | None, words: int | None) -> PromptPost:
    return PromptPost(cohort_id=1, channel_id="c", session_number=1, session_title="Origins",
                      prompt_id="p", prompt_ref="1.2", kind="comparison", text="Why?",
                      suggested_words=words, mode=mode, idempotency_key="k")


def test_the_card_says_what_each_mode_asks() -> None:
    written = prompt_card(post("written", 300), "/")
    assert (written.mode, written.length) == ("written", "Written answer, about 300 words.")
    assert written.how_to_answer == "Reply in this thread to answer, or type /seminar " \
                                    "respond 1.2 TEXT"
    talk = prompt_card(post("discussion", None), "!")
    assert (talk.mode, talk.length) == ("for discussion", "For discussion at the meeting and "
                                        "in this thread; no written answer expected.")
    assert talk.how_to_answer == "Reply in this thread to join in, or note a point with " \
                                 "!seminar respond 1.2 TEXT"
    assert prompt_card(post(None, 150), "/").length == "About 150 words."  # no mode given


@pytest.mark.parametrize(("mode", "words", "says"), [
    ("discussion", None, "For discussion at the meeting and in this thread; no written answer "
                         "expected."),
    ("written", 250, "Written answer, about 250 words."),
])
def test_every_platform_shows_the_mode(mode: str, words: int | None, says: str) -> None:
    console = " ".join(render_post(post(mode, words)).split())
    assert says.replace(" and in this thread", "") in console
    embed = prompt_embed(post(mode, words))
    assert f"*{says}*" in (embed.description or "")
    matrix = prompt_content(post(mode, words), "!")
    assert says in matrix["body"] and says in matrix["formatted_body"]


@pytest.mark.parametrize("title", ["Origins", "A title " * 4, "A title " * 8, "A title " * 14])
@pytest.mark.parametrize("width", [40, 80, 100])
def test_no_console_line_of_a_post_ends_in_a_space(title: str, width: int) -> None:
    """helper-167's 6: a heading longer than the rule left its trailing space."""
    shown = dataclasses.replace(post("written", 300), session_title=title.strip())
    for line in render_post(shown, width).split("\n"):
        assert line == line.rstrip(), (line, width)
