"""A bare matrix-nio client, the baseline the bot is measured against: the same nio client
configuration the bot uses (E2EE, a store on disk, the same sync filter), restoring a saved
device, syncing, and counting thread replies. Nothing else.

Prints `ready` after its first sync (and key exchange), then `received N` after each sync with
the thread replies received so far in this run. Stops on SIGINT.

Run: python benchmarks/bare/matrix_client.py HOMESERVER USER_ID DEVICE_ID TOKEN STORE_DIR
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

from nio import AsyncClient, AsyncClientConfig, SyncResponse

CONFIG = AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2, request_timeout=60,
                           encryption_enabled=True, store_sync_tokens=True)
FILTER = {"room": {"timeline": {"limit": 50}}, "presence": {"types": []}}


async def keys(client: AsyncClient) -> None:
    if client.outgoing_to_device_messages:
        await client.send_to_device_messages()
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())


def thread_replies(answer: SyncResponse) -> int:
    count = 0
    for room in answer.rooms.join.values():
        for event in room.timeline.events:
            relation = event.source.get("content", {}).get("m.relates_to") or {}
            count += relation.get("rel_type") == "m.thread"
    return count


async def main(homeserver: str, user_id: str, device_id: str, token: str, store: str) -> None:
    client = AsyncClient(homeserver, user_id, device_id=device_id, store_path=store,
                         config=CONFIG)
    client.restore_login(user_id, device_id, token)
    try:
        first = True
        received = 0
        while True:
            answer = await client.sync(timeout=0 if first else 30_000, sync_filter=FILTER,
                                       full_state=True if first else None)
            if not isinstance(answer, SyncResponse):
                await asyncio.sleep(1)
                continue
            await keys(client)
            if first:
                print("ready", flush=True)
                first = False
            else:
                received += thread_replies(answer)
                print(f"received {received}", flush=True)
    finally:
        await client.close()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(*sys.argv[1:6]))
