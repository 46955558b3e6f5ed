"""The scheduler's view of Matrix: prompts become thread roots; notices go into threads or, for
moderators, into the cohort's room. A prompt carries its outbox key, so after a crash between
sending and recording the room's recent history says whether it went out."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, MessageDirection, RoomMessagesResponse

from seminarbot.adapters.matrix.events import Said
from seminarbot.adapters.matrix.render import KEY_FIELD, in_thread, notice, prompt_content
from seminarbot.adapters.matrix.sender import Sender, SendFailed
from seminarbot.adapters.matrix.threads import read_since
from seminarbot.core.replies import PromptPost
from seminarbot.domain.models import Cohort
from seminarbot.scheduling.poster import PostedRef, PostError

log = logging.getLogger(__name__)
HISTORY_PAGES = 4
PAGE_SIZE = 100


class MatrixPoster:
    platform = "matrix"

    def __init__(self, client: AsyncClient, sender: Sender, prefix: str, *,
                 handle: Callable[[str, Any], Awaitable[None]] | None = None,
                 is_command: Callable[[Said], bool] = lambda said: False) -> None:
        """`handle`: the bot's handler of a synced event, for `read_back`."""
        self.client = client
        self.sender = sender
        self.prefix = prefix
        self.handle = handle
        self.is_command = is_command

    async def read_back(self, cohort: Cohort, thread_id: str) -> None:
        if self.handle is not None:
            await read_since(self.client, self.handle, self.is_command, cohort.channel_id,
                             thread_id)

    async def post_prompt(self, post: PromptPost) -> PostedRef:
        try:
            # The outbox key as the transaction id: a resend of the same row is one event.
            event_id = await self.sender.send(post.channel_id, prompt_content(post, self.prefix),
                                              txn_id=post.idempotency_key)
        except SendFailed as error:
            raise PostError(error.reason, retryable=error.retryable) from None
        except Exception as error:  # the scheduler must get a PostError, whatever nio raised
            log.exception("matrix: posting into %s failed", post.channel_id)
            raise PostError(f"{type(error).__name__}: {error}", retryable=True) from None
        return PostedRef(message_id=event_id, thread_id=event_id)

    async def find_post(self, channel_id: str, idempotency_key: str) -> PostedRef | None:
        token = self.client.next_batch
        for _ in range(HISTORY_PAGES):
            try:
                page = await self.client.room_messages(channel_id, start=token,
                                                       direction=MessageDirection.back,
                                                       limit=PAGE_SIZE)
            except (ClientError, TimeoutError) as error:
                page = error
            if not isinstance(page, RoomMessagesResponse):
                # Sending again is safe: the same transaction id is the same event.
                log.warning("matrix: cannot read %s to reconcile a post: %s", channel_id, page)
                return None
            for event in page.chunk:
                source = getattr(event, "source", {})
                content = source.get("content") or {}
                if source.get("sender") == self.client.user_id \
                        and content.get(KEY_FIELD) == idempotency_key:
                    event_id = str(source["event_id"])
                    return PostedRef(message_id=event_id, thread_id=event_id)
            if not page.chunk or not page.end or page.end == token:
                return None
            token = page.end
        return None

    def literal(self, text: str) -> str:
        return text  # a notice's HTML escapes it (render.notice), and no @room in it pings

    async def post_in_thread(self, cohort: Cohort, thread_id: str, message: str) -> PostedRef:
        try:
            event_id = await self.sender.send(cohort.channel_id,
                                              in_thread(notice(message), thread_id))
        except SendFailed as error:
            raise PostError(error.reason, retryable=error.retryable) from None
        return PostedRef(message_id=event_id, thread_id=thread_id)

    async def notify_moderators(self, cohort: Cohort, message: str) -> bool:
        try:
            await self.sender.send(cohort.channel_id, notice("For moderators: " + message))
        except Exception as error:  # telling is best effort; the audit log has it anyway
            log.error("matrix: could not tell the moderators of %s: %s (%s)",
                      cohort.channel_id, message, error)
            return False
        return True
