"""The device's end-to-end keys on the homeserver (Client-Server API, End-to-end encryption:
/keys/upload, /keys/query). nio uploads them once and then trusts its store's word that they
are there; a device deleted on the homeserver (by an admin, or from another session) takes
its keys with it, and the bot, logging in again on the same device id, would be sent nothing
it could read. So at each start the homeserver is asked, and keys it lacks are published
again."""

from __future__ import annotations

import logging

from aiohttp import ClientError
from nio import AsyncClient, KeysQueryResponse
from nio.api import Api

log = logging.getLogger(__name__)


async def publish_keys(client: AsyncClient) -> None:
    """Upload the device's keys when nio's store says they are due, or the homeserver lists
    none for this device. A failed question is left: the sync's own upload goes on."""
    olm = client.olm
    if olm is not None and olm.account.shared and client.device_id:
        method, path, data = Api.keys_query(client.access_token, {client.user_id})
        try:
            answer = await client._send(KeysQueryResponse, method, path, data)
        except (ClientError, TimeoutError) as error:
            log.debug("matrix: could not ask for this device's keys: %s", error)
            answer = None
        if isinstance(answer, KeysQueryResponse) \
                and client.device_id not in answer.device_keys.get(client.user_id, {}):
            log.warning("matrix: the homeserver has no keys for device %s (it was deleted "
                        "there); publishing them again", client.device_id)
            olm.account.shared = False  # nio then uploads the device keys and new one-time keys
    if client.should_upload_keys:
        await client.keys_upload()
