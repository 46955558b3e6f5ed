"""A seminar on the fake Discord, as the prompt and reconnect tests share it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from seminarbot.clock import ManualClock
from seminarbot.domain.models import OutboxItem
from seminarbot.services.container import Services
from tests.discord_fake import FakeDiscord

Json = dict[str, Any]
FIRST_SLOT = datetime(2026, 1, 6, 19, 0, tzinfo=UTC)  # Tuesday 19:00 UTC after the setup
SECOND_SLOT = datetime(2026, 1, 13, 19, 0, tzinfo=UTC)


async def start_seminar(fake: FakeDiscord) -> None:
    await fake.slash("ann", "seminar-mod setup", weekday="tuesday", time="19:00",
                     timezone="UTC")


async def first_session_posted(fake: FakeDiscord, app: Services,
                               clock: ManualClock) -> list[OutboxItem]:
    """Set the seminar up and post its first session: that session's prompts."""
    await start_seminar(fake)
    clock.set(FIRST_SLOT)
    await app.scheduler.run_due()
    return await session_items(app)


async def session_items(app: Services, session: str = "beginnings") -> list[OutboxItem]:
    return [i for i in await app.outbox.for_cohort(1)
            if i.session_id == session and i.kind == "prompt"]


def prompt_posts(fake: FakeDiscord) -> list[Json]:
    return [m for m in fake.messages_in(fake.world.seminar_channel)
            if m["author"]["id"] == fake.world.bot["id"] and m["embeds"]]


async def rows(app: Services) -> list[tuple[Any, ...]]:
    """The responses in the order they were written (their snowflakes'), whichever way each
    was recorded first: live, or read back once its post was recorded."""
    found = await app.db.fetchall(
        "SELECT r.prompt_id, n.display_name, r.body, r.edited_at IS NOT NULL,"
        " r.deleted_at IS NOT NULL FROM responses r JOIN participant_names n"
        " ON n.participant_id = r.participant_id"
        " ORDER BY length(r.message_id), r.message_id, r.id")
    return [tuple(r) for r in found]


async def response_count_is(app: Services, wanted: int) -> bool:
    return bool(await app.db.scalar("SELECT COUNT(*) FROM responses") == wanted)


async def has_row(app: Services, sql: str) -> bool:
    return await app.db.scalar(sql) is not None
