"""A loopback fake of Discord (REST and gateway) that the real discord.py client talks to."""

from tests.discord_fake.server import WAIT, FakeDiscord

__all__ = ["WAIT", "FakeDiscord"]
