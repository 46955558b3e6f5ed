"""The device's end-to-end keys on the homeserver (Client-Server API, End-to-end encryption:
/keys/upload, /keys/query). nio uploads them once and then trusts its store's word that they
are there; a device deleted on the homeserver (by an admin, or from another session) takes
its keys with it, and the bot, logging in again on the same device id, would be sent nothing
it could read. So at each start the homeserver is asked, and keys it lacks are published
again. A device the bot leaves for a new one (its keys' store gone) is logged out, so that
no device with a live token piles up on the account."""

from __future__ import annotations

import logging

from aiohttp import ClientError
from nio import AsyncClient, KeysQueryResponse
from nio.api import Api

from seminarbot.adapters.matrix.files import SavedLogin

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


async def log_out_abandoned(client: AsyncClient, earlier: SavedLogin | None) -> None:
    """Log out the device of `earlier` (the saved login before this one) when the bot has just
    logged in as another device of the same account on the same homeserver (Client-Server
    API, POST /logout with its token). Best effort: a failure is said at DEBUG."""
    if earlier is None or earlier.device_id == client.device_id \
            or (earlier.homeserver, earlier.user_id) != (client.homeserver, client.user_id):
        return
    if await log_out(client, earlier.access_token):
        log.info("matrix: logged out the earlier device %s", earlier.device_id)


async def log_out(client: AsyncClient, access_token: str) -> bool:
    """Log out the device of `access_token` (POST /logout with it), whatever device the client
    itself is: whether the homeserver answered. A log-in whose answer the bot refuses (another
    user's id, a device id it cannot use) has made a device with a live token all the same,
    which nobody would ever log out (helper-130). Best effort: a failure is said at DEBUG."""
    try:
        response = await client.send("POST", "/_matrix/client/v3/logout", "{}",
                                     {"Authorization": f"Bearer {access_token}",
                                      "Content-Type": "application/json"})
        response.release()
    except (ClientError, TimeoutError, OSError) as error:
        log.debug("matrix: could not log out a device: %s", error)
        return False
    return True
