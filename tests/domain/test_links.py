"""Matrix links name servers to join the room through (`?via=`): a room id alone is not
routable, and a version 12 room's id names no server (Matrix spec, Appendices, matrix.to
navigation: a link to a room id SHOULD give `via`). helper-141's 3: exports' links had none."""

from __future__ import annotations

from seminarbot.domain.links import links_for, via_servers


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
