"""The `discord:` part of the configuration (README, Configuration), read by config.settings.

Imports nothing of discord.py, so loading the configuration stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from seminarbot.config.sources import NOT_ONE_WORD, not_one_word, one_word, pick, url
from seminarbot.config.yamlfile import Node
from seminarbot.core.redaction import quoted

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg"


@dataclass(frozen=True)
class DiscordSettings:
    token: str | None = None
    api_base: str = DISCORD_API_BASE
    gateway_url: str = DISCORD_GATEWAY
    moderator_role: str | None = None
    test_guild: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.token and self.token.strip())

    @property
    def incomplete(self) -> str | None:
        """One line when the token is given but blank (a stray space in a .env file, or
        `token: ""` in the config file; an empty DISCORD_TOKEN is unset, as `pick` reads it)."""
        if self.token is not None and not self.token.strip():
            return ("Discord is partly configured: DISCORD_TOKEN (or discord.token in the config "
                    "file) is blank; set the bot's token, or unset it to run without Discord")
        if not_one_word(self.token):
            # An HTTP header cannot carry it: the log-in was never sent (helper-140)
            return (f"DISCORD_TOKEN (or discord.token in the config file) {NOT_ONE_WORD}, and a "
                    "bot token is one word: copy it again from the Developer Portal (Bot → "
                    "Reset Token)")
        return None


def read(node: Node | None, env: Mapping[str, str]) -> DiscordSettings:
    """From the file's `discord:` mapping (None when absent) and DISCORD_* variables."""
    settings = DiscordSettings(
        token=one_word(pick(node, "token", env, "DISCORD_TOKEN")),
        api_base=url(node, "api_base", env, "DISCORD_API_BASE", DISCORD_API_BASE),
        gateway_url=url(node, "gateway_url", env, "DISCORD_GATEWAY_URL", DISCORD_GATEWAY,
                        ("ws", "wss")),
        moderator_role=node.text("moderator_role", required=False) if node else None,
        test_guild=_snowflake(node, "test_guild"),
    )
    if node:
        node.finish()
    return settings


def _snowflake(node: Node | None, key: str) -> str | None:
    """A server's id as Discord writes one (API docs, Snowflakes: a number in decimal text)."""
    if node is None:
        return None
    value: str | None = node.text(key, required=False)
    if value is not None and not is_snowflake(value):
        node.fail(key, f"expected a server's id, a number such as 123456789012345678, got "
                       f"{quoted(value)}")
    return value


def is_snowflake(text: str) -> bool:
    """Whether `text` is an id as Discord writes one: a decimal number from 1 to 2^64 − 1, an
    unsigned 64-bit integer (API docs, Snowflakes)."""
    return text.isascii() and text.isdigit() and 0 < int(text) < 2**64 and text[0] != "0"
