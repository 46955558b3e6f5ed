"""The `matrix:` part of the configuration (README, Configuration), read by config.settings.

Imports nothing of matrix-nio, so loading the configuration stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from seminarbot.config.sources import pick, url
from seminarbot.config.yamlfile import Node


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
        return bool(self.homeserver and self.user_id and (self.password or self.access_token))


def read(node: Node | None, env: Mapping[str, str]) -> MatrixSettings:
    """From the file's `matrix:` mapping (None when absent) and MATRIX_* variables."""
    homeserver = pick(node, "homeserver", env, "MATRIX_HOMESERVER")
    if homeserver:
        homeserver = url(node, "homeserver", env, "MATRIX_HOMESERVER", homeserver)
    if node is None:
        return MatrixSettings(homeserver=homeserver, user_id=env.get("MATRIX_USER_ID"),
                              password=env.get("MATRIX_PASSWORD"),
                              access_token=env.get("MATRIX_ACCESS_TOKEN"))
    user_id = pick(node, "user_id", env, "MATRIX_USER_ID")
    if user_id and not (user_id.startswith("@") and ":" in user_id):
        node.fail("user_id", f"expected a full Matrix id such as @bot:example.org, got {user_id!r}")
    settings = MatrixSettings(
        homeserver=homeserver, user_id=user_id,
        password=pick(node, "password", env, "MATRIX_PASSWORD"),
        access_token=pick(node, "access_token", env, "MATRIX_ACCESS_TOKEN"),
        device_name=node.text("device_name", required=False, default="seminarbot"),
        command_prefix=node.text("command_prefix", required=False, default="!"),
        moderator_power_level=node.number("moderator_power_level", required=False, default=50,
                                          minimum=0),
        allowed_servers=tuple(node.text_list("allowed_servers", required=False)),
        allowed_users=tuple(node.text_list("allowed_users", required=False)),
    )
    node.finish()
    return settings
