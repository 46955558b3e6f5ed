"""What a member encrypts, as matrix-nio decrypts it: their plaintext is all theirs to write,
so what nio would read of it as the homeserver's (room state, redactions), or cannot parse, is
left unread: the homeserver's authorization rules (Matrix spec, Server-Server API) see only an
encrypted event's envelope, so who may send state or redact was never checked for what is in it."""

from __future__ import annotations

import logging
from typing import Any

from nio import AsyncClient, MegolmEvent, UnknownBadEvent
from nio.exceptions import EncryptionError

log = logging.getLogger(__name__)


def contain_malformed(client: AsyncClient) -> None:
    """An encrypted event's plaintext is all its sender's. Two kinds are made UnknownBadEvents,
    which neither nio nor the bot reads:
    - one nio cannot parse past its schema (`"unsigned": 5`, say), where nio raised out of
      `sync()`: the sync loop stopped, and again on the same batch after every restart;
    - one that says it is a state event (a `state_key`) or a redaction: the homeserver must
      read those to check who may send them, so they are never encrypted, where nio applied
      it to the room's state (anyone could encrypt themself a moderator's power levels) and
      the bot recorded it (anyone could erase another's response).
    nio's own decryption errors (EncryptionError) are left as they are. Call once the
    client's store is loaded (its `olm`)."""
    olm = client.olm
    if olm is None:
        return
    decrypt = olm.decrypt_megolm_event

    def contained(event: MegolmEvent, room_id: str | None = None) -> Any:
        try:
            found = decrypt(event, room_id)
        except EncryptionError:
            raise
        except Exception as error:
            why = type(error).__name__
        else:
            source = getattr(found, "source", None)
            if not isinstance(source, dict) or ("state_key" not in source
                                                 and source.get("type") != "m.room.redaction"):
                return found
            why = "a state event or a redaction, encrypted"
        log.warning("matrix: %s in %s could not be read (%s); left", event.event_id,
                    room_id or event.room_id, why)
        return UnknownBadEvent(event.source)

    olm.decrypt_megolm_event = contained
