"""A setting's value from the environment or the configuration file, the environment first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NoReturn

from seminarbot.config.yamlfile import Node, YamlError


def pick(node: Node | None, key: str, env: Mapping[str, str], env_key: str) -> str | None:
    """The environment wins over the file; the file's key is read either way so it is known."""
    from_file = node.text(key, required=False) if node else None
    return env.get(env_key) or from_file


def url(node: Node | None, key: str, env: Mapping[str, str], env_key: str,
        default: str) -> str:
    """A URL (http, https, ws or wss) without its trailing slash. Raises YamlError naming the
    environment variable or the file's key that holds something else."""
    value = pick(node, key, env, env_key) or default
    if not value.startswith(("http://", "https://", "ws://", "wss://")):
        refuse(node, key, env, env_key,
               f"expected a URL starting with http(s):// or ws(s)://, got {value!r}")
    return value.rstrip("/")


def refuse(node: Node | None, key: str, env: Mapping[str, str], env_key: str,
           problem: str) -> NoReturn:
    """Raise YamlError for a value `pick` read, naming where it came from: the environment
    variable, which wins, or the file's key with its section (matrix.user_id)."""
    if env.get(env_key) or node is None:
        raise YamlError("environment", env_key, problem)
    node.fail(key, problem)
