"""The prompt threads a platform adapter looks after.

Every posted prompt of a cohort that has not finished is backfilled after a disconnect; the
prompts of each cohort's current session (the latest posted) are "open", and adapters keep
their threads from being archived while they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from seminarbot.domain.models import CohortState, OutboxState
from seminarbot.domain.progress import current_session

if TYPE_CHECKING:
    from seminarbot.services.container import Services


class PromptThread(NamedTuple):
    cohort_id: int
    channel_id: str
    message_id: str
    thread_id: str
    open: bool


async def prompt_threads(app: Services, platform: str, *, threadless: bool = False
                         ) -> list[PromptThread]:
    """Posted prompts with a thread (`threadless`: and those without, their thread_id ""), of
    this platform's cohorts that have not finished."""
    found = []
    for cohort in await app.cohorts.all():
        if cohort.platform != platform or cohort.state is CohortState.FINISHED:
            continue
        items = await app.outbox.for_cohort(cohort.id)
        current = current_session(app.syllabus.plan, items)
        for item in items:
            if (item.kind != "prompt" or item.state is not OutboxState.POSTED
                    or not item.message_id or not (item.thread_id or threadless)):
                continue
            found.append(PromptThread(cohort.id, cohort.channel_id, item.message_id,
                                      item.thread_id or "", open=item.session_id == current.id))
    return found


async def is_open_thread(app: Services, platform: str, thread_id: str) -> bool:
    return any(t.thread_id == thread_id and t.open for t in await prompt_threads(app, platform))
