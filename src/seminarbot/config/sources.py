"""A setting's value from the environment or the configuration file, the environment first."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from typing import NoReturn

from seminarbot.config.yamlfile import Node, YamlError

Refusal = Callable[[str], NoReturn]  # raises YamlError saying the problem, where it was given


def pick(node: Node | None, key: str, env: Mapping[str, str], env_key: str) -> str | None:
    """The environment wins over the file; the file's key is read either way so it is known."""
    from_file = node.text(key, required=False) if node else None
    return env.get(env_key) or from_file


def given(node: Node | None, key: str, env: Mapping[str, str], env_key: str
          ) -> list[tuple[str, Refusal]]:
    """Each value given for a setting, the environment's first (it wins: `pick`), each with
    the refusal that names where it came from. A value that loses is checked too, so that a
    slip in the file is said now, not on the day the variable goes (helper-158's 6)."""
    found: list[tuple[str, Refusal]] = []
    if env.get(env_key):
        found.append((env[env_key], lambda problem: _refused(YamlError("environment", env_key,
                                                                         problem))))
    if node is not None and (from_file := node.text(key, required=False)):
        found.append((from_file, lambda problem: node.fail(key, problem)))
    return found


def _refused(error: YamlError) -> NoReturn:
    raise error


def url(node: Node | None, key: str, env: Mapping[str, str], env_key: str,
        default: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """A URL of one of `schemes`, with a host and no user or password in it (RFC 3986: they
    would go in every request's header, and in the log's lines that name the address),
    without its trailing slash. Raises YamlError naming the environment variable or the file's
    key that holds something else (each given is checked: `given`); a user's part is never
    quoted back."""
    values = given(node, key, env, env_key)
    for value, refused in reversed(values):
        if (problem := _url_problem(value, schemes)) is not None:
            refused(problem)
    return (values[0][0] if values else default).rstrip("/")


def _url_problem(value: str, schemes: tuple[str, ...]) -> str | None:
    expected = f"expected a URL starting with {' or '.join(s + '://' for s in schemes)}"
    if "@" in value:  # a user's part, whatever else is wrong: never quoted back
        return f"{expected} and a host, with no user or password in it (they would be sent " \
            "with every request)"
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError:
        return f"{expected}, not one whose host or port cannot be read (not quoted: it may " \
            "hold a password)"
    if parts.scheme not in schemes or not parts.hostname or port == 0 \
            or parts.query or parts.fragment or any(c.isspace() for c in value):
        return f"{expected}, a host and no query, fragment or space, got {value!r}"
    if (wrong := _host_problem(parts.hostname, "[" in parts.netloc)) is not None:
        return f"{expected} and a host name, got {value!r}, whose host {wrong}"
    return None


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


def one_word(value: str | None) -> str | None:
    """A credential an HTTP header carries (a bot token, an access token) without the spaces
    or line break copying left around it (a .env file's CR, `$(cat file)`'s newline)."""
    return value if value is None or not value.strip() else value.strip()


# How `not_one_word` is said of a credential, after its name.
NOT_ONE_WORD = ("holds a space, a line break, another control character or a letter that is "
                "not ASCII inside it")


def not_one_word(value: str | None) -> bool:
    """Whether a credential holds a space, a line break, another control character or a
    letter that is not ASCII inside it: no HTTP header carries it as typed (RFC 9110, field
    values: visible ASCII; aiohttp sends others as UTF-8 bytes, which no token holds), so it
    is refused before it is sent (helper-140, helper-183's 1, helper-187's 14)."""
    return any(not char.isascii() or not char.isprintable() or char.isspace()
               for char in (value or "").strip())
