"""Slash commands built from the core registry, and interactions read back into commands.

Discord gives default permissions per top-level command only, so a group that mixes
participants' and moderators' commands is split: the moderators' half goes to `<group>-mod`
(`/seminar-mod setup`), which carries Manage Server as its default member permission. Replies
name commands the Discord way; `rename` rewrites the core's `/seminar setup` accordingly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from seminarbot.adapters.discord.permissions import MODERATOR_PERMISSION
from seminarbot.core.commands import Command, Param, Permission
from seminarbot.core.registry import Registry
from seminarbot.domain.schedule import WEEKDAYS

SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, CHANNEL = 1, 2, 3, 4, 5, 7
TEXT_CHANNEL, FORUM_CHANNEL = 0, 15
# A command that sets a seminar up may name the channel: a forum cannot take a slash command
# itself, so its seminar is set up from another channel.
CHANNEL_OPTION = "channel"
CHAT_INPUT = 1
GUILD_CONTEXT = 0  # usable in servers, not in DMs
GUILD_INSTALL = 0  # installed to a server (not to a user account)
MODERATOR_SUFFIX = "-mod"
# Discord's limits on names, descriptions, choices and string options.
NAME_MAX, DESCRIPTION_MAX, CHOICES_MAX, STRING_OPTION_MAX = 32, 100, 25, 6000
DURATION_OPTION_MAX = 20  # "6d23h59m" fits; a longer one is never a duration we accept

Payload = dict[str, Any]


class UnknownInteraction(Exception):
    """An interaction for a command this build does not declare (stale sync)."""


@dataclass(frozen=True)
class Invoked:
    command: Command
    raw: dict[str, str | None]
    # For autocomplete: the option being typed and what has been typed so far.
    focused: tuple[str, str] | None = None


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class _Tables:
    by_words: dict[tuple[str, ...], Command]
    words_of: dict[tuple[str, ...], tuple[str, ...]]
    renames: list[tuple[Command, str]]
    pattern: re.Pattern[str] | None


class SlashCommands:
    """Built from the registry on first use (a command, a reply naming one, the sync), not
    when the client is made: reading the registry imports every feature's module, which the
    bot does not need to be ready (benchmarks/discord_bench.py)."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    @functools.cached_property
    def _tables(self) -> _Tables:
        by_words: dict[tuple[str, ...], Command] = {}
        words_of: dict[tuple[str, ...], tuple[str, ...]] = {}
        for top, commands in self._registry.groups().items():
            mixed = len({c.permission for c in commands}) > 1
            for command in commands:
                if len(command.path) > 1 and mixed and command.permission is Permission.MODERATOR:
                    words = (top + MODERATOR_SUFFIX, *command.path[1:])
                else:
                    words = command.path
                by_words[words] = command
                words_of[command.path] = words
        renames = [(c, " ".join(words_of[c.path])) for c in self._registry
                   if " ".join(words_of[c.path]) != c.name]
        renames.sort(key=lambda pair: -len(pair[0].name))
        pattern = re.compile("|".join(
            r"(?<!\\)/" + re.escape(c.name) + r"\b" for c, _ in renames)) if renames else None
        return _Tables(by_words, words_of, renames, pattern)

    def discord_name(self, command: Command) -> str:
        return " ".join(self._tables.words_of[command.path])

    def core_name(self, typed: str) -> str:
        """`seminar-mod setup` (as a person on Discord would name it) → `seminar setup`."""
        wanted = " ".join(typed.strip().lstrip("/").lower().split())
        for command, discord_name in self._tables.renames:
            if wanted == discord_name:
                return command.name
        return typed

    def rename(self, text: str) -> str:
        """`/seminar setup` → `/seminar-mod setup` wherever the core names a moved command."""
        if "/" not in text or self._tables.pattern is None:
            return text
        names = {"/" + c.name: "/" + new for c, new in self._tables.renames}
        return self._tables.pattern.sub(lambda m: names[m.group(0)], text)

    # -- the sync payload ---------------------------------------------------------------------

    def payload(self) -> list[Payload]:
        """Every top-level command as Discord's bulk-overwrite endpoint takes it."""
        tops: dict[str, list[tuple[tuple[str, ...], Command]]] = {}
        for words, command in self._tables.by_words.items():
            tops.setdefault(words[0], []).append((words, command))
        result = []
        for name in sorted(tops):
            entries = sorted(tops[name])
            lone = [c for w, c in entries if len(w) == 1]
            if lone and len(entries) > 1:
                raise ValueError(f"/{name} is both a command and a group; Discord allows one")
            top: Payload = {"name": name, "type": CHAT_INPUT, "contexts": [GUILD_CONTEXT],
                            "integration_types": [GUILD_INSTALL]}
            if lone:
                top["description"] = _shorten(lone[0].help, DESCRIPTION_MAX)
                top["options"] = _options(lone[0].params)
            else:
                top["description"] = _group_description(name, [c for _, c in entries])
                top["options"] = _subcommands(entries)
            if all(c.permission is Permission.MODERATOR for _, c in entries):
                top["default_member_permissions"] = str(MODERATOR_PERMISSION.value)
            result.append(top)
        return result

    # -- reading interactions ----------------------------------------------------------------

    def read(self, data: Mapping[str, Any]) -> Invoked:
        """The command an interaction names, its raw (text) arguments and any focused option."""
        words = [str(data.get("name", ""))]
        options: Sequence[Mapping[str, Any]] = data.get("options") or []
        while len(options) == 1 and options[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
            words.append(str(options[0]["name"]))
            options = options[0].get("options") or []
        command = self._tables.by_words.get(tuple(words))
        if command is None:
            raise UnknownInteraction("/" + " ".join(words))
        raw: dict[str, str | None] = {}
        focused = None
        for option in options:
            value = option.get("value")
            text = ("true" if value else "false") if isinstance(value, bool) else (
                None if value is None else str(value))
            raw[str(option["name"])] = text
            if option.get("focused"):
                focused = (str(option["name"]), text or "")
        return Invoked(command, raw, focused)


def _group_description(name: str, commands: list[Command]) -> str:
    if all(c.permission is Permission.MODERATOR for c in commands):
        return _shorten(f"Moderators: {', '.join(c.path[-1] for c in commands)}", DESCRIPTION_MAX)
    return _shorten(f"{name.capitalize()}: {', '.join(c.path[-1] for c in commands)}",
                    DESCRIPTION_MAX)


def _subcommands(entries: list[tuple[tuple[str, ...], Command]]) -> list[Payload]:
    options: list[Payload] = []
    groups: dict[str, Payload] = {}
    for words, command in entries:
        leaf: Payload = {"type": SUB_COMMAND, "name": words[-1],
                         "description": _shorten(command.help, DESCRIPTION_MAX),
                         "options": _options(command.params)}
        if command.sets_up_channel:
            leaf["options"].append({
                "type": CHANNEL, "name": CHANNEL_OPTION, "required": False,
                "description": "the text or forum channel to hold it (default: this one)",
                "channel_types": [TEXT_CHANNEL, FORUM_CHANNEL]})
        if len(words) == 2:
            options.append(leaf)
            continue
        group = groups.get(words[1])
        if group is None:
            group = {"type": SUB_COMMAND_GROUP, "name": words[1],
                     "description": _shorten(f"{words[0]} {words[1]}", DESCRIPTION_MAX),
                     "options": []}
            groups[words[1]] = group
            options.append(group)
        group["options"].append(leaf)
    return options


def _options(params: tuple[Param, ...]) -> list[Payload]:
    built = [_option(p) for p in params]
    # Discord wants required options first; order otherwise as declared.
    return sorted(built, key=lambda o: not o["required"])


def _option(param: Param) -> Payload:
    kind = param.type.kind
    # A bound the declaration sets (durations up to a year, dates within ten years) is said in
    # the option's description, where Discord shows it while the option is typed.
    limit = getattr(param.type, "limit", "")
    described = f"{param.help or param.name} ({limit})" if limit else param.help or param.name
    option: Payload = {"name": param.name, "type": STRING,
                       "description": _shorten(described, DESCRIPTION_MAX),
                       "required": param.required and not param.is_flag}
    choices: list[tuple[str, str]] = []
    if kind == "flag":
        option["type"] = BOOLEAN
    elif kind == "integer":
        option["type"] = INTEGER
        option["min_value"] = getattr(param.type, "minimum", None)
        option["max_value"] = getattr(param.type, "maximum", None)
    elif kind == "choice":
        choices = [(str(o), str(o)) for o in getattr(param.type, "options", ())]
    elif kind == "weekday":
        choices = [(day.capitalize(), day) for day in WEEKDAYS]
    elif kind == "string":
        option["min_length"] = max(1, getattr(param.type, "min_length", 1))
        option["max_length"] = min(STRING_OPTION_MAX,
                                   getattr(param.type, "max_length", STRING_OPTION_MAX))
    elif kind == "time":
        option["max_length"] = 5
    elif kind == "date":
        option["max_length"] = 10
    elif kind == "duration":
        option["max_length"] = DURATION_OPTION_MAX
    if choices and len(choices) <= CHOICES_MAX:
        option["choices"] = [{"name": name, "value": value} for name, value in choices]
    elif param.autocomplete is not None or kind in ("timezone", "choice"):
        option["autocomplete"] = True
    return {k: v for k, v in option.items() if v is not None}
