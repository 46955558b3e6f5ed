"""Matrix, through matrix-nio: text commands with a prefix, prompts as thread roots, E2EE."""

from seminarbot.adapters.matrix.bot import run

__all__ = ["run"]
