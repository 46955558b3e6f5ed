"""The `matrix:` part of the configuration (README, Configuration), read by config.settings.

Imports nothing of matrix-nio, so loading the configuration stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from seminarbot.config.sources import NOT_ONE_WORD, not_one_word, one_word, pick, refuse, url
from seminarbot.config.yamlfile import Node
from seminarbot.core.redaction import quoted


@dataclass(frozen=True)
class MatrixSettings:
    homeserver: str | None = None
    user_id: str | None = None
    password: str | None = None
    access_token: str | None = None
    device_name: str = "seminarbot"
    command_prefix: str = "!"
    moderator_power_level: int = 50
    allowed_servers: tuple[str, ...] = ()
    allowed_users: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        return all(self._given().values())

    @property
    def incomplete(self) -> str | None:
        """One line naming what is missing when Matrix is configured in part (a password
        forgotten or misspelt): None when it is configured whole, or not at all."""
        if not_one_word(self.access_token):  # as a Discord token (helper-183's 1)
            return (f"MATRIX_ACCESS_TOKEN (or matrix.access_token in the config file) "
                    f"{NOT_ONE_WORD}, and an access token is one word: copy it again from the "
                    "bot's session (Element: Settings → Help & About → Access Token)")
        given = self._given()
        present = [name for name, on in given.items() if on]
        if not present or len(present) == len(given):
            return None
        missing = [name for name, on in given.items() if not on]
        verb = "is" if len(missing) == 1 else "are"
        return (f"Matrix is partly configured: {' and '.join(missing)} {verb} missing or blank "
                f"(given: {', '.join(present)}; in the config file the keys are matrix.homeserver, "
                "matrix.user_id and matrix.password or matrix.access_token); set "
                f"{'it' if len(missing) == 1 else 'them'}, or unset the others to run without "
                "Matrix")

    def _given(self) -> dict[str, bool]:
        def filled(value: str | None) -> bool:
            return bool(value and value.strip())

        return {"MATRIX_HOMESERVER": filled(self.homeserver),
                "MATRIX_USER_ID": filled(self.user_id),
                "MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN": filled(self.password)
                or filled(self.access_token)}


MOST_USER_ID_BYTES = 200  # a key file's name: the id, "_", the device's, ".blacklisted_devices"


def read(node: Node | None, env: Mapping[str, str]) -> MatrixSettings:
    """From the file's `matrix:` mapping (None when absent) and MATRIX_* variables."""
    homeserver = pick(node, "homeserver", env, "MATRIX_HOMESERVER")
    if homeserver:
        homeserver = url(node, "homeserver", env, "MATRIX_HOMESERVER", homeserver)
    user_id = pick(node, "user_id", env, "MATRIX_USER_ID")
    if user_id and user_id.strip() and not (user_id.startswith("@") and ":" in user_id):
        # What was given is not shown: a password set here by mistake would reach the log.
        refuse(node, "user_id", env, "MATRIX_USER_ID",
               "expected a full Matrix id such as @bot:example.org, got a value of "
               f"{len(user_id)} characters that is not one")
    if user_id and ("/" in user_id or len(user_id.encode()) > MOST_USER_ID_BYTES):
        # matrix-nio names its key files `{user_id}_{device_id}.…` (nio.store.database).
        refuse(node, "user_id", env, "MATRIX_USER_ID",
               f"matrix-nio names the bot's key files after its id, so the bot's Matrix id "
               f"must hold no '/' and be at most {MOST_USER_ID_BYTES} bytes (this one has "
               f"{len(user_id.encode())}): give the bot an account whose id is so")
    if node is None:
        return MatrixSettings(homeserver=homeserver, user_id=user_id,
                              password=env.get("MATRIX_PASSWORD"),
                              access_token=one_word(env.get("MATRIX_ACCESS_TOKEN")))
    settings = MatrixSettings(
        homeserver=homeserver, user_id=user_id,
        password=pick(node, "password", env, "MATRIX_PASSWORD"),
        access_token=one_word(pick(node, "access_token", env, "MATRIX_ACCESS_TOKEN")),
        device_name=node.text("device_name", required=False, default="seminarbot"),
        command_prefix=_prefix(node),
        moderator_power_level=node.number("moderator_power_level", required=False, default=50,
                                          minimum=0),
        allowed_servers=tuple(node.text_list("allowed_servers", required=False)),
        allowed_users=tuple(node.text_list("allowed_users", required=False)),
    )
    node.finish()
    return settings


def _prefix(node: Node) -> str:
    """What starts a command in a room: a few characters, no space (an empty one would take
    every message for a command)."""
    prefix = node.text("command_prefix", required=False, default="!")
    if not 0 < len(prefix) <= 8 or any(c.isspace() or not c.isprintable() for c in prefix):
        node.fail("command_prefix", f"expected 1 to 8 characters with no space, such as !, "
                                    f"got {quoted(prefix)}")
    return str(prefix)
