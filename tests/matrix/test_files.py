"""A file a participant sends in a prompt's thread is recorded as a Discord attachment is: its
caption (Matrix spec v1.10, media captions: a `filename` beside a different `body`), then a
line naming the file and its mxc:// URI. Before, an image, a document or a voice message in
the thread recorded nothing, its caption's words included. Sent as Element sends them."""

from __future__ import annotations

import io
from typing import Any

from nio import UploadResponse

from seminarbot.adapters.matrix.events import Edited, Said, translate
from seminarbot.domain.responses import MAX_BODY_CHARS, stored_body
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person
from tests.matrix.test_restart import posted_seminar
from tests.matrix.test_translation import message
from tests.matrix.test_words import stored


def _file(msgtype: str, name: str, url: str, caption: str | None = None,
          encrypted: bool = False) -> dict[str, Any]:
    """Element's content for a file: the caption, if any, in `body` beside `filename`."""
    content: dict[str, Any] = {"msgtype": msgtype, "body": caption or name, "filename": name,
                               "info": {"mimetype": "application/octet-stream", "size": 3}}
    if caption:
        content |= {"format": "org.matrix.custom.html", "formatted_body": f"<p>{caption}</p>"}
    if encrypted:
        content["file"] = {"url": url, "v": "v2", "key": {}, "iv": "", "hashes": {}}
    else:
        content["url"] = url
    return content


def test_files_read_as_their_caption_and_a_line_naming_each() -> None:
    cases = [
        (_file("m.image", "passage.png", "mxc://hs/a", "See the second paragraph."),
         "See the second paragraph.\n[attachment: passage.png mxc://hs/a]"),
        (_file("m.file", "notes.pdf", "mxc://hs/b"), "[attachment: notes.pdf mxc://hs/b]"),
        (_file("m.audio", "Voice message.ogg", "mxc://hs/c", encrypted=True),
         "[attachment: Voice message.ogg mxc://hs/c]"),
        ({"msgtype": "m.video", "body": "clip.mp4", "url": "mxc://hs/d"},  # before captions
         "[attachment: clip.mp4 mxc://hs/d]"),
        (_file("m.image", "two\nlines.png", "mxc://hs/e", "!seminar stats"),
         "!seminar stats\n[attachment: two lines.png mxc://hs/e]"),
    ]
    for content, text in cases:
        item = translate(message(content))
        assert isinstance(item, Said) and item.attached and item.text == text, content
    for malformed in ({"msgtype": "m.image", "url": "mxc://hs/f"},
                      {"msgtype": "m.file", "body": "x", "url": 5},
                      {"msgtype": "m.file", "body": "x", "file": {"url": ["mxc://hs/g"]}},
                      {"msgtype": "m.file", "body": "x", "url": "https://elsewhere/x"},
                      {"msgtype": "m.file", "body": "x",
                       "url": "mxc://hs/x\n[attachment: y https://elsewhere/y]"},
                      {"msgtype": "m.file", "body": "x", "url": "mxc://hs/" + "a" * 30_000},
                      {"msgtype": "m.file", "body": "x", "url": "mxc://hs/"},
                      {"msgtype": "m.file", "body": "x", "url": "mxc://hs/a]"}):
        assert translate(message(malformed)) is None


def test_a_files_line_outlasts_a_long_caption_or_name_and_a_blank_caption_is_none() -> None:
    for caption, name in (("w" * 60_000, "passage.png"), ("A caption.", "n" * 60_000),
                          ("\u200b \t", "passage.png")):
        item = translate(message(_file("m.image", name, "mxc://hs/a", caption)))
        assert isinstance(item, Said)
        stored = stored_body(item.text)
        assert stored is not None and len(stored) <= MAX_BODY_CHARS
        line = stored.splitlines()[-1]
        assert line.startswith("[attachment: ") and line.endswith(" mxc://hs/a]"), line
        assert len(line) < 300 and (stored == line) is (caption.strip("\u200b \t") == "")
    controls = translate(message(_file("m.file", "\x01" * 300 + "essay.pdf", "mxc://hs/a")))
    assert isinstance(controls, Said) and controls.text == "[attachment: essay.pdf mxc://hs/a]"
    encrypted = _file("m.file", "notes.pdf", "mxc://hs/b", encrypted=True) | {"url": None}
    item = translate(message(encrypted))
    assert isinstance(item, Said) and item.text == "[attachment: notes.pdf mxc://hs/b]"
    edit = translate(message({"msgtype": "m.image", "body": "* new", "m.new_content": _file(
        "m.image", "passage.png", "mxc://hs/a", "A better caption."), "m.relates_to": {
        "rel_type": "m.replace", "event_id": "$m"}}))
    assert isinstance(edit, Edited)
    assert edit.text == "A better caption.\n[attachment: passage.png mxc://hs/a]"


async def _upload(person: Person, name: str) -> str:
    answer, _ = await person.client.upload(io.BytesIO(b"png"), content_type="image/png",
                                           filename=name, filesize=3)
    assert isinstance(answer, UploadResponse), answer
    return str(answer.content_uri)


async def test_a_file_in_a_prompts_thread_is_recorded_with_its_caption(
        bot: BotHarness, people: People) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    url = await _upload(ann, "passage.png")
    relation = {"m.relates_to": {"rel_type": "m.thread", "event_id": thread,
                                 "is_falling_back": True, "m.in_reply_to": {"event_id": thread}}}
    captioned = await ann.send(room, _file("m.image", "passage.png", url, "!seminar mine")
                               | relation)
    assert await stored(app, captioned) == f"!seminar mine\n[attachment: passage.png {url}]"
    bare = await ann.send(room, _file("m.file", "notes.pdf", url) | relation)
    assert await stored(app, bare) == f"[attachment: notes.pdf {url}]"
    # A caption is no command, even one that reads as a command.
    top = await ann.send(room, _file("m.image", "passage.png", url, "!seminar mine"))
    assert "Your responses (2)" in await ann.command(room, "!seminar mine", bot.user_id)
    assert not ann.answers_to(captioned, bot.user_id) and not ann.answers_to(top, bot.user_id)


async def test_a_poll_in_a_prompts_thread_is_recorded_as_on_discord(
        bot: BotHarness, people: People) -> None:
    """helper-122's 3: Element's poll in a prompt's thread was lost without a word; its
    question and answers are the person's words, as a Discord poll's are (the votes are not
    recorded on either platform)."""
    _, ann, room, thread = await posted_seminar(bot, people)
    relation = {"m.relates_to": {"rel_type": "m.thread", "event_id": thread,
                                 "is_falling_back": True, "m.in_reply_to": {"event_id": thread}}}
    poll = await ann.send(room, {
        "org.matrix.msc3381.poll.start": {
            "kind": "org.matrix.msc3381.poll.disclosed", "max_selections": 1,
            "question": {"org.matrix.msc1767.text": "Who read the minutes?"},
            "answers": [{"id": "a1", "org.matrix.msc1767.text": "Everyone"},
                        {"id": "a2", "org.matrix.msc1767.text": "Nobody"}]},
        "org.matrix.msc1767.text": "Who read the minutes?\n1. Everyone\n2. Nobody"} | relation,
        kind="org.matrix.msc3381.poll.start")
    assert await stored(bot.services, poll) == ("[poll: Who read the minutes?]\n"
                                                "[poll answer: Everyone]\n[poll answer: Nobody]")
