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

from seminarbot.core.errors import BadArgument
from seminarbot.core.params import Duration
from seminarbot.yamlfile import Node, YamlError, load_yaml

ConfigError = YamlError
DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class DiscordSettings:
    token: str | None = None
    api_base: str = DISCORD_API_BASE
    gateway_url: str = DISCORD_GATEWAY
    moderator_role: str | None = None
    test_guild: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.token)


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


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database: Path
    source: str | None = None
    content_dir: Path | None = None
    prompts_dir: Path | None = None
    log_level: str = "INFO"
    grace_window: timedelta = timedelta(hours=6)
    console_user: str = "you"
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    matrix: MatrixSettings = field(default_factory=MatrixSettings)

    @property
    def platforms(self) -> list[str]:
        return [name for name, on in (("discord", self.discord.configured),
                                      ("matrix", self.matrix.configured)) if on]


def default_data_dir(env: Mapping[str, str]) -> Path:
    if env.get("SEMINARBOT_DATA_DIR"):
        return Path(env["SEMINARBOT_DATA_DIR"]).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "seminarbot"


def load_settings(path: str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    path = path or env.get("SEMINARBOT_CONFIG") or None
    if path:
        file = Path(path).expanduser()
        if not file.exists():
            raise YamlError(str(file), "", "the configuration file does not exist")
        data = load_yaml(file)
        node = Node({} if data is None else data, str(file))
    else:
        node = Node({}, "(no config file)")
    data_dir = _path(node, "data_dir") or default_data_dir(env)
    from_file = _path(node, "database")
    database = (Path(env["SEMINARBOT_DB"]).expanduser() if env.get("SEMINARBOT_DB")
                else from_file or data_dir / "seminarbot.db")
    log_level = node.text("log_level", required=False, default="INFO").upper()
    if log_level not in LOG_LEVELS:
        node.fail("log_level", f"expected one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
    grace = timedelta(hours=6)
    scheduler = node.child("scheduler", required=False)
    if scheduler is not None:
        grace = _duration(scheduler, "grace_window", grace)
        scheduler.finish()
    console_user = env.get("USER") or "you"
    console = node.child("console", required=False)
    if console is not None:
        console_user = console.text("user", required=False, default=console_user)
        console.finish()
    settings = Settings(
        source=path, data_dir=data_dir, database=database,
        content_dir=_path(node, "content_dir"), prompts_dir=_path(node, "prompts_dir"),
        log_level=log_level, grace_window=grace, console_user=console_user,
        discord=_discord(node.child("discord", required=False), env),
        matrix=_matrix(node.child("matrix", required=False), env),
    )
    node.finish()
    return settings


def _path(node: Node, key: str) -> Path | None:
    value = node.text(key, required=False)
    if value is None:
        return None
    return Path(value).expanduser()


def _duration(node: Node, key: str, default: timedelta) -> timedelta:
    raw = node.text(key, required=False)
    if raw is None:
        return default
    try:
        return Duration().parse(raw, key)
    except BadArgument as error:
        node.fail(key, f"expected {error.expected}, got {raw!r}")


def _url(node: Node | None, key: str, env: Mapping[str, str], env_key: str,
         default: str) -> str:
    from_file = node.text(key, required=False) if node else None
    value = env.get(env_key) or from_file or default
    if not value.startswith(("http://", "https://", "ws://", "wss://")):
        from_env = bool(env.get(env_key))
        raise YamlError("environment" if from_env or node is None else node.file,
                        env_key if from_env else key,
                        f"expected a URL starting with http(s):// or ws(s)://, got {value!r}")
    return value.rstrip("/")


def _pick(node: Node | None, key: str, env: Mapping[str, str], env_key: str) -> str | None:
    """The environment wins over the file; the file's key is read either way so it is known."""
    from_file = node.text(key, required=False) if node else None
    return env.get(env_key) or from_file


def _discord(node: Node | None, env: Mapping[str, str]) -> DiscordSettings:
    settings = DiscordSettings(
        token=_pick(node, "token", env, "DISCORD_TOKEN"),
        api_base=_url(node, "api_base", env, "DISCORD_API_BASE", DISCORD_API_BASE),
        gateway_url=_url(node, "gateway_url", env, "DISCORD_GATEWAY_URL", DISCORD_GATEWAY),
        moderator_role=node.text("moderator_role", required=False) if node else None,
        test_guild=node.text("test_guild", required=False) if node else None,
    )
    if node:
        node.finish()
    return settings


def _matrix(node: Node | None, env: Mapping[str, str]) -> MatrixSettings:
    def pick(key: str, env_key: str) -> str | None:
        return _pick(node, key, env, env_key)

    homeserver = pick("homeserver", "MATRIX_HOMESERVER")
    if homeserver:
        homeserver = _url(node, "homeserver", env, "MATRIX_HOMESERVER", homeserver)
    if node is None:
        return MatrixSettings(homeserver=homeserver, user_id=env.get("MATRIX_USER_ID"),
                              password=env.get("MATRIX_PASSWORD"),
                              access_token=env.get("MATRIX_ACCESS_TOKEN"))
    user_id = pick("user_id", "MATRIX_USER_ID")
    if user_id and not (user_id.startswith("@") and ":" in user_id):
        node.fail("user_id", f"expected a full Matrix id such as @bot:example.org, got {user_id!r}")
    settings = MatrixSettings(
        homeserver=homeserver, user_id=user_id, password=pick("password", "MATRIX_PASSWORD"),
        access_token=pick("access_token", "MATRIX_ACCESS_TOKEN"),
        device_name=node.text("device_name", required=False, default="seminarbot"),
        command_prefix=node.text("command_prefix", required=False, default="!"),
        moderator_power_level=node.number("moderator_power_level", required=False, default=50,
                                       minimum=0),
        allowed_servers=tuple(node.text_list("allowed_servers", required=False)),
        allowed_users=tuple(node.text_list("allowed_users", required=False)),
    )
    node.finish()
    return settings
