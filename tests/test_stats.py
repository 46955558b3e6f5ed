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
        median = statistics.median(len(r[2].split()) for r in mine)
        assert rows[str(number)][1:] == [str(len({r[1] for r in mine})), str(len(mine)),
                                         f"{median:g}"], reply
    assert "Per participant" not in reply  # not offered to a participant
    found = re.search(r"saved to (\S+\.png)", reply)
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
