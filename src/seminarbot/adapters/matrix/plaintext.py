"""What a member encrypts, as matrix-nio decrypts it: their plaintext is all theirs to write,
so what nio would read of it as the homeserver's (room state, redactions), or cannot parse, is
left unread: the homeserver's authorization rules (Matrix spec, Server-Server API) see only an
encrypted event's envelope, so who may send state or redact was never checked for what is in it.
An event's relation is read from its envelope only, as clients show it."""

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
                _envelope_relation(source, event.source)
                return found
            why = "a state event or a redaction, encrypted"
        log.warning("matrix: %s in %s could not be read (%s); left", event.event_id,
                    room_id or event.room_id, why)
        return UnknownBadEvent(event.source)

    olm.decrypt_megolm_event = contained


def _envelope_relation(plaintext: object, envelope: dict[str, Any]) -> None:
    """The relation (a thread, a reply, an edit) is the one the encrypted event carries in the
    clear, as clients read it (matrix-js-sdk's MatrixEvent.getRelation reads the wire content:
    senders lift `m.relates_to` out of what they encrypt, Matrix spec, End-to-End Encryption).
    nio kept one hidden in the plaintext instead, which the room never shows."""
    if not isinstance(plaintext, dict) or not isinstance(plaintext.get("content"), dict):
        return
    content = plaintext["content"]
    content.pop("m.relates_to", None)
    outer = envelope.get("content")
    if isinstance(outer, dict) and "m.relates_to" in outer:
        content["m.relates_to"] = outer["m.relates_to"]
