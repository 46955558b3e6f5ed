"""The registry of commands: looked up by their word path (`seminar setup`), declared by the
features (core.commands declares their shape). Kept apart from the declarations so that the
services, which hold a registry from the start, load the commands' machinery only when the
first command is read: a bot that only takes in responses never does."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from seminarbot.domain.display import embedded
from seminarbot.domain.errors import UnknownCommand
from seminarbot.domain.typed import as_typed, outside, quoted_typed

if TYPE_CHECKING:
    from seminarbot.core.commands import Command


class Registry:
    """All commands, looked up by their word path (`seminar setup`). Given a function that
    declares them (features.all_commands), it is called on first use, so the features' modules
    are imported when the first command is read, not before the bot is ready."""

    def __init__(self, commands: Iterable[Command] | Callable[[], Iterable[Command]] = ()
                 ) -> None:
        self._declared = commands
        if not callable(commands):  # a list given is checked at once
            self._commands = _table(commands)

    @functools.cached_property
    def _commands(self) -> dict[tuple[str, ...], Command]:
        declared = self._declared
        return _table(declared() if callable(declared) else declared)

    def add(self, command: Command) -> None:
        _check(command, self._commands)
        self._commands[command.path] = command

    def __iter__(self) -> Iterator[Command]:
        return iter(sorted(self._commands.values(), key=lambda c: c.path))

    def __len__(self) -> int:
        return len(self._commands)

    def get(self, name: str, typed: str = "") -> Command:
        """The command named `name` (its words); an unknown one is refused quoting `typed`,
        what the person typed, when given (`named`)."""
        path = tuple(name.split())
        try:
            return self._commands[path]
        except KeyError:
            named = [c.name for c in self if path and c.path[-len(path):] == path]
            if not named:  # a mistyped name (`help tmer`)
                from seminarbot.domain.near import near

                named = near(" ".join(path), [*(c.name for c in self), *self.groups()])
            hint = f" Did you mean {' or '.join(f'`/{n}`' for n in named)}?" if named else ""
            raise UnknownCommand(
                f"There is no command '{as_typed(embedded(_short(typed or name)))}'.{hint}"
            ) from None

    def groups(self) -> dict[str, list[Command]]:
        """Top-level words, each with its commands (a group like `seminar`, or a lone command)."""
        grouped: dict[str, list[Command]] = {}
        for command in self:
            grouped.setdefault(command.path[0], []).append(command)
        return grouped

    def resolve(self, words: list[str]) -> tuple[Command, int]:
        """The command named by the longest leading run of `words`, and how many words it used."""
        from seminarbot.domain.textfold import as_word  # small; loaded with the first command

        lowered = [as_word(word) for word in words]  # `ｔｅｒｍ` as a CJK keyboard types it
        for length in range(min(len(lowered), 3), 0, -1):
            command = self._commands.get(tuple(lowered[:length]))
            if command is not None:
                return command, length
        if lowered and lowered[0] in self.groups():
            group = lowered[0]
            subs = [c.path[-1] for c in self.groups()[group] if len(c.path) > 1]
            options = f"one of: {', '.join(subs)}. /help lists the commands."
            if len(words) < 2:
                raise UnknownCommand(f"`{group}` needs a subcommand, {options}")
            from seminarbot.domain.near import near  # only for a mistyped subcommand

            close = near(lowered[1], subs)
            sub = _short(words[1])
            hint = f"Did you mean `{group} {close[0]}`? Or" if close else "Try"
            raise UnknownCommand(f"`{group}` has no subcommand {quoted_typed(sub)}. {hint} "
                                 f"{options}")
        shown = _short(words[0]) if words else ""
        raise UnknownCommand(f"There is no command {quoted_typed(shown)}."
                             f"{self._near(lowered[:1])} Type /help to list the commands.")

    def _near(self, words: list[str]) -> str:
        """Near matches for a mistyped first word (`trem`), or the commands it is the last word
        of (`respond`: `seminar respond`), as a sentence; "" when there are none."""
        if not words:
            return ""
        from seminarbot.domain.near import near  # only for a mistyped command

        named = [c.name for c in self if c.path[-1] == words[0] and len(c.path) > 1]
        named += near(words[0], self.groups(), n=2)
        return (f" Did you mean {' or '.join(f'`{name}`' for name in named[:3])}?" if named
                else "")

    def named(self, typed: str, prefix: str) -> Command:
        """The command a person named as an argument (help's COMMAND): quotes and the
        platform's prefix or a slash before it are taken off ("sb!seminar mine" with the
        prefix "sb!"), case and spacing do not matter. Raises UnknownCommand, naming the
        commands whose last words were typed ("respond": `/seminar respond`)."""
        return self.get(_typed_name(typed, prefix), typed.strip())

    def named_group(self, typed: str, prefix: str) -> str | None:
        """The group a person named as an argument (`seminar`), read as `named` reads a
        command, when it is a group of subcommands and no command of its own; else None."""
        name = _typed_name(typed, prefix)
        grouped = self.groups().get(name, [])
        return name if grouped and all(len(c.path) > 1 for c in grouped) else None

    def with_prefix(self, text: str, prefix: str) -> str:
        """Text that names commands the core's way (`/seminar setup`, `/help`) with the
        platform's prefix instead (`!seminar setup` on Matrix). Only a slash that starts a
        word and is followed by a command's first word changes: "Europe/Berlin" stays, and
        so does what a person typed, quoted in it (domain/typed.py)."""
        if prefix == "/" or "/" not in text:
            return text
        names = "|".join(re.escape(word) for word in sorted(self.groups(), key=len,
                                                             reverse=True))
        pattern = re.compile(rf"(?<![\w/])/(?=(?:{names})\b)")
        return outside(text, lambda piece: pattern.sub(lambda _: prefix, piece))


def _table(commands: Iterable[Command]) -> dict[tuple[str, ...], Command]:
    table: dict[tuple[str, ...], Command] = {}
    for command in commands:
        _check(command, table)
        table[command.path] = command
    return table


def _check(command: Command, table: dict[tuple[str, ...], Command]) -> None:
    """Raises ValueError for a command declared twice or with its parameters out of order."""
    if command.path in table:
        raise ValueError(f"command {command.name!r} declared twice")
    optional_seen = False
    for param in command.params:
        if param.rest and param is not command.params[-1]:
            raise ValueError(f"{command.name}: only the last parameter may take the rest")
        if param.is_flag or param.option:
            continue
        if not param.required:
            optional_seen = True
        elif optional_seen:
            raise ValueError(f"{command.name}: required {param.name} after an optional one")


_NAME_QUOTES = '"“”„«»'


def _typed_name(typed: str, prefix: str) -> str:
    name = typed.strip().strip(_NAME_QUOTES).strip()
    for lead in (prefix, "/"):
        if lead and name.startswith(lead):
            name = name[len(lead):]
            break
    from seminarbot.domain.textfold import as_word

    return " ".join(as_word(name).split())


def _short(word: str, limit: int = 40) -> str:
    """A word quoted back in a reply, cut so the reply stays short whatever was typed."""
    return word if len(word) <= limit else word[:limit] + "…"
