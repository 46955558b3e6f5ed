"""Events keep their order, except that new messages next to each other run together."""

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from seminarbot.domain.errors import Busy, Unavailable, WriteFailed
from seminarbot.services.ordered import MAX_RUN, InOrder, StallWatch, in_runs, runs


def test_neighbours_that_join_form_one_run_and_others_stand_alone() -> None:
    items = ["new1", "new2", "edit", "new3", "delete", "delete", "new4", "new5", "new6"]
    assert runs(items, lambda item: item.startswith("new")) == [
        ["new1", "new2"], ["edit"], ["new3"], ["delete"], ["delete"], ["new4", "new5", "new6"]]
    assert [len(run) for run in runs(range(MAX_RUN + 5), lambda _: True)] == [MAX_RUN, 5]


async def test_a_queued_edit_waits_for_the_messages_before_it_and_holds_back_those_after() -> None:
    log: list[str] = []

    async def joined(items: list[str]) -> None:
        log.append(f"{'+'.join(items)} starts")
        await asyncio.sleep(0.01)
        log.append(f"{'+'.join(items)} ends")

    def job(name: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            log.append(f"{name} starts")
            await asyncio.sleep(0.01)
            log.append(f"{name} ends")
        return run

    queue: InOrder[str] = InOrder("test", joined)
    queue.start()
    queue.join("a")
    queue.join("b")
    queue.put(job("edit"))
    queue.join("c")
    await queue.stop(grace=5)
    assert log == ["a+b starts", "a+b ends",  # together
                   "edit starts", "edit ends", "c starts", "c ends"]


async def test_a_burst_is_handed_over_in_runs_of_at_most_max_run_in_order() -> None:
    handed: list[list[int]] = []

    async def joined(items: list[int]) -> None:
        handed.append(items)

    queue: InOrder[int] = InOrder("test", joined)
    for n in range(2 * MAX_RUN + 7):  # queued before the worker starts: one burst
        queue.join(n)
    queue.start()
    await queue.stop(grace=5)
    assert [len(run) for run in handed] == [MAX_RUN, MAX_RUN, 7]
    assert [n for run in handed for n in run] == list(range(2 * MAX_RUN + 7))


async def test_a_failing_job_is_logged_and_the_queue_goes_on(
        caplog: pytest.LogCaptureFixture) -> None:
    done: list[str] = []

    async def broken() -> None:
        raise RuntimeError("boom")

    async def joined(items: list[str]) -> None:
        done.extend(items)

    queue: InOrder[str] = InOrder("test", joined)
    queue.start()
    queue.put(broken)
    queue.join("fine")
    await queue.stop(grace=5)
    assert done == ["fine"] and "could not be handled" in caplog.text


async def test_an_error_in_a_run_is_raised_after_the_run_and_stops_later_runs() -> None:
    handled: list[int] = []

    async def handle(item: int) -> None:
        await asyncio.sleep(0.01 if item == 1 else 0)
        if item == 0:
            raise ValueError("first item")
        handled.append(item)

    with pytest.raises(ValueError, match="first item"):
        await in_runs([0, 1, 2, 3], lambda item: item != 2, handle)
    assert handled == [1]  # its run-mate finished; the runs after it never started


async def test_a_run_that_finds_the_database_busy_is_handed_over_again_before_the_next() -> None:
    log: list[str] = []
    tries: list[list[str]] = []

    async def busy_twice(items: list[str]) -> None:
        tries.append(list(items))
        if len(tries) < 3:
            raise Busy()
        log.append("recorded " + "+".join(items))

    async def edit() -> None:
        log.append("edited")

    queue: InOrder[str] = InOrder("test", busy_twice, retry_delays=(0,))
    queue.start()
    queue.join("a")
    queue.join("b")
    queue.put(edit)
    await queue.stop(grace=5)
    assert tries == [["a", "b"]] * 3  # the same items, in their order, every time
    assert log == ["recorded a+b", "edited"]


async def test_a_database_unavailable_for_long_is_tried_until_it_works_and_moderators_hear(
        ) -> None:
    """Never given up (nothing after it could be saved before it), and said once each way."""
    heard: list[str] = []
    down = True
    tries = 0
    many = asyncio.Event()

    async def write(items: list[str] | None = None) -> None:
        nonlocal tries
        tries += 1
        if tries == 50:
            many.set()
        if down:
            raise WriteFailed("the disk is full")
        heard.append("written")

    async def hear(error: Unavailable | None) -> None:
        heard.append("stalled" if error else "recovered")

    queue: InOrder[str] = InOrder("test", write, retry_delays=(0.001,),
                                  watch=StallWatch(after=0.01, stalled=hear, recovered=hear))
    queue.start()
    queue.join("new")
    queue.put(write)
    await asyncio.wait_for(many.wait(), 5)
    assert heard == ["stalled"]  # once, however many tries
    down = False
    await queue.stop(grace=5)
    assert heard == ["stalled", "written", "recovered", "written"]


async def test_stopping_with_events_in_hand_counts_them_all(
        caplog: pytest.LogCaptureFixture) -> None:
    """The run under way counts as unhandled too (it was not saved)."""
    async def stuck(items: list[int]) -> None:
        await asyncio.sleep(60)

    async def edit() -> None:
        pass

    queue: InOrder[int] = InOrder("test", stuck)
    for n in range(5):
        queue.join(n)
    queue.put(edit)
    queue.join(5)
    queue.start()
    await asyncio.sleep(0)
    await queue.stop(grace=0.01)
    assert "stopping with 7 events unhandled" in caplog.text


async def test_new_messages_pass_a_job_that_lets_them_and_the_next_job_waits_for_it() -> None:
    """A catch-up after READY lets new messages pass (bot.Handlers._connected); an edit, and
    whatever comes after the edit, still waits for it."""
    log: list[str] = []
    release = asyncio.Event()

    async def joined(items: list[str]) -> None:
        log.append("+".join(items))

    async def catch_up() -> None:
        log.append("catch-up starts")
        await release.wait()
        log.append("catch-up ends")

    async def edit() -> None:
        log.append("edit")

    queue: InOrder[str] = InOrder("test", joined)
    queue.start()
    queue.join("a")
    queue.put(catch_up, joins_pass=True)
    queue.join("b")
    queue.join("c")
    for _ in range(5):
        await asyncio.sleep(0)
    queue.join("d")  # arrives while the catch-up runs, the queue empty meanwhile
    for _ in range(5):
        await asyncio.sleep(0)
    queue.put(edit)
    queue.join("e")
    for _ in range(5):
        await asyncio.sleep(0)
    # Handed over while the catch-up runs (which of the two starts first is the loop's choice).
    assert log[0] == "a" and sorted(log[1:]) == ["b+c", "catch-up starts", "d"]
    assert log.index("b+c") < log.index("d")
    release.set()
    await queue.stop(grace=5)
    assert log[4:] == ["catch-up ends", "edit", "e"]


async def test_stopping_while_messages_pass_a_job_ends_both_and_counts_what_is_in_hand(
        caplog: pytest.LogCaptureFixture) -> None:
    async def stuck(items: list[int]) -> None:
        await asyncio.sleep(60)

    async def catch_up() -> None:
        await asyncio.sleep(60)

    queue: InOrder[int] = InOrder("test", stuck)
    queue.put(catch_up, joins_pass=True)
    for n in range(3):
        queue.join(n)
    queue.start()
    for _ in range(5):
        await asyncio.sleep(0)
    before = asyncio.all_tasks()
    await queue.stop(grace=0.01)
    assert "stopping with 4 events unhandled" in caplog.text
    for _ in range(5):
        await asyncio.sleep(0)
    assert not [task for task in asyncio.all_tasks() if not task.done()
                and task is not asyncio.current_task()], before


async def test_stopping_while_a_job_passed_by_nothing_runs_leaves_no_task_behind() -> None:
    async def joined(items: list[int]) -> None:
        pass

    async def catch_up() -> None:
        await asyncio.sleep(60)

    queue: InOrder[int] = InOrder("test", joined)
    queue.start()
    queue.put(catch_up, joins_pass=True)
    for _ in range(5):
        await asyncio.sleep(0)
    await queue.stop(grace=0.01)
    for _ in range(5):
        await asyncio.sleep(0)
    assert [task for task in asyncio.all_tasks() if task is not asyncio.current_task()] == []


async def test_a_job_that_ends_while_messages_passing_it_still_fail_is_no_recovery() -> None:
    """The database full: the messages passing a catch-up are tried again; the catch-up, which
    had nothing to write, ends. Moderators hear of a recovery only once the messages are
    saved, and health hears of no success meanwhile."""
    heard: list[str] = []
    reports: list[bool] = []
    full = True
    stored: list[int] = []
    release = asyncio.Event()

    async def stalled(error: Unavailable | None) -> None:
        heard.append("stalled")

    async def recovered(error: Unavailable | None) -> None:
        heard.append("recovered")

    async def joined(items: list[int]) -> None:
        if full:
            raise WriteFailed("database or disk is full")
        stored.extend(items)

    async def catch_up() -> None:
        await release.wait()

    watch = StallWatch(after=0.05, stalled=stalled, recovered=recovered,
                       report=lambda error: reports.append(error is None))
    queue: InOrder[int] = InOrder("test", joined, retry_delays=(0.02,), watch=watch)
    queue.start()
    queue.put(catch_up, joins_pass=True)
    queue.join(1)
    await asyncio.sleep(0.15)
    assert heard == ["stalled"]
    release.set()
    await asyncio.sleep(0.1)
    assert (heard, stored, True in reports) == (["stalled"], [], False)
    full = False
    await queue.stop(grace=2)
    assert (heard, stored, reports[-1]) == (["stalled", "recovered"], [1], True)
