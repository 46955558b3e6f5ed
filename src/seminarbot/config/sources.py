"""A setting's value from the environment or the configuration file, the environment first."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import NoReturn

from seminarbot.config.yamlfile import Node, YamlError


def pick(node: Node | None, key: str, env: Mapping[str, str], env_key: str) -> str | None:
    """The environment wins over the file; the file's key is read either way so it is known."""
    from_file = node.text(key, required=False) if node else None
    return env.get(env_key) or from_file


def url(node: Node | None, key: str, env: Mapping[str, str], env_key: str,
        default: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """A URL of one of `schemes`, with a host and no user or password in it (RFC 3986: they
    would go in every request's header, and in the log's lines that name the address),
    without its trailing slash. Raises YamlError naming the environment variable or the file's
    key that holds something else; a user's part is never quoted back."""
    value = pick(node, key, env, env_key) or default
    expected = f"expected a URL starting with {' or '.join(s + '://' for s in schemes)}"
    if "@" in value:  # a user's part, whatever else is wrong: never quoted back
        refuse(node, key, env, env_key, f"{expected} and a host, with no user or password in "
                                        "it (they would be sent with every request)")
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError:
        refuse(node, key, env, env_key, f"{expected}, not one whose host or port cannot be "
                                        "read (not quoted: it may hold a password)")
    if parts.scheme not in schemes or not parts.hostname or port == 0 \
            or parts.query or parts.fragment or any(c.isspace() for c in value):
        refuse(node, key, env, env_key, f"{expected}, a host and no query, fragment or "
                                        f"space, got {value!r}")
    if (wrong := _host_problem(parts.hostname, "[" in parts.netloc)) is not None:
        refuse(node, key, env, env_key, f"{expected} and a host name, got {value!r}, whose "
                                        f"host {wrong}")
    return value.rstrip("/")


def _host_problem(host: str, bracketed: bool) -> str | None:
    """Why `host` can be no host's name or address, or None: an address that is none (in
    brackets, IPv6; of digits and dots, IPv4), a name longer than 253 characters, a part of
    it empty, longer than 63 characters or beginning or ending with a hyphen (RFC 1035, RFC
    1123; IDNA's encoding refused some only when first tried: an internal error), or a
    character no name holds (a NUL, a percent sign, a control)."""
    if bracketed or host.replace(".", "").isdigit():
        import ipaddress

        try:
            ipaddress.ip_address(host.split("%")[0] if bracketed else host)
        except ValueError:
            return f"is no IP{'v6' if bracketed else 'v4'} address"
        return None
    if any(not c.isprintable() or c in "%/\\" for c in host):
        return "holds a character no host name can"
    name = host.rstrip(".")
    if not name:
        return "is no name"
    if len(name) > 253 or any(part.startswith("-") or part.endswith("-")
                              for part in name.split(".")):
        return "is longer than 253 characters, or has a part that begins or ends with -"
    try:
        name.encode("idna")
    except UnicodeError:
        return "has an empty part, or one longer than 63 characters"
    return None


def refuse(node: Node | None, key: str, env: Mapping[str, str], env_key: str,
           problem: str) -> NoReturn:
    """Raise YamlError for a value `pick` read, naming where it came from: the environment
    variable, which wins, or the file's key with its section (matrix.user_id)."""
    if env.get(env_key) or node is None:
        raise YamlError("environment", env_key, problem)
    node.fail(key, problem)
