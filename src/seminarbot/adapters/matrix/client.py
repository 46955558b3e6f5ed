"""nio's client as the bot uses it: no redirect followed, a log-in's answer checked before
nio opens a store for it, answers read no further than a limit."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import ClientResponse
from nio import AsyncClient
from nio.client.async_client import client_session

from seminarbot.adapters.http_answers import bounded_body
from seminarbot.adapters.matrix.files import sendable, unusable
from seminarbot.config.settings import SettingRefused
from seminarbot.domain.display import in_a_line
from seminarbot.domain.jsontext import read_json

log = logging.getLogger(__name__)
# The largest answer read (a first sync of busy rooms is megabytes); a larger one is none.
MOST_ANSWER_BYTES = 64 * 2**20


class LoginFailed(SettingRefused):
    """The homeserver refused the credentials: retrying cannot help."""


class Client(AsyncClient):  # type: ignore[misc]  # nio has no type information
    """nio's client, whose requests follow no redirect (aiohttp follows up to ten by default):
    a 307 or 308 to the login would carry the password to wherever it points, and an address
    that redirects passed the homeserver check on the target's answer. A homeserver answers
    at its own address (Client-Server API; a server name that is not is found through
    .well-known, not redirects), so a redirect comes back as the answer."""

    refused_token: str | None = None  # restore_login's

    @client_session  # type: ignore[untyped-decorator]  # nio's: the session, made once
    async def send(self, method: str, path: str, data: Any = None,
                   headers: dict[str, str] | None = None, trace_context: Any = None,
                   timeout: float | None = None,  # noqa: ASYNC109 (nio's signature)
                   ) -> ClientResponse:
        assert self.client_session
        response: ClientResponse = await self.client_session.request(
            method, self.homeserver + path, data=data, ssl=self.ssl, headers=headers,
            trace_request_ctx=trace_context, allow_redirects=False,
            timeout=self.config.request_timeout if timeout is None else timeout)
        return response

    def restore_login(self, user_id: str, device_id: str, access_token: str) -> None:
        """nio's, which opens the store named after the device (a log-in's answer comes here
        too, before the caller sees it): refused with LoginFailed for another user than the
        one configured, or a device id or token that cannot be used (files.unusable); the
        refused answer's token, if it can be sent, is kept as `refused_token`."""
        refusal = None
        if user_id != self.user:  # exactly: nio names the store after this one (helper-103)
            refusal = (f"the homeserver says the login is {in_a_line(user_id, 80)}'s, not "
                       f"{self.user}'s: check MATRIX_USER_ID (matrix.user_id)")
        elif (why := unusable(device_id, access_token)) is not None:
            refusal = f"the homeserver answered the log-in with {why}"
        if refusal is not None:
            self.refused_token = access_token if sendable(access_token) else None
            raise LoginFailed(refusal)
        super().restore_login(user_id, device_id, access_token)

    async def parse_body(self, transport_response: ClientResponse) -> Any:
        """The answer's JSON, or {} (nio's own value for a body that is no JSON, which its
        response classes read as an error without Matrix's error code) for a body larger than
        MOST_ANSWER_BYTES (nio read any body whole: an endless one took gigabytes) and for any
        body json cannot read (domain.jsontext.read_json: nio let through what is not a
        JSONDecodeError, such as JSON nested too deep). Raises aiohttp.ClientPayloadError for
        a body cut short."""
        body = await bounded_body(transport_response, MOST_ANSWER_BYTES)
        if body is None:
            log.warning("matrix: an answer of the homeserver's is larger than %d MiB; it is "
                        "not read", MOST_ANSWER_BYTES // 2**20)
            return {}
        try:
            return read_json(body)
        except ValueError:
            return {}
