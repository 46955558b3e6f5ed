"""One participant's burst of 1,000 commands on the real client: a burst's worth is served, one
"slow down" answers the rest (which go unanswered after that), and others are still served.
Autocomplete is limited the same way, on an allowance of its own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.core.limits import COMPLETING_PARTICIPANTS, PARTICIPANTS
from seminarbot.domain.glossary import Glossary
from seminarbot.domain.syllabus import GlossaryEntry
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.test_slash_commands import embed, everything
from tests.discord_fake import FakeDiscord

FLOOD = 1000
FLOOD_WAIT = 60.0


async def test_a_flood_from_one_participant_is_cut_short_and_others_are_served(
        bot: SeminarClient, fake: FakeDiscord, clock: ManualClock) -> None:
    flood = [await fake.send_slash("bob", "term", query="soviet") for _ in range(FLOOD)]
    tia = await fake.send_slash("tia", "term", query="soviet")
    # Served while the flood is being turned away (a loaded machine may take a while for the
    # 1,000 interactions themselves: this measures no speed, only that tia is answered).
    await eventually(lambda: tia.callback is not None, within=FLOOD_WAIT)
    assert embed(tia)["title"] == "soviet"
    await eventually(lambda: sum(log.callback is not None for log in flood)
                     > PARTICIPANTS.burst, within=FLOOD_WAIT)
    answered = [log for log in flood if log.callback is not None]
    titles = [embed(log)["title"] for log in answered]
    assert titles == ["soviet"] * PARTICIPANTS.burst + ["Slow down"]
    slow = answered[-1]
    assert slow.ephemeral and "Try again in 2 s" in everything(slow)
    # Nothing was sent for the rest: no callback, no follow-up.
    callbacks = fake.requests("POST", "/interactions/")
    assert len(callbacks) == len(answered) + 1  # bob's answered ones and tia's
    # A moderator's allowance is larger, and time (the injected clock) refills bob's.
    for _ in range(PARTICIPANTS.burst + 1):
        assert embed(await fake.slash("ann", "term", query="soviet"))["title"] == "soviet"
    clock.advance(timedelta(seconds=2))
    assert embed(await fake.slash("bob", "term", query="soviet"))["title"] == "soviet"


async def test_autocomplete_has_its_own_bounded_allowance_and_stays_cheap(
        bot: SeminarClient, fake: FakeDiscord, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each keystroke of /term asks for suggestions: a person gets an allowance of them (the
    rest left unanswered), the near-match search never runs for them, and typing never uses
    up the person's commands."""
    near: list[str] = []
    original = Glossary.near

    def counted(self: Glossary, query: str, limit: int = 3) -> list[GlossaryEntry]:
        near.append(query)
        return original(self, query, limit)

    monkeypatch.setattr(Glossary, "near", counted)
    burst = COMPLETING_PARTICIPANTS.burst
    answers = [await fake.complete("bob", "term", "query", query="so") for _ in range(burst)]
    assert all(answers) and answers[0][0] == {"name": "soviet", "value": "soviet"}
    # Over the allowance, a request gets no reply at all: a flood costs the bot no HTTP call.
    over = [await fake.send_complete("bob", "term", "query", query="so") for _ in range(5)]
    # However long or odd the text, autocomplete reads a bounded part of it and no near match.
    assert await fake.complete("tia", "term", "query", query="а" * 5000) == []
    assert [log.callback for log in over] == [None] * 5
    assert await fake.complete("tia", "term", "query", query="sovjet") == []
    assert near == []
    # bob's commands are his still; time refills his suggestions (120 a minute).
    assert embed(await fake.slash("bob", "term", query="soviet"))["title"] == "soviet"
    clock.advance(timedelta(seconds=1))
    assert await fake.complete("bob", "term", "query", query="so")
