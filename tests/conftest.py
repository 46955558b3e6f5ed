from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
from collections.abc import AsyncIterator, Generator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trustme

from seminarbot.adapters.console.session import Console
from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.config.settings import Settings
from seminarbot.services.container import Services
from seminarbot.syllabus.loader import ContentRoots

FIXTURES = Path(__file__).parent / "fixtures"
MINI = ContentRoots(FIXTURES / "mini" / "content", FIXTURES / "mini" / "prompts")
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
# Tests that read the texts skip where ../shared/seeds is absent, but never in CI, which has it.
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir() and not os.environ.get("CI"),
                                 reason="../shared/seeds is not here")


@pytest.hookimpl(wrapper=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: object) -> Generator[None, bool, bool]:
    """A test past pyproject.toml's `timeout` (pytest-timeout's SIGALRM) fails with its stack;
    a test waiting on asyncio shows only the event loop's select there, so its tasks' stacks
    are printed first: the one that waits is among them."""
    handled = yield
    fail = signal.getsignal(signal.SIGALRM)
    if callable(fail):
        def tasks_then_fail(signum: int, frame: object) -> None:
            try:
                tasks = asyncio.all_tasks(asyncio.get_running_loop())
            except RuntimeError:  # no event loop running: the thread stacks say it all
                tasks = set()
            for task in tasks:
                task.print_stack(file=sys.stderr)
            fail(signum, frame)  # type: ignore[arg-type]
        signal.signal(signal.SIGALRM, tasks_then_fail)
    return handled


# A Monday morning in winter.
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def make_settings(tmp_path: Path, roots: ContentRoots | None = MINI) -> Settings:
    return Settings(data_dir=tmp_path, database=tmp_path / "seminar.db",
                    content_dir=roots.content if roots else None,
                    prompts_dir=roots.prompts if roots else None, console_user="ann")


class ConsoleDriver:
    """Types lines into a real Console and returns what it printed for each."""

    def __init__(self, app: Services, clock: ManualClock) -> None:
        self.app = app
        self.clock = clock
        self.out = io.StringIO()
        self.console = Console(app, clock, out=self.out, user="ann")

    async def say(self, line: str) -> str:
        start = len(self.out.getvalue())
        await self.console.handle(line)
        return self.out.getvalue()[start:]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def app(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Services]:
    services = await open_services(make_settings(tmp_path), clock)
    yield services
    await services.close()


@pytest.fixture
async def console(app: Services, clock: ManualClock) -> ConsoleDriver:
    driver = ConsoleDriver(app, clock)
    await driver.console.start()
    return driver


@pytest.fixture(scope="session")
def authority() -> trustme.CA:
    """A certificate authority no one trusts unless told (SSL_CERT_FILE)."""
    return trustme.CA()
