"""Matrix links name servers to join the room through (`?via=`): a room id alone is not
routable, and a version 12 room's id names no server (Matrix spec, Appendices, matrix.to
navigation: a link to a room id SHOULD give `via`). helper-141's 3: exports' links had none."""

from __future__ import annotations

import unicodedata

from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.domain.links import links_for, via_servers
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_message


def test_the_room_s_own_server_comes_first_then_its_people_s_three_at_most() -> None:
    assert via_servers("!abc:old.org", ["a.org", "old.org", "b.org", "c.org"]) == (
        "old.org", "a.org", "b.org")
    assert via_servers("!Vr12opaque", ["a.org", "b.org:8448"]) == ("a.org", "b.org:8448")
    assert via_servers("!Vr12opaque", []) == ()


def test_a_matrix_link_names_its_servers_after_the_event() -> None:
    links = links_for("matrix", "!r", "!r", "$post", "$post", ("a.org", "[::1]:8448"))
    assert links.thread == "https://matrix.to/#/!r/$post?via=a.org&via=%5B::1%5D:8448"
    assert links.response("$ev/1", None) == (
        "https://matrix.to/#/!r/$ev%2F1?via=a.org&via=%5B::1%5D:8448")
    assert links_for("matrix", "!r:hs", "!r:hs", "$p", "$p").thread == (
        "https://matrix.to/#/!r:hs/$p")
    assert links_for("discord", "1", "2", "3", "3", ("a.org",)).thread == (
        "https://discord.com/channels/1/3")


HOSTILE = ('1>)[click](https://evil.example/x)', '44"4 <1>', "5\\", "6\n7\r8\t9 0",
           "1\x85![x](https:evil.example)", "2\x0b3\x0c4\u2028\u2029\u00a0\u202e5")


def test_a_damaged_id_ends_no_link_early_on_any_platform() -> None:
    """helper-181's 2: Discord's ids went into a link as they were, so a damaged row's
    `1>)[click](…)` closed the Markdown link and opened another; Matrix's were escaped."""
    for platform in ("discord", "matrix"):
        for bad in HOSTILE:
            links = links_for(platform, bad, bad, bad, None)
            for thread in (None, bad):
                made = links_for(platform, bad, bad, bad, thread)
                for link in (made.thread, links.response(bad, bad), made.response(bad, None)):
                    assert link.startswith("https://") and not any(
                        char in '<>"\\' or unicodedata.category(char)[0] in "CZ"
                        for char in link), (platform, bad, link)  # helper-182's 1: NEL
    assert links_for("discord", "1", "2", "3", None).response("4>", "5/") == (
        "https://discord.com/channels/1/5%2F/4%3E")


async def test_the_servers_named_are_those_of_the_seminar_s_people(app: Services) -> None:
    """helper-143's 4: opted-out people, and strangers whose commands were only refused,
    steered the servers a link names."""
    place = Place("matrix", "!room:home.org", "!room:home.org", "Room", "room")
    mod = Actor("matrix", "@mod:m.org", "mod", is_moderator=True)
    assert (await run_line(app, "seminar setup tue 19:00 UTC", mod, place)).title == \
        "Seminar set up"
    await app.db.execute("UPDATE outbox SET state = 'posted', message_id = '$p' || id,"
                         " thread_id = '$p' || id")
    thread = str((await app.outbox.for_cohort(1))[0].thread_id)
    people = [("@alice:a.org", False), ("@bob:b.org", False), ("@carol:b.org", False)] + [
        (f"@eve{n}:evil.org", True) for n in range(3)]
    for number, (user, _) in enumerate(people):
        await record_message(app, InboundMessage("matrix", f"$m{number}", Actor(
            "matrix", user, user), "Words.", app.clock.now(), thread_id=thread))
    for user, opted_out in people:
        if opted_out:
            await run_line(app, "seminar optout", Actor("matrix", user, user), place)
            await run_line(app, "seminar pause", Actor("matrix", user, user), place)  # refused
    for n in range(4):  # a stranger refused, again and again
        await run_line(app, "seminar pause", Actor("matrix", f"@x{n}:stranger.org", "x"), place)
    assert await app.participants.servers(1, 3) == ["b.org", "a.org", "m.org"]
    assert via_servers("!room:home.org", await app.participants.servers(1, 3)) == (
        "home.org", "b.org", "a.org")
