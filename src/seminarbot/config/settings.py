"""Settings: one YAML file (--config or SEMINARBOT_CONFIG) plus environment variables.

Every error names where the value came from (the file or "environment"), the key, and what
was expected. Loaded once at start-up and passed in; nothing reads the environment later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from seminarbot.adapters.discord import settings as discord_settings
from seminarbot.adapters.discord.settings import DiscordSettings
from seminarbot.adapters.matrix import settings as matrix_settings
from seminarbot.adapters.matrix.settings import MatrixSettings
from seminarbot.config.sources import given
from seminarbot.config.yamlfile import Node, YamlError, load_yaml, unreadable
from seminarbot.core.redaction import SECRET_KEY_WORDS, quoted, remember_secret
from seminarbot.domain.display import MAX_PERSON_NAME, is_person_name, is_unicode
from seminarbot.domain.errors import BadArgument

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")


class PlatformSettings(Protocol):
    """What every platform's settings say about themselves."""

    @property
    def configured(self) -> bool: ...

    @property
    def incomplete(self) -> str | None: ...


class SettingRefused(RuntimeError):
    """A platform refused a setting (a token, a password, an intent): retrying cannot help, the
    configuration must change. `seminarbot run` says the message and exits 2."""


class CommandFailed(RuntimeError):
    """A command that asked a platform failed (`seminarbot discord sync`): the command line's
    boundary says the message as its one line (redacted, no control character) and exits 1."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database: Path
    source: str | None = None
    content_dir: Path | None = None
    prompts_dir: Path | None = None
    log_level: str = "INFO"
    log_format: str = "text"
    grace_window: timedelta = timedelta(hours=6)
    console_user: str = "you"
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    matrix: MatrixSettings = field(default_factory=MatrixSettings)

    def _each_platform(self) -> dict[str, PlatformSettings]:
        # The one list of platforms, in the order `run` starts them (keys of the config file).
        return {"discord": self.discord, "matrix": self.matrix}

    @property
    def platforms(self) -> list[str]:
        """The names of the platforms configured whole, e.g. ["discord", "matrix"]."""
        return [name for name, chosen in self._each_platform().items() if chosen.configured]

    @property
    def incomplete(self) -> list[str]:
        """A line for each platform configured only in part (`run` refuses to start)."""
        lines = (chosen.incomplete for chosen in self._each_platform().values())
        return [line for line in lines if line]


def default_data_dir(env: Mapping[str, str]) -> Path:
    chosen = env_path(env, "SEMINARBOT_DATA_DIR")
    if chosen is not None:
        return chosen
    base = env.get("XDG_DATA_HOME", "")
    if not Path(base).is_absolute():  # the XDG Base Directory spec: a relative one is ignored
        base = str(Path.home() / ".local" / "share")
    return Path(base) / "seminarbot"


def declared_log_format(path: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The `log_format` SEMINARBOT_LOG_FORMAT or else the configuration file names, read on
    its own: a file refused for another key still says how its refusal should read. "text"
    when neither names one that is valid, or the file cannot be read."""
    env = os.environ if env is None else env
    path = path or env.get("SEMINARBOT_CONFIG") or None
    declared: object = env.get("SEMINARBOT_LOG_FORMAT", "").strip()  # blanks alone: none
    if not declared:
        try:
            data = load_yaml(_expanded(path)) if path else None
        except (YamlError, OSError, ValueError):  # ValueError: a path no file can have
            return "text"
        declared = data.get("log_format") if isinstance(data, dict) else None
    return declared.strip().lower() if isinstance(declared, str) \
        and declared.strip().lower() in LOG_FORMATS else "text"


def _one_of(node: Node, env: Mapping[str, str], key: str, choices: tuple[str, ...],
            default: str) -> str:
    """`key`'s value, from SEMINARBOT_<KEY> or the file (sources.given: each is checked), in
    any case, blanks around it dropped (only blanks: not given); refused (YamlError, naming
    where it came from) unless it is one of `choices`."""
    values = [(value.strip(), refused) for value, refused
              in given(node, key, env, f"SEMINARBOT_{key.upper()}") if value.strip()]
    for value, refused in reversed(values):
        if value.lower() not in (choice.lower() for choice in choices):
            refused(f"expected one of {', '.join(choices)}, got {quoted(value)}")
    return values[0][0] if values else default


def _remember_secrets(data: object) -> None:
    """Every value the file gives a secret's key (core.redaction.SECRET_KEY_WORDS, any depth)
    is kept from every log line and message from now on (core.redaction), before any key is
    read: a refusal of another key quotes what was given, which may be a secret pasted into
    the wrong place."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and any(word in key.lower() for word in SECRET_KEY_WORDS):
                for each in value if isinstance(value, list) else [value]:
                    if isinstance(each, str | int | float) and not isinstance(each, bool):
                        remember_secret(str(each), anywhere=True)  # a number too (YAML's)
            else:
                _remember_secrets(value)
    elif isinstance(data, list):
        for item in data:
            _remember_secrets(item)


def load_settings(path: str | None = None, env: Mapping[str, str] | None = None, *,
                  database: str | None = None) -> Settings:
    """The settings of the file at `path` (or SEMINARBOT_CONFIG's), the environment `env` and
    the defaults; `database` is a --db given on the command line, which comes first."""
    env = dict(os.environ if env is None else env)
    if not path:  # SEMINARBOT_CONFIG set but empty: refused, as every path is
        named = env_file(env, "SEMINARBOT_CONFIG")
        path = str(named) if named is not None else None
    if path:
        file = user_path(path, "--config")
        try:
            present = file.exists()
        except OSError as error:  # a folder on its way refused, a name too long (helper-190's 4)
            raise unreadable(str(file), error) from None
        if not present:
            raise YamlError(str(file), "", "the configuration file is a symbolic link that "
                            "leads nowhere or in a loop" if os.path.lexists(file)
                            else "the configuration file does not exist")
        data = load_yaml(file)
        _remember_secrets(data)
        node = Node({} if data is None else data, str(file))
    else:
        node = Node({}, "(no config file)")
    from_file_dir = _path(node, "data_dir")  # read either way, so that the key is known
    data_dir = env_path(env, "SEMINARBOT_DATA_DIR") or from_file_dir or default_data_dir(env)
    from_file = _path(node, "database")
    if from_file is not None and (problem := names_no_file(node.text("database"))):
        node.fail("database", problem)
    chosen = user_path(database, "--db") if database else None
    from_env = env_file(env, "SEMINARBOT_DB")
    database_file = chosen or from_env or from_file or data_dir / "seminarbot.db"
    log_level = _one_of(node, env, "log_level", LOG_LEVELS, "INFO").upper()
    log_format = _one_of(node, env, "log_format", LOG_FORMATS, "text").lower()
    grace = timedelta(hours=6)
    scheduler = node.child("scheduler", required=False)
    if scheduler is not None:
        grace = _duration(scheduler, "grace_window", grace)
        scheduler.finish()
    login = env.get("USER", "")  # a default, not a setting: one that is no name gives way
    console_user = login if is_person_name(login) else "you"
    console = node.child("console", required=False)
    if console is not None:
        console_user = console.text("user", required=False, default=console_user)
        if not is_person_name(console_user):
            console.fail("user", f"expected a name of 1 to {MAX_PERSON_NAME} printable "
                                 "characters, with no space at either end, got "
                                 f"{quoted(console_user)}")
        console.finish()
    settings = Settings(
        source=path, data_dir=data_dir, database=database_file,
        content_dir=_path(node, "content_dir"), prompts_dir=_path(node, "prompts_dir"),
        log_level=log_level, log_format=log_format, grace_window=grace, console_user=console_user,
        discord=discord_settings.read(node.child("discord", required=False), env),
        matrix=matrix_settings.read(node.child("matrix", required=False), env),
    )
    node.finish()
    return settings


def env_path(env: Mapping[str, str], name: str) -> Path | None:
    """A path from the environment; set but empty is an error, never the default."""
    if name not in env:
        return None
    if not env[name].strip():
        raise YamlError("environment", name, "is set but empty: name a path, or unset it for "
                                             "the default")
    if (problem := path_problem(env[name])) is not None:
        raise YamlError("environment", name, problem)
    return _expanded(env[name])


def env_file(env: Mapping[str, str], name: str) -> Path | None:
    """`env_path`, for a file: one named as a folder is refused (helper-179's 3: `/`), as on
    the command line, before pathlib drops its trailing slash (helper-182's 7)."""
    found = env_path(env, name)
    if found is not None and (problem := names_no_file(env[name])):
        raise YamlError("environment", name, problem)
    return found


def _path(node: Node, key: str) -> Path | None:
    """A path from the file; empty is an error, as in the environment (it meant the current
    folder, where `db migrate` made a database unasked)."""
    value = node.text(key, required=False, numbers=False)
    if value is None:
        return None
    if not value.strip():
        node.fail(key, "is empty: name a path, or leave the key out for the default")
    if (problem := path_problem(value)) is not None:
        node.fail(key, problem)
    return _expanded(value)


def user_path(text: str, named: str, *, folder: bool = False) -> Path:
    """A path a person gave on the command line (`named`: the option it came in), `~` and
    `~user` expanded. Raises SettingRefused ("NAMED: why", exit 2) for one no file can have,
    and, unless it names a `folder`, for one that ends in a slash (pathlib would drop it, and
    a file would be made where a folder was meant)."""
    if (problem := path_problem(text)) is not None:
        raise SettingRefused(f"{named}: {problem}")
    if not folder and (problem := names_folder(text)):
        raise SettingRefused(f"{named}: {problem}")
    return _expanded(text)


def names_folder(text: str) -> str | None:
    """Why `text` cannot name a file (it ends in a slash, `.` or `..`: pathlib would drop the
    slash, or take a folder's name for the file's), or None."""
    if text.endswith("/") or text.rsplit("/", 1)[-1] in (".", ".."):
        return f"{text} names a folder (it ends with /, . or ..); name a file"
    return None


def names_no_file(text: str) -> str | None:
    """`names_folder`, and `-`, which names standard input or output to the command line's
    tools: as --db and --config refuse it (helper-187's 6: a database named `-` was made)."""
    if text.strip() == "-":
        return "- names standard input or output, which cannot be this file; name a file"
    return names_folder(text)


def path_problem(text: str) -> str | None:
    """Why no file can have the path `text`, or None: a NUL in it (the system's calls end a
    path there), or a `~user` (os.path.expanduser) of no user here."""
    if "\0" in text:
        return "holds a NUL character, which no path can"
    if not is_unicode(text):  # undecodable bytes the system handed over (surrogateescape)
        return "holds bytes that are not UTF-8: name it in UTF-8"
    try:
        Path(text).expanduser()
    except RuntimeError:  # pathlib's "Could not determine home directory."
        head = text.split("/", 1)[0]
        return f"begins with {head}, but this system has no user {head[1:] or 'home'}"
    return None


def _expanded(text: str) -> Path:
    try:
        return Path(text).expanduser()
    except RuntimeError:
        return Path(text)


def _duration(node: Node, key: str, default: timedelta) -> timedelta:
    raw = node.text(key, required=False)
    if raw is None:
        return default
    from seminarbot.core.params import Duration  # the commands' parameters: only when set

    try:
        return Duration().parse(raw, key)
    except BadArgument as error:
        node.fail(key, f"expected {error.expected}, got {quoted(raw)}")


