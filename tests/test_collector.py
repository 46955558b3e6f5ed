"""`run`'s start-up runs without the cycle collector and freezes what it made (cli/collector.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from seminarbot.cli.collector import frozen_start


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test session collects as usual


def test_the_start_runs_without_collections_then_frees_its_garbage_and_freezes_the_rest() -> None:
    before = gc.get_count()[0]
    with frozen_start():
        assert not gc.isenabled()
        kept = [Node() for _ in range(5000)]  # far past gen 0's threshold (700)
        garbage = weakref.ref(Node())
        assert gc.get_count()[0] >= before + 5000  # no collection ran
        assert garbage() is not None
    assert gc.isenabled()
    assert garbage() is None  # the start's garbage is not kept for good
    assert gc.get_freeze_count() >= len(kept)
    first = weakref.ref(kept[0])
    del kept
    gc.collect()
    assert first() is not None  # frozen: what the start made is never walked again


def test_a_failed_start_freezes_nothing_and_turns_the_collector_on_again() -> None:
    with pytest.raises(RuntimeError), frozen_start():
        Node()
        raise RuntimeError("the database is damaged")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    try:
        with frozen_start():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
