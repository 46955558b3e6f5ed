"""/seminar stats: per session for everyone (with a PNG chart), per participant for moderators."""

import io
import re
import statistics
from pathlib import Path

from PIL import Image

from seminarbot.clock import ManualClock
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver
from tests.discussion import seed

PUNCTUATION = set("!\"#%&'()*,-./:;?@[\\]_{}—–…")  # no words where words are counted


def table_rows(reply: str) -> dict[str, list[str]]:
    """First cell → the other cells, from the console's aligned table."""
    rows = {}
    for line in reply.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) >= 4:
            rows[cells[0]] = cells[1:]
    return rows


async def test_per_session_counts_and_median_length(console: ConsoleDriver, app: Services,
                                                    clock: ManualClock) -> None:
    await seed(console, app, clock)
    await console.say("/as bob")
    reply = await console.say("/seminar stats")
    counted = await app.db.fetchall(
        "SELECT r.session_id, r.participant_id, r.body FROM responses r JOIN participants p"
        " ON p.id = r.participant_id WHERE r.deleted_at IS NULL AND p.opted_out = 0")
    rows = table_rows(reply)
    for number, session_id in ((1, "beginnings"), (2, "later")):
        mine = [r for r in counted if r[0] == session_id]
        median = statistics.median(sum(1 for word in r[2].split() if not set(word) <= PUNCTUATION)
                                   for r in mine)
        assert rows[str(number)][1:] == [str(len({r[1] for r in mine})), str(len(mine)),
                                         f"{median:g}"], reply
    assert "Per participant" not in reply  # not offered to a participant
    found = re.search(r"saved to\s+(\S+\.png)", reply)  # the path may begin a line of its own
    assert found, reply
    chart = Image.open(Path(found.group(1)))
    assert chart.format == "PNG" and chart.size == (880, 460)
    refused = await console.say("/seminar stats participants")
    assert "Only moderators see statistics per participant" in refused


async def test_per_participant_for_moderators(console: ConsoleDriver, app: Services,
                                              clock: ManualClock) -> None:
    await seed(console, app, clock)
    reply = await console.say("/seminar stats participants")
    rows = table_rows(reply)
    expected = await app.db.fetchall(
        "SELECT n.display_name, COUNT(*), COUNT(DISTINCT r.session_id) FROM responses r"
        " JOIN participants p ON p.id = r.participant_id"
        " JOIN participant_names n ON n.participant_id = p.id"
        " WHERE r.deleted_at IS NULL AND p.opted_out = 0 GROUP BY p.id")
    assert {name: cells[:2] for name, cells in rows.items()
            if name != "participant" and not name.startswith("-")} == {
        r[0]: [str(r[1]), str(r[2])] for r in expected}
    assert "otto" not in reply  # opted out


async def test_the_chart_is_a_png_attachment_for_the_platforms(app: Services,
                                                               console: ConsoleDriver,
                                                               clock: ManualClock) -> None:
    await seed(console, app, clock)
    place = Place("console", "local", "console")
    response = await run_line(app, "seminar stats", Actor("console", "console:zed", "zed"),
                              place)
    (attachment,) = response.attachments
    assert attachment.media_type == "image/png"
    assert re.fullmatch(r"participation-console-\d{8}-\d{4}\.png", attachment.filename)
    image = Image.open(io.BytesIO(attachment.data))
    # Bars are drawn: the participants' colour is on the image.
    assert (38, 84, 124) in {colour for _, colour in image.convert("RGB").getcolors(1 << 16)}


async def test_the_chart_marks_sessions_not_yet_posted_instead_of_drawing_zero(
        console: ConsoleDriver, app: Services) -> None:
    await console.say("/seminar setup tuesday 19:00 UTC")
    await console.say("/seminar post 1")
    await console.say("/seminar respond 1.1 The council kept its minutes.")
    place = Place("console", "local", "console")
    reply = await run_line(app, "seminar stats", Actor("console", "console:zed", "zed"), place)
    assert reply.table is not None
    assert [row[2:] for row in reply.table.rows] == [("1", "1", "5"),
                                                     ("not posted yet", "–", "–")]
    image = Image.open(io.BytesIO(reply.attachments[0].data)).convert("RGB")
    # Two sessions share the plot from x=64 to 856: the second's half has no bar, only its mark.
    second = image.crop((64 + 396 + 40, 72, 856 - 40, 396))
    colours = {colour for _, colour in second.getcolors(1 << 16)}
    assert (38, 84, 124) not in colours and (239, 160, 71) not in colours
    assert (102, 102, 102) in colours  # "not yet posted", in the muted grey
    first = image.crop((64 + 40, 72, 64 + 396 - 40, 396))
    assert (38, 84, 124) in {colour for _, colour in first.getcolors(1 << 16)}


def test_a_files_line_is_no_words() -> None:
    """A captionless image is no words; its caption is (try31, 7)."""
    from seminarbot.domain.responses import with_attachments
    from seminarbot.domain.stats import word_count

    url = "mxc://example.org/abcDEF123"
    assert word_count(with_attachments("", [("photo.png", url)])) == 0
    assert word_count(with_attachments("Two words", [("a b c.pdf", url), ("x", url)])) == 2
    assert word_count("[attachment: typed by hand] into a line") == 7  # words, not a file's line


def test_a_file_s_description_counts_its_words_and_an_invisible_one_is_none() -> None:
    """helper-134's 5 and helper-137's 5: a description is the author's words; one of nothing
    visible (a zero-width space) is no line and no word."""
    from seminarbot.domain.responses import with_attachments
    from seminarbot.domain.stats import word_count

    url = "https://cdn.discordapp.com/attachments/1/2/map.png"
    described = with_attachments("My map.", [("map.png", url, "Soviets of 1917, mapped")])
    assert described.endswith("\n[attachment description: Soviets of 1917, mapped]")
    assert word_count(described) == 6
    for invisible in ("\u200b", " ", "\u2800\u3164", "\u2067\u2069"):
        alone = with_attachments("hi", [("f.png", url, invisible)])
        assert alone == f"hi\n[attachment: f.png {url}]"
