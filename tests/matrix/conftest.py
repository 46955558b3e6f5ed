from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from seminarbot.clock import ManualClock
from tests.matrix.people import BotHarness, Person
from tests.matrix.synapse import Synapse


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
async def bot(synapse: Synapse, tmp_path: Path, clock: ManualClock) -> AsyncIterator[BotHarness]:
    harness = BotHarness(synapse, synapse.register("bot"), tmp_path / "bot", clock)
    try:
        await harness.start()
        yield harness
    finally:
        await harness.stop()


class People:
    def __init__(self, synapse: Synapse, tmp_path: Path) -> None:
        self.synapse = synapse
        self.tmp_path = tmp_path
        self.made: list[Person] = []

    async def __call__(self, name: str) -> Person:
        person = await Person.create(self.synapse, name, self.tmp_path / "people" / name)
        self.made.append(person)
        return person


@pytest.fixture
async def people(synapse: Synapse, tmp_path: Path) -> AsyncIterator[People]:
    made = People(synapse, tmp_path)
    try:
        yield made
    finally:
        for person in made.made:
            await person.close()
