"""Sending into rooms without crashing: rate limits are waited out as the homeserver asks,
server and connection errors are retried with backoff, and what still fails is raised as
SendFailed for the caller to report."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, RoomSendResponse, UploadResponse
from nio.exceptions import LocalProtocolError, SendRetryError

from seminarbot.adapters.matrix.backoff import is_server_error, rate_limit_delay
from seminarbot.adapters.matrix.render import Content, file_content
from seminarbot.core.replies import Attachment
from seminarbot.domain.backoff import Backoff

log = logging.getLogger(__name__)
SEND_ATTEMPTS = 5


def txn_for(kind: str, event_id: str) -> str:
    """A transaction id tied to the event answered: a replayed event is answered once."""
    return f"seminarbot-{kind}-{hashlib.sha256(event_id.encode()).hexdigest()[:32]}"


class SendFailed(Exception):
    """A request the homeserver did not take. `code`: the Matrix error code it answered with
    (Client-Server API, Standard error response: `M_FORBIDDEN`, …), None for none."""

    def __init__(self, reason: str, *, retryable: bool, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code


def why_failed(error: SendFailed) -> str:
    """The failure as the person who asked is told it."""
    if "M_TOO_LARGE" in error.reason:
        return "the homeserver refused a message as too large"
    return "the homeserver kept refusing it" if error.retryable else \
        "the homeserver refused it"


def failed_notice(error: SendFailed) -> str:
    return (f"I could not send all of my answer to this ({why_failed(error)}). Please try "
            "again later, or ask for less at once.")


async def with_retries(what: str, call: Callable[[], Awaitable[Any]],
                        succeeded: type) -> Any:
    backoff = Backoff(first=1.0, limit=30.0)
    reason = ""
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            answer = await call()
        except LocalProtocolError as error:  # not in that room, or not logged in
            raise SendFailed(f"{what}: {error}", retryable=False) from None
        except (ClientError, TimeoutError, SendRetryError) as error:
            answer, delay = None, backoff.next_delay()
            reason = f"{type(error).__name__}: {error}"
        else:
            if isinstance(answer, succeeded):
                return answer
            reason = str(answer)
            waited = rate_limit_delay(answer)
            if waited is None and not is_server_error(answer):
                code = getattr(answer, "status_code", None)
                raise SendFailed(f"{what}: {reason}", retryable=False,
                                 code=code if isinstance(code, str) else None)
            delay = waited if waited is not None else backoff.next_delay()
        if attempt < SEND_ATTEMPTS:
            log.warning("matrix: %s failed (%s), attempt %d of %d; retrying in %.1f s",
                        what, reason, attempt, SEND_ATTEMPTS, delay)
            await asyncio.sleep(delay)
    log.error("matrix: %s failed %d times, giving up: %s", what, SEND_ATTEMPTS, reason)
    raise SendFailed(f"{what}: {reason}", retryable=True)


class Sender:
    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def send(self, room_id: str, content: Content, txn_id: str | None = None) -> str:
        """Send a message; the same txn_id twice (a retry, a replay) is one event on the server."""
        answer = await with_retries(
            f"sending to {room_id}",
            lambda: self.client.room_send(room_id, "m.room.message", content, tx_id=txn_id,
                                          ignore_unverified_devices=True),
            RoomSendResponse)
        return str(answer.event_id)

    async def upload(self, room_id: str, attachment: Attachment, *,
                     encrypt: bool | None = None) -> Content:
        """Upload a file (encrypted where the room is, or as `encrypt` says for a room not
        synced yet) and give the m.file content for it."""
        if encrypt is None:
            room = self.client.rooms.get(room_id)
            encrypt = bool(room and room.encrypted)

        async def attempt() -> Any:
            answer, keys = await self.client.upload(
                io.BytesIO(attachment.data), content_type=attachment.media_type,
                filename=attachment.filename, encrypt=encrypt, filesize=len(attachment.data))
            uploaded.append(keys)
            return answer

        uploaded: list[dict[str, Any] | None] = []
        answer = await with_retries(f"uploading {attachment.filename}", attempt,
                                     UploadResponse)
        return file_content(attachment.filename, attachment.media_type, len(attachment.data),
                            str(answer.content_uri), uploaded[-1] if encrypt else None)
